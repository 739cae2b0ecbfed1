"""The two kinds of audit record: what the aggregate one holds, how each is checked, how records are loaded."""

import copy
import json
import re

import jsonschema
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort
from utfall.evaluation._schema import MAX_DEPTH, SCHEMA, declare, validate
from utfall.privacy import MARKER, SECONDARY

KEY = "the municipality's key, kept by the data holder"
OTHER_KEY = "somebody else's key, of the same length!"
COUNTS = ("n_participants", "n_complete", "n_included", "n_without_comparison")


def personnummer(i):
    return f"{2000 + i % 8}{1 + i % 12:02d}{1 + i % 28:02d}-{1000 + 7 * i:04d}"


def register(change_tariff=False):
    """The synthetic register with personnummer-like string ids (40 participants, 300 historical)."""
    f = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8, as_frames=True)
    ids = {i: personnummer(i) for i in f["individuals"]["id"]}
    tables = {k: (v.assign(id=v["id"].map(ids)) if k in ("individuals", "episodes", "costs") else v)
              for k, v in f.items()}
    if change_tariff:
        tables["tariffs"] = tables["tariffs"].assign(daily_cost=tables["tariffs"]["daily_cost"] + 1.0)
    return utfall.Cohort.from_frames(**tables), list(ids.values())


COHORT, IDS = register()
SPEC = {"covariates": ["age", "prior_cost_total"]}
EV = utfall.evaluate(COHORT, SPEC, horizons=["2y", "3y"], bootstrap=200, intervention_cost=4e6, seed=4,
                     progress=False)
TEXT = EV.to_json(key=KEY)


def columns(table):
    return {c["name"]: c["values"] for c in table["columns"]}


def test_an_aggregate_record_holds_no_id_no_individual_date_and_no_small_cell():
    data = json.loads(TEXT)
    assert data["disclosure"] == "aggregate" and data["threshold"] == 5
    # No raw id: neither whole nor the date part of a personnummer.
    for i in IDS:
        assert i not in TEXT and i.split("-")[0] not in TEXT
    # No calendar date but the record's own creation time.
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", TEXT)
    assert dates == [data["created"][:10]]
    # Per individual: a pseudonym and the three numbers that re-check the totals, nothing else.
    individuals = data["results"]["individuals"]
    assert [c["name"] for c in individuals["columns"]] == ["horizon", "expected", "actual", "savings"]
    assert all(re.fullmatch("[0-9a-f]{32}", p) for p in individuals["index"]["values"])
    # Every count shown is 0 or at least the threshold, and so is every difference of two shown counts.
    summary = columns(data["results"]["summary"])
    for r, h in enumerate(data["results"]["summary"]["index"]["values"]):
        shown = {c: summary[c][r] for c in COUNTS if summary[c][r] not in (MARKER, SECONDARY)}
        values = list(shown.values()) + [abs(a - b) for a in shown.values() for b in shown.values()]
        assert all(v == 0 or v >= 5 for v in values), (h, shown)
        assert not re.search(r"\d", summary["status"][r])
    # The 3-year horizon has 38 of 40 complete: a cell of 2, so only the included count is shown.
    assert summary["n_included"][1] == 40 and summary["n_participants"][1] == SECONDARY
    assert summary["n_complete"][1] == SECONDARY and "summary.n_complete[3y]" in data["sealed"]
    for h, table in data["results"]["trajectories"].items():
        observed = [v for v in columns(table)["n_observed"] if v not in (MARKER, SECONDARY)]
        assert all(v >= 5 and (v == max(observed) or max(observed) - v >= 5) for v in observed), h
    for what in data["not_counted"]["horizons"].values():
        assert all(v == 0 or v == MARKER or v >= 5 for v in what.values())
    assert "validity" not in data


def test_reproduce_with_the_key_rechecks_an_aggregate_record_digit_for_digit():
    again = utfall.reproduce(TEXT, COHORT, key=KEY)
    assert again == EV
    assert utfall.reproduce(TEXT, COHORT, key=KEY.encode()) == EV  # the key as bytes is the same key
    # A changed number is named.
    data = json.loads(TEXT)
    data["results"]["individuals"]["columns"][1]["values"][3] += 1.0
    with pytest.raises(utfall.ReproductionError, match="individuals, column 'expected', row 3"):
        utfall.reproduce(json.dumps(data), COHORT, key=KEY)
    # A wrong key is told from a changed register.
    with pytest.raises(utfall.ReproductionError, match="the key is not the one the record was made with"):
        utfall.reproduce(TEXT, COHORT, key=OTHER_KEY)
    changed, _ = register(change_tariff=True)
    with pytest.raises(utfall.ReproductionError, match="the data differ .* in table\\(s\\) 'tariffs'"):
        utfall.reproduce(TEXT, changed, key=KEY)
    # A sealed value is checked too: a record claiming another small count fails.
    data = json.loads(TEXT)
    data["sealed"]["summary.n_complete[3y]"] = "0" * 32
    with pytest.raises(utfall.ReproductionError, match="the sealed values differ at \\['summary.n_complete\\[3y\\]'"):
        utfall.reproduce(json.dumps(data), COHORT, key=KEY)


def test_given_pairs_and_per_participant_costs_travel_as_pseudonyms():
    c = hand_cohort()
    ev = utfall.evaluate(c, PAIRS, horizons=["2y", "3y"], intervention_cost={"p1": 10.0, "p2": 20.0}, bootstrap=False,
                         seed=2)
    text = ev.to_json(key=KEY, threshold=1)
    for raw in ("p1", "p2", "h1", "h2", "h3"):
        assert f'"{raw}"' not in text
    assert utfall.reproduce(text, c, key=KEY) == ev
    check = utfall.reproduce(text, c)  # without the key: the register's fingerprints, not the re-run
    assert "the register's tables have the recorded fingerprints" in check.verified
    assert any("names individuals by pseudonym" in s for s in check.not_verified)


def test_without_the_key_an_aggregate_record_says_what_it_verified():
    check = utfall.reproduce(TEXT)
    assert isinstance(check, utfall.privacy.Verification) and not check.complete
    assert ("3y: the expected, actual and savings totals and means are those of the 40 included participants' rows, "
            "and net savings is savings less the intervention cost") in check.verified
    assert ("3y: the bca interval, P(savings > 0) and P(savings > intervention cost) re-run from the recorded "
            "savings and seed (200 resamples)") in check.verified
    assert any("need the register" in s for s in check.not_verified)
    assert any("pseudonyms" in s for s in check.not_verified) and any("sealed" in s for s in check.not_verified)
    # With the register but without the key: every shown number re-run.
    on_register = utfall.reproduce(TEXT, COHORT)
    assert any("every shown number of the record, digit for digit" in s for s in on_register.verified)
    assert on_register.evaluation == EV
    # An inconsistent record is caught without the key or the register.
    data = json.loads(TEXT)
    summary = data["results"]["summary"]
    columns(summary)  # the columns by name
    low = next(c for c in summary["columns"] if c["name"] == "savings_low")
    low["values"][0] -= 1.0
    with pytest.raises(utfall.ReproductionError, match="the savings interval at 2y is not the bootstrap"):
        utfall.reproduce(json.dumps(data))
    data = json.loads(TEXT)
    data["results"]["individuals"]["columns"][3]["values"][0] += 5.0
    with pytest.raises(utfall.ReproductionError, match="a participant's savings at 2y is not expected - actual"):
        utfall.reproduce(json.dumps(data))
    data["results"]["individuals"]["columns"][1]["values"][0] += 5.0
    with pytest.raises(utfall.ReproductionError, match="expected_total at 2y is"):
        utfall.reproduce(json.dumps(data))
    with pytest.raises(utfall.ReproductionError, match="the data differ"):
        utfall.reproduce(TEXT, register(change_tariff=True)[0])


def test_the_full_record_says_so_and_is_warned_about_and_a_key_is_needed_to_share():
    full = EV.to_json(disclosure="full")
    assert json.loads(full)["disclosure"] == "full" and IDS[0] in full
    with pytest.warns(utfall.DisclosureWarning, match="full disclosure"):
        assert utfall.load_evaluation(full) == EV
    with pytest.warns(utfall.DisclosureWarning, match="full disclosure"):
        utfall.reproduce(full, COHORT)
    with pytest.raises(utfall.SpecError, match=r"needs the data holder's secret key=.*utfall.privacy.new_key\(\)"):
        EV.to_json()
    with pytest.raises(utfall.SpecError, match="disclosure must be"):
        EV.to_json(disclosure="partial", key=KEY)
    with pytest.raises(utfall.SpecError, match="load_evaluation reads the data holder's full record"):
        utfall.load_evaluation(TEXT)
    loose = json.loads(EV.to_json(key=KEY, threshold=3))
    assert loose["threshold"] == 3 and loose["results"]["summary"]["columns"][1]["values"][1] == SECONDARY


# ---------------------------------------------------------------------- safe loading
def test_the_schema_is_a_json_schema_that_jsonschema_applies_alike():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    data = json.loads(TEXT)
    jsonschema.validate(data, SCHEMA)
    validate(data, SCHEMA, "")
    for mangle in (lambda d: d.update(extra=1), lambda d: d["results"].update(more={}),
                   lambda d: d["results"]["summary"]["columns"][0].update(code="x"),
                   lambda d: d.update(seed="7"), lambda d: d.update(disclosure="some")):
        bad = copy.deepcopy(data)
        mangle(bad)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)
        with pytest.raises(utfall.RecordError):
            validate(bad, SCHEMA, "")


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.update(comment="hi"), "field 'record' has unknown field\\(s\\) \\['comment'\\]"),
    (lambda d: d["results"]["individuals"].update(raw_ids=[]), "field 'results.individuals' has unknown field"),
    (lambda d: d["results"]["individuals"]["columns"][1]["values"].append(1.0),
     "column 'expected' has 81 values for 80 rows"),
    (lambda d: [c["values"].append(1.0) for c in d["results"]["individuals"]["columns"]
                + [d["results"]["individuals"]["index"]]], "contents.rows' declares other rows"),
    (lambda d: d["results"]["summary"]["columns"][0]["values"].__setitem__(0, "x" * 5000), "longer than 4096"),
    (lambda d: d["sealed"].update({f"k{i}": "0" for i in range(100)}), "declares \\d+ values, the record holds more"),
    (lambda d: d.pop("key_check"), "field 'key_check' is missing"),
])
def test_records_with_unknown_fields_or_more_than_they_declare_are_refused(change, problem):
    data = json.loads(TEXT)
    change(data)
    with pytest.raises(utfall.DataError, match=problem):
        utfall.reproduce(json.dumps(data))


def test_oversized_duplicated_deep_and_non_json_records_are_data_errors():
    padded = TEXT.replace(", ", "," + " " * 400)  # the same record, far longer than its values allow
    with pytest.raises(utfall.RecordError, match="characters long, more than its \\d+ declared values allow"):
        utfall.reproduce(padded)
    with pytest.raises(utfall.RecordError, match="the key 'seed' appears twice"):
        utfall.reproduce(TEXT[:-1] + ', "seed": 5}')
    with pytest.raises(utfall.RecordError, match="literal NaN"):
        utfall.reproduce(TEXT.replace('"NaN"', "NaN", 1) if '"NaN"' in TEXT else '{"a": NaN}')
    with pytest.raises(utfall.RecordError, match="nested deeper"):
        utfall.reproduce("[" * 100_000 + "]" * 100_000)
    deep = json.loads(TEXT)
    deep["not_counted"]["outside_observation"] = {"x": json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))}
    with pytest.raises(utfall.RecordError, match="nested deeper"):
        utfall.reproduce(json.dumps(declare(deep)))
    with pytest.raises(utfall.RecordError, match="not UTF-8"):
        utfall.reproduce(b"\xff\xfe{}")
    assert issubclass(utfall.RecordError, utfall.DataError) and issubclass(utfall.RecordError,
                                                                           utfall.ReproductionError)


def test_the_report_to_share_draws_no_child_alone(tmp_path):
    path = EV.report(tmp_path / "report.html", language="en", cohort=COHORT)
    html = path.read_text(encoding="utf-8")
    assert "Savings per group of at least 5 participants at 3y" in html
    assert "Savings per participant" not in html
    assert "38 of 40" not in html  # the 3-year status: 2 incomplete
    assert not any(i in html for i in IDS)
    full = EV.report(tmp_path / "full.html", language="en", cohort=COHORT, suppress=None)
    assert "Savings per participant at 3y" in full.read_text(encoding="utf-8")
