"""Pseudonyms, small-cell suppression and ids in messages (utfall.privacy, utfall.options)."""

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.privacy import MARKER, SECONDARY, pseudonym, suppress_counts, suppress_statistics

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


def test_the_marker_names_the_threshold_in_use():
    # A count of 7 suppressed at 10 must not show as "<5": a reader would take it for 1-4.
    t = pd.DataFrame({"a": [7, 30], "b": [25, 40]}, index=["x", "y"])
    released, _, _ = suppress_counts(t, threshold=10)
    assert released.loc["x", "a"] == "<10" and MARKER == utfall.privacy.marker() == "<5"
    stats = pd.DataFrame({"n": [40, 7], "mean cost (SEK)": [1.2e6, 3.4e6]}, index=["girls", "boys"])
    out, _ = suppress_statistics(stats, stats["n"], threshold=10)
    assert out.loc["boys"].tolist() == ["<10", "<10"]


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
    lambda: utfall.change_scores(pd.DataFrame({"id": PNR, "before": [1, 2, "x", 3, 4, 5],
                                               "after": [1, 2, 3, 4, 5, 6]})),
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


# ---------------------------------------------------------------------- released tables, hand-made
def test_two_small_cells_of_a_row_are_not_given_away_by_their_sum():
    t = pd.DataFrame({"HVB": [1, 10], "SiS": [2, 12], "foster": [30, 9]}, index=["girls", "boys"])
    # Primary suppression (and the old rule "no lone suppressed cell") leaves a row with 1 + 2 = 3 hidden,
    # recovered as 33 - 30 from the row's total: a cell of 3 children who were in HVB or SiS.
    released, mask, report = suppress_counts(t)
    row = released.loc["girls"]
    hidden = [k for k in ("HVB", "SiS", "foster") if row[k] == MARKER]
    assert row["Total"] == 33 and sum(t.loc["girls", hidden]) >= 5 and margins_recover(released, t) == []
    for c in t.columns:  # no column gives its hidden cells' sum below 5 either
        column = released[c].drop("Total")
        hidden = [r for r, v in column.items() if v == MARKER]
        assert not hidden or released.loc["Total", c] == MARKER or t.loc[hidden, c].sum() >= 5


def test_change_score_counts_are_not_recovered_from_the_measurable_margin():
    # 4 without data: primary alone would show "n measurable" 50 and "n determined" 46, giving 4 away.
    rows = ([(1, 2, None)] * 17 + [(1, 1, None)] * 22 + [(2, 1, None)] * 7 + [(1, None, "moved")] * 4
            + [(None, None, "not yet measurable")] * 10)
    d = pd.DataFrame(rows, columns=["before", "after", "why"]).assign(id=range(60))
    result = utfall.change_scores(d, reason="why", seed=1, n_resamples=999)
    exact = result.summary().loc["score"]
    assert (exact["n no data"], exact["n determined"], exact["n measurable"]) == (4, 46, 50)
    table, report = utfall.privacy.release(result)
    r = table.loc["score"]
    assert r["n no data"] == MARKER
    shown = {k: r[k] for k in ("n", "n measurable", "n determined", "n negative", "n neutral", "n positive",
                               "n no data", "n not yet measurable") if not isinstance(r[k], str)}
    # Whatever is shown, no difference of two shown counts, nor of a sum and its shown parts, is 1 to 4.
    sums = {"n": ["n determined", "n no data", "n not yet measurable"], "n measurable": ["n determined", "n no data"],
            "n determined": ["n negative", "n neutral", "n positive"]}
    for total, parts in sums.items():
        if total in shown:
            missing = [p for p in parts if p not in shown]
            if len(missing) == 1:
                assert not 0 < shown[total] - sum(shown[p] for p in parts if p in shown) < 5, (total, missing)
    assert {"primary", "secondary"} <= set(report.to_frame()["reason"].str.split(":").str[0])


def test_balance_by_level_hides_a_small_level_and_the_level_that_would_give_it_away():
    rng = np.random.default_rng(3)
    g = np.array(["a"] * 2 + ["b"] * 4 + ["c"] * 14 + list(rng.choice(["a", "b", "c"], 60)))
    d = pd.DataFrame({"id": range(80), "t": [1] * 20 + [0] * 60, "x": rng.normal(size=80), "g": g})
    m = utfall.match(d, "t", ["x", "g"], progress=False)
    exact = m.balance()
    table, report = m.released()
    assert exact.loc["ga", ("all", "Means Treated")] == 0.1  # 2 of 20 treated
    assert table.loc["ga", ("all", "Means Treated")] == MARKER and table.loc["gb", ("all", "Means Treated")] == MARKER
    # The levels' shares add up to one: with ga and gb hidden, gc alone does not give either away.
    assert table.loc["x", ("all", "Means Treated")] == exact.loc["x", ("all", "Means Treated")]
    assert len(report) >= 2


def test_the_evaluation_summary_released_keeps_its_margins_shut():
    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    ev = utfall.evaluate(c, {"covariates": ["age", "prior_cost_total"]}, horizons=["3y"], bootstrap=False, seed=4,
                         progress=False)
    exact = ev.summary(readable=False).loc["3y"]
    assert (exact["n_participants"], exact["n_complete"]) == (40, 38)  # 2 incomplete
    table, report = utfall.privacy.release(ev)
    row = table.loc["3y"]
    assert row["status"] == "preliminary" and row["n_complete"] == SECONDARY and row["n_participants"] == 40
    assert row["savings_total"] == exact["savings_total"]  # 40 included: the statistics are shown
    small, _ = utfall.privacy.release(ev, threshold=41)
    # The marker says the threshold the table was suppressed at: 40 is "<41", never "<5".
    assert small.loc["3y", "savings_total"] == "<41" and small.loc["3y", "n_included"] == "<41"


def test_concentration_by_group_hides_small_groups_and_top_shares_of_few():
    values = np.arange(1.0, 31.0)
    c = utfall.concentration(values, by=["big"] * 26 + ["small"] * 4, n_resamples=0)
    table, report = c.released()
    assert (table.loc["small"]["estimate"] == MARKER).all()
    assert table.loc[("big", "top 20% share"), "estimate"] == c.measures.loc[("big", "top 20% share"), "estimate"]
    assert table.loc[("big", "gini"), "estimate"] == c.measures.loc[("big", "gini"), "estimate"]
    assert len(report) == len(table.loc["small"])
