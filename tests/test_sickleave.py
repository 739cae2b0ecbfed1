"""utfall.sickleave: hand-computed Se/Sn, risk groups, bad input, calibration of the synthetic register."""

import json

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.sickleave import Register, ValueOfADay, evaluate

REF = ("2016-01-01", "2016-03-31")
OBS = ("2017-01-01", "2017-03-31")


def small(trend=None):
    """Three employees; hand-computed below.

    - e1: employed throughout; 2016-01-25..2016-02-12 at 50 % (days 1-14: 7 in Jan, 7 in Feb,
      at 0.5 -> 3.5 + 3.5; days 15-19 are long-term); 2017-02-27..2017-03-02 at 100 % (2 + 2 days).
    - e2: joins on 2016-02-15 (pro rata 15/29 of February); 2016-02-27..2016-02-29 (3 days);
      nothing in the observation period.
    - e3: employed throughout; 2016-03-01..2016-03-20 at 100 % (days 1-14 = 14 in March).
    """
    employees = pd.DataFrame({"anst": ["e1", "e2", "e3"], "salary": [30000.0, 30000.0, 30000.0],
                              "municipality": ["A", "A", "B"]})
    spells = pd.DataFrame({"anst": ["e1", "e2", "e3", "e1"],
                           "from": ["2016-01-25", "2016-02-27", "2016-03-01", "2017-02-27"],
                           "to": ["2016-02-12", "2016-02-29", "2016-03-20", "2017-03-02"],
                           "omf": [50, 100, 100, 100]})
    employment = pd.DataFrame({"anst": ["e1", "e2", "e3"], "first_day": ["2010-01-01", "2016-02-15", "2010-01-01"],
                               "last_day": [None, None, None]})
    columns = {"id": "anst", "spells": {"first_day": "from", "last_day": "to", "extent": "omf"}}
    return Register.from_frames(employees, spells, employment, trend, columns=columns, data_end="2017-12-31",
                                extent_percent=True)


def hand_rates():
    ref = [3.5 / 2, (3.5 + 3.0) / (2 + 15 / 29), 14.0 / 3]
    obs = [0.0, 2.0 / 3, 2.0 / 3]
    return ref, obs


def test_net_days_by_month():
    reg = small()
    short = reg.short_term_days("2016-01", "2016-03")
    assert short.loc["e1"].tolist() == [3.5, 3.5, 0.0]
    assert short.loc["e2"].tolist() == [0.0, 3.0, 0.0]
    assert short.loc["e3"].tolist() == [0.0, 0.0, 14.0]
    assert reg.long_term_days("2016-01", "2016-03").loc["e3"].tolist() == [0.0, 0.0, 6.0]
    assert reg.long_term_days("2016-01", "2016-03").loc["e1"].tolist() == [0.0, 2.5, 0.0]
    assert reg.employed("2016-02", "2016-02").loc["e2"].iloc[0] == pytest.approx(15 / 29)
    assert reg.spell_counts("2016-01", "2016-12").to_numpy().sum() == 3


def test_se_sn_flat_trend_is_the_reference_mean():
    ref, obs = hand_rates()
    ev = evaluate(small(), REF, OBS, value_of_a_day=1000.0, seed=1, bootstrap=0)
    r = ev.table.loc["all"]
    assert r["se"] == pytest.approx(np.mean(ref), abs=1e-12)
    assert r["sn"] == pytest.approx(np.mean(obs), abs=1e-12)
    assert r["employee_months"] == 9.0
    assert r["saving"] == pytest.approx((np.mean(ref) - np.mean(obs)) * 1000.0 * 9.0)
    assert r["percent"] == pytest.approx(1 - np.mean(obs) / np.mean(ref))


def test_a_doubling_trend_doubles_se():
    months = pd.period_range("2016-01", "2017-12", freq="M")
    factor = np.where(months.year == 2017, 2.0, 1.0)
    trend = pd.DataFrame({"month": months.astype(str), "factor": factor})
    ref, _ = hand_rates()
    flat = evaluate(small(), REF, OBS, value_of_a_day=1000.0, bootstrap=0, seed=1).table.loc["all", "se"]
    doubled = evaluate(small(trend), REF, OBS, value_of_a_day=1000.0, bootstrap=0, seed=1).table.loc["all", "se"]
    assert doubled == pytest.approx(2 * flat, abs=1e-12)
    # Month by month: the ratio applies to the matching reference month.
    trend.loc[trend["month"] == "2017-02", "factor"] = 3.0
    ev = evaluate(small(trend), REF, OBS, value_of_a_day=1000.0, bootstrap=0, seed=1)
    assert ev.table.loc["all", "se"] == pytest.approx((2 * ref[0] + 3 * ref[1] + 2 * ref[2]) / 3, abs=1e-12)


def test_saving_is_floored_at_zero():
    # Observation taken as the reference and vice versa: Sn > Se.
    ev = evaluate(small(), OBS, REF, value_of_a_day=1000.0, bootstrap=0, seed=1)
    r = ev.table.loc["all"]
    assert r["difference"] < 0
    assert r["reduction"] == 0.0 and r["saving"] == 0.0


def test_by_group_and_the_value_of_a_day():
    ev = evaluate(small(), REF, OBS, by="municipality", bootstrap=0, seed=1)
    assert list(ev.table.index) == ["A", "B"]
    assert ev.table.loc["B", "se"] == pytest.approx(14.0 / 3)
    # e1, e2 in A: day-1 net days 0.5 + 1, short-term 3.5 + 3.5 + 3 in the reference period.
    v = ValueOfADay(salary=30000.0, qualifying_share=1.5 / 10.0)
    assert ev.table.loc["A", "value_of_a_day"] == pytest.approx(v.value)
    assert ev.spec["value_of_a_day"]["A"]["qualifying_share"] == pytest.approx(0.15)


def test_risk_group_at_exactly_twelve_months():
    firsts = ["2015-03-01", "2015-06-01", "2015-09-01", "2016-01-04"]
    reg = Register.from_frames(pd.DataFrame({"id": [1]}),
                               pd.DataFrame({"id": [1] * 4, "first_day": firsts, "last_day": firsts}),
                               data_end="2017-12-31")
    assert reg.risk_group("2016-02-29").loc[1, "spells"] == 4
    assert bool(reg.risk_group("2016-02-29").loc[1, "at_risk"])
    g = reg.risk_group("2016-03-01")
    assert g.loc[1, "spells"] == 3 and not bool(g.loc[1, "at_risk"])
    assert bool(reg.risk_group("2016-03-01", threshold=2).loc[1, "at_risk"])
    t = reg.risk_turnover("2016-02-29", years=1)
    assert t.loc[0, "risk_group"] == 1 and t.loc[0, "not at risk"] == 1


def test_bootstrap_is_deterministic_and_clustered():
    reg = utfall.sickleave.synthetic_register(posts=300, seed=4)
    a = evaluate(reg, by="municipality", seed=7, bootstrap=200)
    b = evaluate(reg, by="municipality", seed=7, bootstrap=200)
    assert a.table.equals(b.table)
    c = evaluate(reg, by="municipality", seed=7, bootstrap=200, clusters="workplace")
    assert (c.table["units"] < c.table["employees"]).all()
    assert c.table.loc["Kommun A", "se"] == a.table.loc["Kommun A", "se"]
    assert 0 <= a.table.loc["Kommun A", "p_target"] <= 1
    record = json.loads(a.to_json())
    assert record["spec"]["seed"] == 7 and record["fingerprints"]["spells"]
    assert "saving" in repr(a) and "MSEK" in a._repr_html_() or "SEK" in a._repr_html_()


def test_plots():
    import matplotlib
    matplotlib.use("Agg")
    ev = evaluate(utfall.sickleave.synthetic_register(posts=300, seed=4), by="municipality", seed=1, bootstrap=100)
    ax = ev.plot()
    assert ax.get_title() and "employee-month" in ax.get_ylabel() and ax.get_legend() is not None
    ax = ev.plot_distribution("Kommun A")
    assert "%" in ax.get_xlabel()


def test_synthetic_calibration():
    reg = utfall.sickleave.synthetic_register(posts=3000, seed=11)
    rate = reg.sick_leave_rate("2016-01", "2016-12").iloc[0]
    assert 0.06 < rate < 0.08
    share = reg.concentration("2016-01-01", "2016-12-31", shares=(0.2,), n_resamples=0).measures
    top = float(share.loc[share.index[0], "estimate"]) if "estimate" in share.columns else float(share.iloc[0, 0])
    assert 0.70 < top < 0.80
    # The intervention: the treated municipality's short-term days fall by about 12 % against the control.
    ev = evaluate(reg, by="municipality", seed=1, bootstrap=0)
    gap = ev.table.loc["Kommun A", "percent"] - ev.table.loc["Kommun B", "percent"]
    assert 0.05 < gap < 0.2


BAD = [
    ("overlap", lambda s, e: (s.assign(first_day=["2016-01-01", "2016-01-05"],
                                       last_day=["2016-01-10", "2016-01-07"]), e), "spells", 1),
    ("extent", lambda s, e: (s.assign(extent=[1.0, 1.5]), e), "spells", 1),
    ("unknown id", lambda s, e: (s.assign(id=["a", "zz"]), e), "spells", 1),
    ("bad date", lambda s, e: (s.assign(first_day=["2016-01-01", "not a date"]), e), "spells", 1),
    ("ends before start", lambda s, e: (s.assign(last_day=["2016-01-10", "2016-02-01"]), e), "spells", 1),
    ("outside employment", lambda s, e: (s, e.assign(last_day=["2016-01-31"])), "spells", 1),
]


@pytest.mark.parametrize("name,change,table,row", BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_table_column_row_and_id(name, change, table, row):
    employees = pd.DataFrame({"id": ["a"]})
    spells = pd.DataFrame({"id": ["a", "a"], "first_day": ["2016-01-01", "2016-03-05"],
                           "last_day": ["2016-01-10", "2016-03-07"], "extent": [1.0, 1.0]})
    employment = pd.DataFrame({"id": ["a"], "first_day": ["2015-01-01"], "last_day": [None]})
    spells, employment = change(spells, employment)
    with pytest.raises(utfall.DataError) as info:
        Register.from_frames(employees, spells, employment, data_end="2016-12-31")
    err = info.value
    assert (err.table, err.row) == (table, row)
    assert err.column and f"row {row}" in str(err)
    assert err.id == spells["id"].iloc[row]


def test_bad_specs():
    reg = small()
    with pytest.raises(utfall.SpecError, match="equally long"):
        evaluate(reg, ("2016-01-01", "2016-03-31"), ("2017-01-01", "2017-02-28"), value_of_a_day=1.0)
    with pytest.raises(utfall.SpecError, match="first day of a month"):
        evaluate(reg, ("2016-01-02", "2016-03-31"), OBS, value_of_a_day=1.0)
    with pytest.raises(utfall.SpecError, match="overlap"):
        evaluate(reg, REF, ("2016-02-01", "2016-04-30"), value_of_a_day=1.0)
    with pytest.raises(utfall.SpecError, match="value of a sick day"):
        evaluate(reg, REF, OBS, value_of_a_day=-5)
    with pytest.raises(utfall.DataError, match="trend"):
        evaluate(small(pd.DataFrame({"month": ["2016-01"], "factor": [1.0]})), REF, OBS, value_of_a_day=1.0)
    with pytest.raises(utfall.DataError, match="positive"):
        small(pd.DataFrame({"month": ["2016-01"], "factor": [0.0]}))


def test_demo_sickleave_runs_from_the_command_line():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "utfall", "demo", "sickleave", "--posts", "400", "--seed", "3"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    for heading in ("Absence register", "Concentration of short-term days, 2016",
                    "Se and Sn: expected and observed short-term sick days"):
        assert f"{heading}\n{'=' * len(heading)}" in out
    assert "Kommun A" in out and "MSEK" in out and "P(reduction >= 12 %)" in out


def test_reproduce_a_recorded_evaluation():
    reg = utfall.sickleave.synthetic_register(posts=300, seed=4)
    ev = evaluate(reg, by="municipality", seed=9, bootstrap=100, clusters="workplace")
    again = utfall.reproduce(ev.to_json(), reg)
    assert again.table.equals(ev.table)
    fixed = evaluate(reg, seed=9, bootstrap=50, value_of_a_day=1000.0)
    utfall.reproduce(fixed.to_json(), reg)
    record = json.loads(ev.to_json())
    record["table"][0]["saving"] += 1.0
    with pytest.raises(utfall.ReproductionError, match="saving"):
        utfall.reproduce(json.dumps(record), reg)
    other = utfall.sickleave.synthetic_register(posts=300, seed=5)
    with pytest.raises(utfall.ReproductionError, match="spells"):
        utfall.reproduce(ev.to_json(), other)


def test_evaluate_many_and_pickling():
    import pickle
    from concurrent.futures import ThreadPoolExecutor
    reg = utfall.sickleave.synthetic_register(posts=200, seed=2)
    again = pickle.loads(pickle.dumps(reg))
    assert again.fingerprints() == reg.fingerprints()
    specs = [{"name": "all", "seed": 3, "bootstrap": 40},
             {"name": "by", "seed": 3, "bootstrap": 40, "by": "municipality"}]
    one = utfall.sickleave.evaluate_many(specs, reg, executor=ThreadPoolExecutor(1))
    two = utfall.sickleave.evaluate_many(specs, again)
    pd.testing.assert_frame_equal(one, two)
    assert one.loc[0, "se"] == evaluate(reg, seed=3, bootstrap=40).table.loc["all", "se"]
    with pytest.raises(utfall.SpecError, match="unknown"):
        utfall.sickleave.evaluate_many([{"horizon": "2y"}], reg)
