"""The cohort data model: windows checked against hand-computed values, and
every kind of bad input raising a DataError that names the row."""

import numpy as np
import pandas as pd
import pytest

import utfall


def people(**extra):
    frame = pd.DataFrame({
        "id": ["p1", "h1", "h2"],
        "group": ["participant", "historical", "historical"],
        "index_date": ["2017-03-01", "2014-03-01", "2016-02-29"],
        "end_of_data": ["2019-12-31", "2015-06-30", None],
        "age": [15, 16, 14],
    })
    for k, v in extra.items():
        frame[k] = v
    return frame


def episodes():
    return pd.DataFrame({
        "id": ["p1", "p1", "h1", "h2"],
        # p1: an HVB stay that starts before the index date and crosses a tariff change,
        # then an ongoing foster-home placement; h1: SiS past the end of their data.
        "start": ["2017-02-20", "2018-01-10", "2014-12-01", "2016-02-01"],
        "end": ["2017-07-11", None, "2015-12-01", "2016-04-01"],
        "care_type": ["HVB", "foster_home", "SiS", "foster_home"],
    })


def tariffs():
    return pd.DataFrame({
        "care_type": ["HVB", "HVB", "SiS", "foster_home"],
        "valid_from": ["2010-01-01", "2017-07-01", "2010-01-01", "2010-01-01"],
        "daily_cost": [3000.0, 3500.0, 6000.0, 1000.0],
    })


def cohort(**kw):
    args = dict(tariffs=tariffs(), data_end="2020-12-31")
    args.update(kw)
    return utfall.Cohort.from_frames(people(), episodes(), **args)


def test_window_starting_before_index_running_past_horizon_with_tariff_change():
    c = cohort()
    costs = c.costs("1y").loc["p1"]
    # HVB from 2017-03-01 (index) to 2017-07-11: 122 days before the change at 3000
    # (March 31 + April 30 + May 31 + June 30) and 10 days of July at 3500.
    assert costs["care_days_HVB"] == 132
    assert costs["cost_HVB"] == 122 * 3000 + 10 * 3500
    # The foster-home placement starts 2018-01-10, inside [2017-03-01, 2018-03-01): 50 days.
    assert costs["care_days_foster_home"] == 50
    assert costs["cost_total"] == 122 * 3000 + 10 * 3500 + 50 * 1000
    assert costs["complete"]
    assert costs["days_observed"] == 365


def test_ongoing_episode_runs_to_end_of_data():
    c = cohort()
    costs = c.costs("4y").loc["p1"]
    # p1's data end 2019-12-31: the ongoing foster home runs 2018-01-10 .. 2020-01-01 = 721 days.
    assert costs["care_days_foster_home"] == 721
    assert not costs["complete"]
    assert costs["window_end"] == pd.Timestamp("2020-01-01")
    assert costs["days_observed"] == (pd.Timestamp("2020-01-01") - pd.Timestamp("2017-03-01")).days


def test_individual_whose_data_end_inside_the_window():
    c = cohort()
    row = c.costs("2y").loc["h1"]
    # h1 observed until 2015-06-30 inclusive: SiS from 2014-12-01 to 2015-07-01 = 212 days.
    assert row["care_days_SiS"] == 212
    assert row["cost_SiS"] == 212 * 6000
    assert not row["complete"]
    assert row["days_observed"] == (pd.Timestamp("2015-07-01") - pd.Timestamp("2014-03-01")).days


def test_leap_day_index_date():
    c = cohort()
    row = c.costs("1y").loc["h2"]
    # 2016-02-29 + 1 year = 2017-02-28 (end-of-month clamping): the window has 365 days.
    assert row["window_end"] == pd.Timestamp("2017-02-28")
    assert row["days_observed"] == 365
    # foster home 2016-02-29 .. 2016-04-01 = 32 days.
    assert row["care_days_foster_home"] == 32
    assert c.costs("730d").loc["h2", "window_end"] == pd.Timestamp("2016-02-29") + pd.Timedelta(days=730)
    assert c.costs(730).loc["h2", "days_observed"] == 730


def test_price_index_rebases_to_base_year():
    index = pd.DataFrame({"year": range(2010, 2021), "index": [100.0] * 7 + [110.0, 120.0, 125.0, 125.0]})
    c = cohort(price_index=index, base_year=2019)
    row = c.costs("1y").loc["p1"]
    # 2017 costs are multiplied by I(2019)/I(2017) = 125/110; 2018 costs by 125/120.
    expected = (122 * 3000 + 10 * 3500) * 125 / 110 + 50 * 1000 * 125 / 120
    assert row["cost_total"] == pytest.approx(expected, rel=1e-12)


def test_ledger_costs_in_window_and_base_year_prices():
    ledger = pd.DataFrame({"id": ["p1", "p1", "h1"], "date": ["2017-05-01", "2018-05-01", "2014-04-01"],
                           "amount": [1000.0, 2000.0, 500.0], "category": ["outpatient"] * 3})
    c = cohort(costs=ledger, price_index={y: 100.0 + (y - 2010) for y in range(2010, 2021)})
    row = c.costs("1y").loc["p1"]
    assert row["ledger_outpatient"] == pytest.approx(1000.0 * 110 / 107)
    assert row["cost_total"] == pytest.approx(((122 * 3000 + 10 * 3500) + 1000.0) * 110 / 107 + 50 * 1000 * 110 / 108)


def test_care_days_over_a_calendar_window_and_care_type_subset():
    c = cohort()
    days = c.care_days(window=("2016-01-01", "2017-01-01"), care_types=["foster_home"])
    assert days.loc["h2", "care_days_total"] == 29 + 31  # 2016-02-01 .. 2016-04-01
    assert "care_days_SiS" not in days.columns
    with pytest.raises(ValueError, match="unknown care type"):
        c.care_days("1y", care_types=["prison"])


def test_history_is_measured_before_each_own_index_date():
    c = cohort()
    h = c.history("1y")
    # p1: HVB from 2017-02-20 to the index 2017-03-01 = 9 days, one placement started.
    assert h.loc["p1", "prior_care_days_HVB"] == 9
    assert h.loc["p1", "prior_placements"] == 1
    assert h.loc["h2", "prior_care_days_foster_home"] == 28  # 2016-02-01 .. 2016-02-29
    assert h.loc["h1", "prior_placements"] == 0


def test_trajectories_by_month_since_index():
    c = cohort()
    t = c.trajectories(3)
    assert t.loc["p1", 1] == 31 * 3000  # March 2017
    assert t.loc["h1"].sum() == 0
    assert t.shape == (3, 3)
    short = c.trajectories(20).loc["h1"]
    assert short.iloc[:16].notna().all() and short.iloc[16:].isna().all()  # h1's data end 2015-06-30


def test_columns_mapping_and_polars_input():
    pl = pytest.importorskip("polars")
    ind = people().rename(columns={"id": "lopnr", "index_date": "inkl"})
    eps = episodes().rename(columns={"id": "lopnr", "start": "from"})
    c = utfall.Cohort.from_frames(pl.from_pandas(ind), pl.from_pandas(eps), tariffs(), data_end="2020-12-31",
                                  columns={"id": "lopnr", "individuals": {"index_date": "inkl"},
                                           "episodes": {"start": "from"}})
    assert c.costs("1y").loc["p1", "care_days_HVB"] == 132
    assert "age" in c.individuals.columns


def test_fingerprints_change_with_the_data():
    a = cohort().fingerprints()
    changed = tariffs()
    changed.loc[0, "daily_cost"] = 3001.0
    b = cohort(tariffs=changed).fingerprints()
    assert a["individuals"] == b["individuals"] and a["tariffs"] != b["tariffs"]


# ---------------------------------------------------------------- bad input

def assert_names_row(exc, table, row, ident=None):
    err = exc.value
    assert isinstance(err, ValueError) and isinstance(err, utfall.DataError)
    assert err.table == table and err.row == row
    assert f"row {row}" in str(err) and table in str(err)
    if ident is not None:
        assert repr(ident) in str(err)


def test_missing_column():
    with pytest.raises(utfall.DataError, match="'care_type'") as exc:
        utfall.Cohort.from_frames(people(), episodes().drop(columns="care_type"), tariffs(), data_end="2020-12-31")
    assert exc.value.table == "episodes"


def test_duplicate_individual_id():
    ind = people()
    ind.loc[2, "id"] = "h1"
    with pytest.raises(utfall.DataError, match="appears twice") as exc:
        utfall.Cohort.from_frames(ind, episodes(), tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "individuals", 2, "h1")


def test_episode_ending_before_it_starts():
    eps = episodes()
    eps.loc[3, "end"] = "2016-01-01"
    with pytest.raises(utfall.DataError, match="ends before it starts") as exc:
        utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "episodes", 3, "h2")


def test_episode_for_unknown_id():
    eps = episodes()
    eps.loc[1, "id"] = "x9"
    with pytest.raises(utfall.DataError, match="not in the individuals table") as exc:
        utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "episodes", 1, "x9")


def test_unknown_care_type_without_tariff():
    eps = episodes()
    eps.loc[2, "care_type"] = "jourhem"
    with pytest.raises(utfall.DataError, match="has no tariff") as exc:
        utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "episodes", 2, "h1")


def test_day_of_care_before_the_first_tariff():
    tar = tariffs()
    tar.loc[2, "valid_from"] = "2015-01-01"
    with pytest.raises(utfall.DataError, match="no tariff") as exc:
        utfall.Cohort.from_frames(people(), episodes(), tar, data_end="2020-12-31")
    assert_names_row(exc, "episodes", 2, "h1")


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_negative_or_nan_tariff(bad):
    tar = tariffs()
    tar.loc[1, "daily_cost"] = bad
    with pytest.raises(utfall.DataError, match="daily_cost") as exc:
        utfall.Cohort.from_frames(people(), episodes(), tar, data_end="2020-12-31")
    assert_names_row(exc, "tariffs", 1)


@pytest.mark.parametrize("bad", [-5.0, float("nan")])
def test_negative_or_nan_cost(bad):
    ledger = pd.DataFrame({"id": ["p1", "h2"], "date": ["2017-05-01", "2016-05-01"], "amount": [10.0, bad]})
    with pytest.raises(utfall.DataError, match="amount") as exc:
        cohort(costs=ledger)
    assert_names_row(exc, "costs", 1, "h2")


def test_index_date_after_end_of_data():
    ind = people()
    ind.loc[1, "index_date"] = "2015-07-01"
    with pytest.raises(utfall.DataError, match="after the end of data") as exc:
        utfall.Cohort.from_frames(ind, episodes(), tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "individuals", 1, "h1")


def test_unparseable_date():
    eps = episodes()
    eps.loc[2, "start"] = "the first of May"
    with pytest.raises(utfall.DataError, match="as a date") as exc:
        utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "episodes", 2, "h1")


def test_overlapping_episodes_error_by_default_and_allowed_on_request():
    eps = pd.concat([episodes(), pd.DataFrame({"id": ["p1"], "start": ["2017-06-01"], "end": ["2017-06-11"],
                                                 "care_type": ["SiS"]})], ignore_index=True)
    with pytest.raises(utfall.DataError, match="overlaps") as exc:
        utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "episodes", 4, "p1")
    c = utfall.Cohort.from_frames(people(), eps, tariffs(), data_end="2020-12-31", allow_overlaps=True)
    assert c.costs("1y").loc["p1", "care_days_total"] == 132 + 50 + 10


def test_unknown_group_and_missing_end_of_data():
    ind = people()
    ind.loc[0, "group"] = "pilot"
    with pytest.raises(utfall.DataError, match="neither") as exc:
        utfall.Cohort.from_frames(ind, episodes(), tariffs(), data_end="2020-12-31")
    assert_names_row(exc, "individuals", 0, "p1")
    with pytest.raises(utfall.DataError, match="end of data is unknown") as exc:
        utfall.Cohort.from_frames(people(), episodes(), tariffs())
    assert_names_row(exc, "individuals", 2, "h2")


def test_price_index_missing_a_year():
    with pytest.raises(utfall.DataError, match="not in the price index"):
        cohort(price_index={2016: 100.0, 2017: 101.0, 2018: 102.0, 2019: 103.0, 2020: 104.0})


def test_bad_horizon():
    with pytest.raises(utfall.SpecError, match="horizon"):
        cohort().costs("two years")


def test_reversed_windows_and_impossible_horizons_raise():
    c = cohort()
    with pytest.raises(utfall.DataError, match="ends before it starts") as exc:
        c.care_days(window=("2017-01-01", "2016-01-01"))
    assert exc.value.table == "window"
    with pytest.raises(utfall.DataError, match="ends before it starts") as exc:
        c.costs_over([0, 1], np.array(["2017-01-01", "2017-01-01"], dtype="datetime64[D]"),
                     np.array(["2018-01-01", "2016-12-31"], dtype="datetime64[D]"))
    assert exc.value.row == 1
    with pytest.raises(utfall.DataError, match="not a date"):
        c.costs_over([0], np.array([2**40]), np.array([2**40 + 1]))
    with pytest.raises(utfall.SpecError, match="longer than"):
        c.costs("357913942y")


def test_price_index_with_far_apart_years_is_a_data_error():
    with pytest.raises(utfall.DataError, match="the year 2000000000 is not a whole year between 1 and 9999"):
        cohort(price_index={1: 100.0, 2_000_000_000: 101.0})
    with pytest.raises(utfall.DataError, match="one row per year"):
        cohort(price_index={1: 100.0, 9999: 101.0})
