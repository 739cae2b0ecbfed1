"""utfall.evaluate on a hand-built cohort: every per-individual number by hand.

The cohort and the hand computations are in tests/evaluation_data.py.
"""

import numpy as np
import pandas as pd
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort

STRATA = {"estimator": "stratum", "exact": ["sex"]}


@pytest.fixture(scope="module")
def cohort():
    return hand_cohort()


def rows(ev, horizon):
    return ev.individuals[ev.individuals["horizon"] == horizon]


def test_every_per_individual_number_with_given_pairs(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y", "3y"], bootstrap=False, seed=1)
    two, three = rows(ev, "2y"), rows(ev, "3y")
    # Windows: p1 complete; p2 moved away on 2020-06-30, so 547 days observed.
    assert two.loc["p1", "window_end"] == pd.Timestamp("2019-01-01")
    assert two.loc["p1", "days_observed"] == 730 and two.loc["p1", "complete"]
    assert two.loc["p2", "window_end"] == pd.Timestamp("2020-07-01")
    assert two.loc["p2", "days_observed"] == 547 and not two.loc["p2", "complete"]
    assert three.loc["p1", "days_observed"] == 1095
    # p1 at 2y: weights 1/2 on h1 (2y, indexed: 30 days x 1000 x 1.25 = 37,500) and h3
    # (4 days at the 2018 tariff 1200, base-year prices: 4,800).
    assert two.loc["p1", "actual"] == 15000.0
    assert two.loc["p1", "expected"] == pytest.approx((37500.0 + 4800.0) / 2, abs=1e-9)
    assert two.loc["p1", "savings"] == pytest.approx(21150.0 - 15000.0, abs=1e-9)
    assert two.loc["p1", "n_comparison"] == 2 and two.loc["p1", "comparison_ids"] == ("h1", "h3")
    # By part: the ledger is an outpatient cost of p1, none for h1 within 2 years.
    assert two.loc["p1", "actual_cost_HVB"] == 10000.0
    assert two.loc["p1", "actual_ledger_outpatient"] == 5000.0
    assert two.loc["p1", "expected_ledger_outpatient"] == 0.0
    assert two.loc["p1", "expected_cost_HVB"] == pytest.approx(21150.0, abs=1e-9)
    # p2, truncated: h2 over its own first 547 days (SiS 5 days x 2000 x 1.25), not its 2 years.
    assert two.loc["p2", "actual"] == 20000.0
    assert two.loc["p2", "expected"] == pytest.approx(12500.0, abs=1e-9)
    assert two.loc["p2", "savings"] == pytest.approx(-7500.0, abs=1e-9)
    assert two.loc["p2", "comparison_ids"] == ("h2",)
    # 3y: p1 adds HVB at the 2019 tariff (5 x 1200); h1 adds its indexed ledger (8000 x 1.25).
    assert three.loc["p1", "actual"] == 21000.0
    assert three.loc["p1", "expected"] == pytest.approx(47500.0, abs=1e-9)
    assert three.loc["p1", "expected_ledger_outpatient"] == pytest.approx(10000.0, abs=1e-9)
    assert three.loc["p2", "expected"] == pytest.approx(12500.0, abs=1e-9)
    assert rows(ev, "2y")["included"].all()


def test_summary_contract_numbers(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y", "3y"], intervention_cost=1000.0, bootstrap=False, seed=1)
    s = ev.summary(readable=False)
    assert s.loc["2y", "expected_total"] == pytest.approx(21150.0 + 12500.0)
    assert s.loc["2y", "actual_total"] == 35000.0
    assert s.loc["2y", "savings_total"] == pytest.approx(33650.0 - 35000.0)
    assert s.loc["2y", "net_savings"] == pytest.approx(-1350.0 - 1000.0)
    assert s.loc["2y", "break_even_actual"] == pytest.approx(33650.0 - 1000.0)
    assert s.loc["2y", "savings_mean"] == pytest.approx(-675.0)
    assert s.loc["2y", "status"] == "preliminary, 1 of 2 complete"
    assert (s.loc["2y", "n_participants"], s.loc["2y", "n_complete"], s.loc["2y", "n_included"]) == (2, 1, 2)
    assert s.loc["3y", "savings_total"] == pytest.approx(47500.0 + 12500.0 - 41000.0)
    readable = ev.summary()
    assert "savings total (SEK)" in readable.columns and "break-even actual (SEK)" in readable.columns


def test_stratum_estimator_and_the_pool_changing_with_the_horizon(cohort):
    ev = utfall.evaluate(cohort, STRATA, horizons=["2y", "3y"], bootstrap=False, seed=1)
    two, three = rows(ev, "2y"), rows(ev, "3y")
    # At 2 years every f-stratum historical individual with complete follow-up: h1 and h3 (not h4).
    assert two.loc["p1", "comparison_ids"] == ("h1", "h3")
    assert two.loc["p1", "expected"] == pytest.approx(21150.0, abs=1e-9)
    # At 3 years h3 has no complete follow-up: the pool shrinks to h1.
    assert three.loc["p1", "comparison_ids"] == ("h1",)
    assert three.loc["p1", "expected"] == pytest.approx(47500.0, abs=1e-9)
    # p2 (incomplete) is compared over its observed 547 days and counted as not complete.
    assert two.loc["p2", "expected"] == pytest.approx(12500.0, abs=1e-9)
    assert ev.summary(readable=False).loc["3y", "n_complete"] == 1
    assert ev.summary(readable=False).loc["3y", "status"] == "preliminary, 1 of 2 complete"


def test_pairs_with_an_ineligible_comparison_are_refused(cohort):
    with pytest.raises(utfall.DataError, match="not eligible at 3y") as err:
        utfall.evaluate(cohort, PAIRS["2y"], horizons=["3y"], bootstrap=False, seed=1)
    assert err.value.table == "pairs" and err.value.id == "h3"
    with pytest.raises(utfall.DataError, match="h4|not eligible"):
        utfall.evaluate(cohort, pd.DataFrame({"treated": ["p1"], "control": ["h4"]}), horizons=["2y"],
                        bootstrap=False, seed=1)


def test_restricting_to_complete_follow_up(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], partial="complete", bootstrap=False, seed=1)
    two = rows(ev, "2y")
    assert two["included"].tolist() == [True, False]
    s = ev.summary(readable=False).loc["2y"]
    assert s["expected_total"] == pytest.approx(21150.0) and s["actual_total"] == 15000.0
    assert s["n_included"] == 1 and "incomplete left out" in s["status"]
    assert ev.spec["partial"] == "complete"


def test_care_days_and_care_types(cohort):
    days = rows(utfall.evaluate(cohort, PAIRS, horizons=["2y"], outcome="care_days", bootstrap=False, seed=1), "2y")
    assert days.loc["p1", "actual"] == 10.0 and days.loc["p1", "expected"] == pytest.approx((30 + 4) / 2)
    assert days.loc["p2", "actual"] == 10.0 and days.loc["p2", "expected"] == 5.0
    sis = rows(utfall.evaluate(cohort, PAIRS, horizons=["2y"], care_types=["SiS"], bootstrap=False, seed=1), "2y")
    assert sis.loc["p1", "actual"] == 0.0 and sis.loc["p1", "expected"] == 0.0
    assert sis.loc["p2", "actual"] == 20000.0 and sis.loc["p2", "expected"] == pytest.approx(12500.0)


def test_trajectory_ends_at_the_totals(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], intervention_cost=1000.0, bootstrap=False, seed=1)
    t = ev.trajectory("2y")
    assert list(t.index) == list(range(1, 25))
    # Month 1: p1 10,000 actual; expected p1 (25,000 + 4,800) / 2 and p2 12,500.
    assert t.loc[1, "actual"] == 10000.0 + 0.0
    assert t.loc[1, "expected"] == pytest.approx(14900.0 + 12500.0)
    # p2's window ends after 18 whole months.
    assert t.loc[18, "n_observed"] == 2 and t.loc[19, "n_observed"] == 1
    s = ev.summary(readable=False).loc["2y"]
    assert t.loc[24, "expected"] == pytest.approx(s["expected_total"])
    assert t.loc[24, "actual"] == pytest.approx(s["actual_total"])
    assert np.all(np.diff(t["actual"].to_numpy()) >= 0)
    assert ev.payback_month("2y") == 1  # 27,400 - 10,000 covers 1,000 in month 1


def test_per_participant_intervention_cost(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], partial="complete", bootstrap=False, seed=1,
                         intervention_cost={"p1": 700.0, "p2": 300.0})
    assert ev.summary(readable=False).loc["2y", "intervention_cost"] == 700.0


def test_bad_specifications_are_named(cohort):
    with pytest.raises(utfall.SpecError, match="matching"):
        utfall.evaluate(cohort, None, bootstrap=False)
    with pytest.raises(utfall.SpecError, match="exact"):
        utfall.evaluate(cohort, "stratum", bootstrap=False)
    with pytest.raises(utfall.SpecError, match="unknown stratum column 'age'"):
        utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["age"]}, horizons=["2y"], bootstrap=False)
    with pytest.raises(utfall.SpecError, match="care type"):
        utfall.evaluate(cohort, PAIRS, care_types=["jourhem"], bootstrap=False)
    with pytest.raises(utfall.SpecError, match="partial"):
        utfall.evaluate(cohort, PAIRS, partial="some", bootstrap=False)
    with pytest.raises(utfall.SpecError, match="outcome"):
        utfall.evaluate(cohort, PAIRS, outcome="happiness", bootstrap=False)
    with pytest.raises(utfall.SpecError, match="no pairs given"):
        utfall.evaluate(cohort, {"2y": PAIRS["2y"]}, horizons=["2y", "3y"], bootstrap=False)
    with pytest.raises(utfall.SpecError, match="bootstrap"):
        utfall.evaluate(cohort, PAIRS, bootstrap={"resamples": 10})


def test_display_and_plots(cohort):
    import matplotlib

    matplotlib.use("Agg")
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y", "3y"], intervention_cost=1000.0, bootstrap=False, seed=1)
    assert "2y: expected 33,650 SEK" in repr(ev)
    assert "<table" in ev._repr_html_()
    assert ev.plot_trajectory("3y").get_xlabel() == "months since index"
    assert ev.plot_differences("2y").get_ylabel().endswith("(MSEK)")  # the quantity and its unit
    with pytest.raises(utfall.SpecError, match="no horizon '5y'"):
        ev.trajectory("5y")


def test_a_participant_without_comparison_is_counted_not_dropped(cohort):
    ev = utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["region"]}, horizons=["2y"], bootstrap=False,
                         seed=1, intervention_cost=1000.0)
    two = rows(ev, "2y")
    assert two.loc["p2", "n_comparison"] == 0 and np.isnan(two.loc["p2", "expected"]) and not two.loc["p2", "included"]
    assert two.loc["p1", "comparison_ids"] == ("h1", "h2", "h3")
    s = ev.summary(readable=False).loc["2y"]
    assert s["n_without_comparison"] == 1 and s["n_included"] == 1
    assert s["expected_total"] == pytest.approx((37500.0 + 37500.0 + 4800.0) / 3)
    assert ev.trajectory("2y").loc[24, "expected"] == pytest.approx(s["expected_total"])


def test_strata_from_history_columns(cohort):
    ev = utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["prior_placements"]}, horizons=["2y"],
                         bootstrap=False, seed=1)
    # Nobody has a placement before their index date: one stratum of all eligible (h1, h2, h3).
    assert rows(ev, "2y").loc["p1", "comparison_ids"] == ("h1", "h2", "h3")


def test_comparison_weights(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], bootstrap=False, seed=1)
    w = ev.comparison_weights("2y")
    assert w.values.tolist() == [["p1", "h1", 0.5], ["p1", "h3", 0.5], ["p2", "h2", 1.0]]


def test_totals_by_care_type(cohort):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], bootstrap=False, seed=1)
    parts = ev.by_part("2y")
    assert parts.index.tolist() == ["cost_HVB", "cost_SiS", "ledger_outpatient"]
    assert parts.loc["cost_SiS", "actual"] == 20000.0 and parts.loc["cost_SiS", "expected"] == pytest.approx(12500.0)
    assert parts.loc["ledger_outpatient", "actual"] == 5000.0
    assert parts["savings"].sum() == pytest.approx(ev.summary(readable=False).loc["2y", "savings_total"])


def test_matched_estimator_rematches_per_horizon_on_the_eligible_pool():
    cohort = utfall.synthetic.register(30, 150, seed=4)
    matching = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y", "ratio": 2}
    ev = utfall.evaluate(cohort, matching, horizons=["2y", "3y"], bootstrap=False, seed=8, progress=False)
    matches = ev.matches()
    for h in ("2y", "3y"):
        full = cohort.costs(h)
        pairs = matches[h].pairs
        table = rows(ev, h)
        used = set(pairs["control"])
        assert full.loc[list(used), "complete"].all()  # only individuals eligible at h
        for pid, row in table.iterrows():
            controls = tuple(pairs.loc[pairs["treated"] == pid, "control"])
            assert row["comparison_ids"] == controls
            if row["complete"]:
                assert row["expected"] == pytest.approx(full.loc[list(controls), "cost_total"].mean(), rel=1e-12)
    # Extending the horizon leaves more historical individuals out of the pool.
    assert len(matches["3y"].discarded_ids) > len(matches["2y"].discarded_ids)
    assert (rows(ev, "3y")["n_comparison"] == 2).all()
