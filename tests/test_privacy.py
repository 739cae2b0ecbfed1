"""Pseudonyms, small-cell suppression and ids in messages (utfall.privacy, utfall.options)."""

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.privacy import MARKER, pseudonym, suppress_counts, suppress_statistics

KEY = "a key the data holder keeps, long enough"


def test_pseudonyms_are_keyed_stable_and_typed():
    assert pseudonym("19121212-1212", KEY) == pseudonym("19121212-1212", KEY)
    assert pseudonym("19121212-1212", KEY) != pseudonym("19121212-1212", KEY + "!")
    assert pseudonym(1, KEY) != pseudonym("1", KEY)
    assert pseudonym(np.int64(7), KEY) == pseudonym(7, KEY)
    with pytest.raises(utfall.SpecError, match="at least 16 bytes"):
        pseudonym("x", "short")
    with pytest.raises(utfall.SpecError, match="ints or strings"):
        pseudonym(1.5, KEY)


def margins_recover(released: pd.DataFrame, original: pd.DataFrame) -> list:
    """Cells an attacker recovers exactly: a row or column with one suppressed cell and a shown total."""
    found = []
    inner = released.drop(index="Total", columns="Total")
    for axis in (0, 1):
        lines = inner if axis == 0 else inner.T
        totals = released["Total"] if axis == 0 else released.loc["Total"]
        for label, line in lines.iterrows():
            hidden = [k for k, v in line.items() if v == MARKER]
            if len(hidden) == 1 and totals[label] != MARKER:
                value = totals[label] - sum(v for v in line if v != MARKER)
                r, c = (label, hidden[0]) if axis == 0 else (hidden[0], label)
                found.append(((r, c), value, original.loc[r, c]))
    return found


def test_primary_suppression_alone_would_leak_a_cell_through_a_margin():
    t = pd.DataFrame({"HVB": [12, 3, 9], "SiS": [7, 15, 6], "foster": [20, 11, 8]}, index=["2y", "3y", "4y"])
    # Primary suppression alone: the 3 is recovered from its row total.
    primary = t.astype(object).mask(t < 5, MARKER)
    primary["Total"] = t.sum(axis=1)
    primary.loc["Total"] = list(t.sum(axis=0)) + [int(t.to_numpy().sum())]
    assert (("3y", "HVB"), 3, 3) in margins_recover(primary, t)
    released, mask, report = suppress_counts(t)
    assert margins_recover(released, t) == []
    assert released.loc["3y", "HVB"] == MARKER and int(mask.sum()) >= 4
    assert set(report.to_frame()["reason"].str.split(":").str[0]) == {"primary", "secondary"}
    # Unsuppressed cells and every total are exact.
    assert released.loc["Total", "Total"] == int(t.to_numpy().sum())


def test_small_totals_and_statistics_of_few_individuals_are_masked():
    t = pd.DataFrame({"a": [2, 0], "b": [1, 9]}, index=["x", "y"])
    released, _, _ = suppress_counts(t)
    assert released.loc["x", "Total"] == MARKER and released.loc["Total", "a"] == MARKER
    assert released.loc["y", "a"] == 0  # a zero identifies nobody
    stats = pd.DataFrame({"n": [40, 4], "mean cost (SEK)": [1.2e6, 3.4e6]}, index=["girls", "boys"])
    out, report = suppress_statistics(stats, stats["n"])
    assert out.loc["boys"].tolist() == [MARKER, MARKER] and out.loc["girls", "n"] == 40
    assert len(report) == 2
    with pytest.raises(utfall.SpecError, match="threshold"):
        suppress_counts(t, threshold=0)


def test_no_raw_id_in_messages_unless_the_data_holder_asks():
    people = pd.DataFrame({"id": ["19121212-1212", "19121212-1212"], "group": ["participant", "historical"],
                           "index_date": ["2017-01-01", "2014-01-01"]})
    eps = pd.DataFrame({"id": ["19121212-1212"], "start": ["2017-01-01"], "end": ["2017-02-01"],
                        "care_type": ["HVB"]})
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [3000.0]})
    utfall.options.show_ids = False
    with pytest.raises(utfall.DataError) as hidden:
        utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")
    assert "19121212" not in str(hidden.value) and "row 1" in str(hidden.value) and "id #" in str(hidden.value)
    assert hidden.value.id == "19121212-1212"  # the raw id stays in the process, on the exception
    utfall.options.show_ids = True
    with pytest.raises(utfall.DataError, match="19121212-1212"):
        utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")


# ---------------------------------------------------------------------- no raw id leaves the process
PNR = ["19121212-1212", "20050317-2384", "20061101-9876", "20070228-4455", "19991231-0001", "20080808-8080"]


def _register(**change):
    people = pd.DataFrame({"id": PNR, "group": ["participant", "participant", "historical", "historical",
                                                "historical", "historical"],
                           "index_date": ["2017-01-01", "2018-01-01", "2013-01-01", "2013-06-01", "2014-06-01",
                                          "2014-01-01"],
                           "sex": ["f", "m", "f", "m", "f", "m"], "age": [15.0, 16.0, 15.0, 14.0, 16.0, 15.0]})
    episodes = pd.DataFrame({"id": PNR, "start": ["2017-02-01", "2018-02-01", "2013-02-01", "2013-07-01",
                                                  "2014-07-01", "2014-02-01"],
                             "end": ["2017-03-01", "2018-03-01", "2013-03-01", "2013-08-01", "2014-08-01",
                                     "2014-03-01"], "care_type": ["HVB"] * 6})
    ledger = pd.DataFrame({"id": PNR[:2], "date": ["2017-05-01", "2018-05-01"], "amount": [100.0, 200.0]})
    tables = {"individuals": people, "episodes": episodes, "costs": ledger}
    for name, edit in change.items():
        tables[name] = edit(tables[name].copy())
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [3000.0]})
    return utfall.Cohort.from_frames(tables["individuals"], tables["episodes"], tariffs, tables["costs"],
                                     data_end="2020-12-31")


def _set(column, row, value):
    def edit(frame):
        frame.loc[row, column] = value
        return frame
    return edit


ERROR_PATHS = [
    lambda: _register(individuals=_set("id", 1, PNR[0])),  # an id twice
    lambda: _register(individuals=_set("index_date", 2, "2013-02-30")),
    lambda: _register(individuals=_set("group", 3, "neither")),
    lambda: _register(episodes=_set("end", 4, "2010-01-01")),  # ends before it starts
    lambda: _register(episodes=_set("id", 4, "20101010-1010")),  # an episode of nobody
    lambda: _register(episodes=_set("care_type", 0, "unknown care")),
    lambda: _register(costs=_set("amount", 1, np.inf)),
    lambda: _register(costs=_set("id", 0, "20101010-1010")),
    lambda: _register(episodes=lambda f: pd.concat([f, f.iloc[[0]].assign(start="2017-02-15")], ignore_index=True)),
    lambda: utfall.evaluate(_register(), {"covariates": ["age"]}, bootstrap=False, progress=False,
                            intervention_cost={PNR[0]: 1.0, "20101010-1010": 2.0}),
    lambda: utfall.evaluate(_register(), pd.DataFrame({"treated": [PNR[0], PNR[0]], "control": [PNR[2], PNR[2]]}),
                            horizons=["2y"], bootstrap=False),
    lambda: utfall.evaluate(_register(), pd.DataFrame({"treated": [PNR[0]], "control": ["20101010-1010"]}),
                            horizons=["2y"], bootstrap=False),
    lambda: utfall.evaluate(_register(individuals=_set("age", 2, np.nan)), {"covariates": ["age"]},
                            bootstrap=False, progress=False),
    lambda: utfall.evaluate(_register(individuals=_set("age", 2, np.inf)),
                            {"estimator": "model", "model": "tweedie", "covariates": ["age"]}, bootstrap=False,
                            progress=False),
    lambda: utfall.match(pd.DataFrame({"id": PNR, "t": [1, 1, 0, 0, 0, 0], "x": [0.1, np.inf, 0.3, 0.2, 0.5, 0.4]}),
                         "t", ["x"], id="id", progress=False),
    lambda: utfall.change_scores(pd.DataFrame({"id": PNR, "before": [1, 2, "x", 3, 4, 5], "after": [1, 2, 3, 4, 5, 6]})),
    lambda: utfall.change_scores(pd.DataFrame({"id": PNR[:1] * 2, "before": [1, 2], "after": [1, 2]})),
]


@pytest.mark.parametrize("call", ERROR_PATHS)
def test_no_utfall_message_holds_a_raw_id_when_show_ids_is_off(call):
    assert utfall.options.show_ids is False  # the default; tests/conftest.py leaves it for this module
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except utfall.UtfallError as err:
            message = str(err)
        else:
            message = ""
    messages = [message] + [str(w.message) for w in caught]
    assert message, "the call was meant to fail"
    for text in messages:
        for raw in PNR + ["20101010-1010"]:
            assert raw not in text and raw.split("-")[0] not in text, text


def test_a_differing_number_names_its_row_by_pseudonym():
    from evaluation_data import PAIRS, hand_cohort
    import json
    c = hand_cohort()
    ev = utfall.evaluate(c, PAIRS, horizons=["2y"], bootstrap=False, seed=1)
    data = json.loads(ev.to_json(disclosure="full"))
    data["results"]["individuals"]["columns"][-2]["values"][0] = 1.0
    with pytest.warns(utfall.DisclosureWarning), pytest.raises(utfall.ReproductionError) as err:
        utfall.reproduce(json.dumps(data), c)
    assert "'p1'" not in str(err.value) and "row 0 (id #" in str(err.value)
