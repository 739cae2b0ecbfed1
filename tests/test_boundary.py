"""The Python boundary: one rule for dates, nothing dropped silently, the whole record verified, utfall errors only."""

import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort
from utfall.evaluation._schema import declare  # re-declares what an edited record holds

STRATA = {"estimator": "stratum", "exact": ["sex"]}
TARIFFS = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [100.0]})


def people(**columns):
    base = {"id": ["a", "b"], "group": ["participant", "historical"], "index_date": ["2017-01-01", "2014-01-01"]}
    return pd.DataFrame({**base, **columns})


def episodes(start=("2017-01-01", "2014-01-01"), end=("2017-01-11", "2014-01-21"), **columns):
    return pd.DataFrame({"id": ["a", "b"], "start": list(start), "end": list(end), "care_type": "HVB", **columns})


def build(individuals=None, eps=None, **kwargs):
    kwargs.setdefault("data_end", "2019-12-31")
    return utfall.Cohort.from_frames(people() if individuals is None else individuals,
                                     episodes() if eps is None else eps, TARIFFS, **kwargs)


# ---------------------------------------------------------------------- dates
@pytest.mark.parametrize("end", [np.array(["2597-01-01", "2014-01-21"], dtype="datetime64[D]"),
                                 ["2597-01-01", "2014-01-21"], [dt.date(2597, 1, 1), "2014-01-21"]])
def test_dates_past_pandas_nanosecond_range_are_exact(end):
    c = build(eps=episodes(end=end))
    assert c.episodes["end"].iloc[0] == pd.Timestamp("2597-01-01")  # not 2013 (a 584-year wrap)
    assert c.costs("1y").loc["a", "care_days_total"] == 365.0  # clipped at the window, not at a wrapped end


def test_dates_outside_years_1_to_9999_name_the_row():
    end = np.array(["10000-01-01", "2014-01-21"], dtype="datetime64[s]")
    with pytest.raises(utfall.DataError, match=r"table 'episodes', column 'end', row 0 \(id 'a'\): .*outside the years "
                                               r"1 to 9999") as err:
        build(eps=episodes(end=end))
    assert (err.value.table, err.value.column, err.value.row, err.value.id) == ("episodes", "end", 0, "a")
    with pytest.raises(utfall.DataError, match=r"row 1 \(id 'b'\): .*outside the years 1 to 9999"):
        build(people(index_date=np.array(["2017-01-01", "-0001-01-01"], dtype="datetime64[D]")))


def test_the_open_end_marker_means_no_end():
    c = build(eps=episodes(end=["9999-12-31", "2014-01-21"]))
    assert pd.isna(c.episodes["end"].iloc[0])  # ongoing: runs to the end of data
    assert c.costs("1y").loc["a", "care_days_total"] == 365.0
    # An individual's end of data of 9999-12-31 ("not moved away") is the extract date.
    c = build(people(end_of_data=["9999-12-31", "2016-06-30"]))
    assert c.individuals["end_of_data"].tolist() == [pd.Timestamp("2019-12-31"), pd.Timestamp("2016-06-30")]
    with pytest.raises(utfall.DataError, match="data_end 9999-12-31 is the open-end marker"):
        build(people(end_of_data=["9999-12-31", "2016-06-30"]), data_end="9999-12-31")
    with pytest.raises(utfall.DataError, match=r"column 'end_of_data', row 0 \(id 'a'\): the end of data is unknown "
                                               r"\(missing, or the open-end marker 9999-12-31\)"):
        build(people(end_of_data=["9999-12-31", "2016-06-30"]), data_end=None)


def test_timezone_aware_dates_are_the_calendar_date_in_their_own_zone():
    stockholm = pd.Series(pd.to_datetime(["2017-01-01 00:00", "2014-01-01 00:30"]).tz_localize("Europe/Stockholm"))
    c = build(people(index_date=stockholm), episodes(start=stockholm))
    expected = [pd.Timestamp("2017-01-01"), pd.Timestamp("2014-01-01")]  # not the UTC dates 2016-12-31, 2013-12-31
    assert c.individuals["index_date"].tolist() == expected
    assert c.episodes["start"].tolist() == expected
    tokyo = dt.timezone(dt.timedelta(hours=9))
    mixed = [pd.Timestamp("2017-01-01 00:00", tz="Europe/Stockholm"), dt.datetime(2014, 1, 1, 0, 30, tzinfo=tokyo)]
    assert build(people(index_date=mixed)).individuals["index_date"].tolist() == expected
    assert build(people(index_date=["2017-01-01T00:00:00+01:00", "2014-01-01T00:30+09:00"])).individuals[
        "index_date"].tolist() == expected


@pytest.mark.parametrize("start", [["01/02/2017", "13/02/2014"], ["17-01-01", "2014-01-01"],
                                   ["2017-01-01", "2014-1-1"], ["2017-01-01", "1 Jan 2014"]])
def test_a_string_not_in_the_column_format_is_an_error_never_a_guess(start):
    row = 0 if not start[0].startswith("2017") else 1
    with pytest.raises(utfall.DataError, match=rf"table 'episodes', column 'start', row {row} .*cannot read "
                                               rf"'{start[row]}' as a date in ISO 8601") as err:
        build(eps=episodes(start=start, end=["2017-03-01", "2014-03-01"]))
    assert "date_format={'episodes': {'start': '%d/%m/%Y'}}" in str(err.value)


def test_date_format_per_table_and_per_column():
    eps = episodes(start=["01/02/2017", "13/02/2014"], end=["11.02.2017", "23.02.2014"])
    c = build(eps=eps, date_format={"episodes": {"start": "%d/%m/%Y", "end": "%d.%m.%Y"}})
    assert c.episodes["start"].tolist() == [pd.Timestamp("2017-02-01"), pd.Timestamp("2014-02-13")]
    assert c.episodes["end"].tolist() == [pd.Timestamp("2017-02-11"), pd.Timestamp("2014-02-23")]
    c = build(people(index_date=["20170101", "20140101"]), date_format={"individuals": "%Y%m%d"})
    assert c.individuals["index_date"].iloc[0] == pd.Timestamp("2017-01-01")
    # One format for the whole column: an ISO value among day-first ones is named, not guessed.
    with pytest.raises(utfall.DataError,
                       match=r"column 'start', row 1 .*'2014-02-13' as a date in the format '%d/%m/%Y'"):
        build(eps=episodes(start=["01/02/2017", "2014-02-13"], end=["2017-03-01", "2014-03-01"]),
              date_format={"episodes": {"start": "%d/%m/%Y"}})
    with pytest.raises(utfall.SpecError, match="date_format"):
        build(date_format=5)


def test_numbers_are_not_dates_and_date_arguments_use_the_same_rule():
    with pytest.raises(utfall.DataError, match=r"column 'index_date', row 0 .*is a number, not a date"):
        build(people(index_date=[17000, 16000]))
    c = build(data_end=dt.date(2019, 12, 31))
    assert c.individuals["end_of_data"].iloc[0] == pd.Timestamp("2019-12-31")
    with pytest.raises(utfall.DataError, match="table 'arguments', column 'data_end'.*cannot read '31/12/2019'"):
        build(data_end="31/12/2019")
    assert build(data_end="31/12/2019", date_format={"arguments": {"data_end": "%d/%m/%Y"}}).individuals[
        "end_of_data"].iloc[0] == pd.Timestamp("2019-12-31")
    with pytest.raises(utfall.DataError, match="column 'window start'"):
        c.care_days(window=("2017-13-01", "2018-01-01"))


# ---------------------------------------------------------------------- ids
def test_int_and_str_ids_in_one_table_are_an_error():
    with pytest.raises(utfall.DataError, match=r"table 'individuals', column 'id', row 1 \(id '1'\): this id is a "
                                               r"text, but the id in row 0 \(id 1\) is a number"):
        build(people(id=[1, "1"]), episodes().assign(id=[1, "1"]))
    with pytest.raises(utfall.DataError, match=r"table 'episodes', column 'id', row 1 \(id '2'\): .*it is a text; the "
                                               r"individuals' ids are numbers"):
        build(people(id=[1, 2]), episodes().assign(id=[1, "2"]))


# ---------------------------------------------------------------------- nothing dropped silently
def test_rows_after_the_end_of_data_are_reported_and_warned_about_once():
    ledger = pd.DataFrame({"id": ["a", "b"], "date": ["2018-01-01", "2021-01-01"], "amount": [5.0, 7.0]})
    eps = episodes(start=["2017-01-01", "2020-01-01"], end=["2017-01-11", "2020-01-11"])
    with pytest.warns(utfall.UtfallWarning, match="1 episode and 1 ledger row dated after their individual's end of "
                                                  "data are not counted") as caught:
        c = utfall.Cohort.from_frames(people(), eps, TARIFFS, ledger, data_end="2019-12-31")
    assert sum(issubclass(w.category, utfall.UtfallWarning) for w in caught) == 1
    assert c.outside_observation[["table", "row", "id"]].values.tolist() == [["episodes", 1, "b"], ["costs", 1, "b"]]
    assert "1 episode and 1 ledger row dated after their individual's end of data are not counted" in repr(c)
    with warnings.catch_warnings():
        warnings.simplefilter("error", utfall.UtfallWarning)
        c.subset([True, True])  # derived cohorts do not warn again
    ev = utfall.evaluate(c, pd.DataFrame({"treated": ["a"], "control": ["b"]}), horizons=["1y"], bootstrap=False,
                         seed=1)
    assert ev.not_counted["outside_observation"] == {"costs": 1, "episodes": 1}
    assert (json.loads(ev.to_json(disclosure="full"))["not_counted"]["outside_observation"]
            == {"costs": 1, "episodes": 1})
    assert "1 episode and 1 ledger row after the end of data not counted" in repr(ev)


def test_an_evaluation_with_nobody_included_is_nan_with_a_status_and_a_warning():
    c = hand_cohort()
    with pytest.warns(utfall.UtfallWarning, match="10y: no participants included; 10y: 2 participants without "
                                                  "comparison"):
        ev = utfall.evaluate(c, {"covariates": ["sex"]}, horizons=["2y", "10y"], bootstrap=False, seed=3,
                             progress=False)
    row = ev.summary(readable=False).loc["10y"]
    assert row["status"] == "no participants included" and row["n_included"] == 0
    assert np.isnan(row[["expected_total", "actual_total", "savings_total"]].astype(float)).all()
    assert ev.trajectory("10y")["savings"].isna().all()
    assert "10y: expected n/a SEK, actual n/a SEK, savings n/a SEK; no participants included" in repr(ev)
    assert (json.loads(ev.to_json(disclosure="full"))["not_counted"]["horizons"]["10y"]["without_comparison"]
            == ["p1", "p2"])
    assert utfall.reproduce(ev.to_json(disclosure="full"), c) == ev


def test_participants_left_out_and_a_ratio_not_filled_are_reported():
    c = hand_cohort()
    with pytest.warns(utfall.UtfallWarning, match="2y: 1 participant left out with incomplete follow-up"):
        ev = utfall.evaluate(c, PAIRS, horizons=["2y"], bootstrap=False, seed=1, partial="complete")
    assert ev.not_counted["horizons"]["2y"]["left_out_incomplete"] == ["p2"]
    with pytest.warns(utfall.UtfallWarning,
                      match="2y: 2 participants with fewer comparison individuals than the ratio"):
        ev = utfall.evaluate(c, {"covariates": ["sex"], "ratio": 3}, horizons=["2y"], bootstrap=False, seed=1,
                             progress=False)
    assert ev.not_counted["horizons"]["2y"]["ratio_not_filled"] == ["p1", "p2"]
    assert "fewer comparison individuals than the ratio: id 'p1', id 'p2'" in repr(ev)


# ---------------------------------------------------------------------- the record
def test_an_edited_record_seed_is_caught():
    c = hand_cohort()
    ev = utfall.evaluate(c, STRATA, horizons=["2y"], bootstrap=False, seed=3)
    data = json.loads(ev.to_json(disclosure="full"))
    data["seed"] = 4
    with pytest.raises(utfall.ReproductionError,
                       match="the record's seed 4 differs from the seed of its specification 3"):
        utfall.reproduce(json.dumps(data), c)
    data = json.loads(ev.to_json(disclosure="full"))
    data["specification"]["bootstrap"] = {"n_resamples": 2.5}
    with pytest.raises(utfall.RecordError, match="declares 459 values, the record holds more \\(460\\)"):
        utfall.reproduce(json.dumps(data), c)  # an edit that adds to the record is refused before use...
    with pytest.raises(utfall.ReproductionError, match="specification is not valid: bootstrap: n_resamples"):
        utfall.reproduce(json.dumps(declare(data)), c)  # ...and so is one that declares what it adds
    data = json.loads(ev.to_json(disclosure="full"))
    data["not_counted"]["horizons"]["2y"]["without_comparison"] = ["p1"]
    with pytest.raises(utfall.ReproductionError, match="what was not counted differs"):
        utfall.reproduce(json.dumps(declare(data)), c)


@pytest.mark.parametrize("text, problem", [
    ("{", "not JSON"), ("[1]", "must be a JSON object"), ('{"format": "x"}', "not an utfall evaluation record"),
    ('{"format": "utfall.evaluation/2"}', "field 'utfall_version' is missing"),
])
def test_malformed_records_are_reproduction_errors(text, problem):
    with pytest.raises(utfall.ReproductionError, match=problem):
        utfall.reproduce(text, hand_cohort())
    with pytest.raises(utfall.ReproductionError, match=problem):
        utfall.load_evaluation(text)


def test_reproduce_tells_row_order_from_content():
    c = hand_cohort()
    ev = utfall.evaluate(c, STRATA, horizons=["2y", "3y"], bootstrap=False, seed=3)
    reordered = utfall.Cohort.from_frames(c.individuals, c.episodes.iloc[::-1], c.tariffs, c.costs_ledger,
                                          c.price_index, base_year=c.base_year)
    with pytest.warns(utfall.UtfallWarning, match="the table\\(s\\) 'episodes' hold the rows of the recorded "
                                                  "evaluation in another order \\(same content\\)"):
        assert utfall.reproduce(ev.to_json(disclosure="full"), reordered) == ev
    changed = utfall.Cohort.from_frames(c.individuals, c.episodes.iloc[::-1], c.tariffs.assign(daily_cost=1.0),
                                        c.costs_ledger, c.price_index, base_year=c.base_year)
    with pytest.raises(utfall.ReproductionError, match="in table\\(s\\) 'tariffs' .*table\\(s\\) 'episodes' hold the "
                                                       "same rows in another order"):
        utfall.reproduce(ev.to_json(disclosure="full"), changed)


# ---------------------------------------------------------------------- errors at the boundary
@pytest.mark.parametrize("kwargs, error, message", [
    ({"bootstrap": {"n_resamples": 2.5}}, utfall.SpecError, "n_resamples must be a whole number"),
    ({"bootstrap": {"confidence_level": "a"}}, utfall.SpecError, "confidence_level must be a number"),
    ({"horizons": None}, utfall.SpecError, "horizons: give one or more horizons"),
    ({"care_types": 3}, utfall.SpecError, "care_types must be a care type"),
    ({"intervention_cost": "x"}, utfall.SpecError, "intervention_cost must be a non-negative number"),
    ({"intervention_cost": {"p1": 1.0, "p2": 2.0, "zz": 3.0}}, utfall.SpecError, "not participants of the cohort: "
                                                                                   "id 'zz'"),
    ({"matching": {"covariatez": ["sex"]}}, utfall.SpecError, "unknown argument\\(s\\) \\['covariatez'\\]"),
    ({"matching": pd.DataFrame({"treated": ["p1", "p1"], "control": ["h1", "h1"]})}, utfall.DataError,
     "table 'pairs', column 'control', row 1 \\(id 'p1'\\): the pair \\(id 'p1', id 'h1'\\) appears twice"),
])
def test_wrong_arguments_are_named_utfall_errors(kwargs, error, message):
    args = {"matching": PAIRS, "horizons": ["2y"], "bootstrap": False, "seed": 1, **kwargs}
    with pytest.raises(error, match=message):
        utfall.evaluate(hand_cohort(), **args)


def test_wrong_cohort_arguments_are_named_utfall_errors():
    with pytest.raises(utfall.SpecError, match="base_year must be a whole number between 1 and 9999, not 2017.5"):
        build(price_index={2017: 1.0}, base_year=2017.5)
    with pytest.raises(utfall.SpecError, match="months must be a whole number"):
        build().trajectories(2.5)
    with pytest.raises(utfall.SpecError, match="a horizon is"):
        build().costs(2.5)
    with pytest.raises(utfall.SpecError, match="cohort must be a utfall.Cohort"):
        utfall.evaluate("x", PAIRS, bootstrap=False)


def test_matching_messages_do_not_mislead():
    rng = np.random.default_rng(1)
    n = 40
    d = pd.DataFrame({"id": range(n), "t": [1] * 10 + [0] * 30, "x": rng.normal(size=n),
                      "g": pd.Categorical(rng.choice(["a", "b"], n), categories=["a", "b", "c"])})
    assert utfall.match(d, "t", ["x", "g"], progress=False).counts.loc["treated", "matched"] == 10  # unused level 'c'
    with pytest.raises(utfall.DataError,
                       match=r"table 'data', column 'x', row 3 \(id 3\): is inf, not a finite number"):
        utfall.match(d.assign(x=np.where(np.arange(n) == 3, np.inf, d["x"])), "t", ["x"], progress=False)
    with pytest.raises(utfall.ComputationError, match="has 10 treated and 0 control units: no control unit"):
        utfall.match(d[d["t"] == 1], "t", ["x"], progress=False)
    with pytest.warns(utfall.UtfallWarning, match="the pool cannot fill ratio=4: 10 matched treated unit"):
        utfall.match(d, "t", ["x"], ratio=4, progress=False)
    with pytest.raises(utfall.DataError, match=r"table 'data', column 'id', row 1 \(id '1'\)"):
        utfall.match(d.assign(id=[0, "1"] + list(range(2, n))), "t", ["x"], id="id", progress=False)
