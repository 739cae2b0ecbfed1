"""utfall.validity on the synthetic register: Rosenbaum bounds of an evaluation, placebo in time."""

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.validity import placebo_in_time, rosenbaum_bounds

MATCHING = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"}


def index_linked_tariffs(cohort, drift=0.0, from_date="2014-07-01"):
    """Tariffs that follow the price index exactly (no real drift); with ``drift``, every
    tariff from ``from_date`` on is (1 + drift) times the index-linked one."""
    kpi = cohort.price_index.set_index("year")["index"]
    base = cohort.tariffs[cohort.tariffs["valid_from"] <= "2013-01-01"].groupby("care_type")["daily_cost"].last()
    rows = [(t, pd.Timestamp(f"{y}-01-01"), b * kpi[y] / kpi[2013]) for t, b in base.items() for y in kpi.index]
    tariffs = pd.DataFrame(rows, columns=["care_type", "valid_from", "daily_cost"])
    if drift:
        step = tariffs[tariffs["valid_from"].dt.year == pd.Timestamp(from_date).year]
        tariffs = pd.concat([tariffs, step.assign(valid_from=pd.Timestamp(from_date))])
        tariffs = tariffs.sort_values(["care_type", "valid_from"]).reset_index(drop=True)
        tariffs.loc[tariffs["valid_from"] >= from_date, "daily_cost"] *= 1 + drift
    return tariffs


def rebuilt(cohort, tariffs):
    return utfall.Cohort.from_frames(cohort.individuals, cohort.episodes, tariffs=tariffs, costs=cohort.costs_ledger,
                                     price_index=cohort.price_index, data_end="2021-10-31")


def test_placebo_is_centred_near_zero_without_drift_and_detects_a_10_percent_tariff_drift():
    centres, shifts = [], []
    for seed in (2016, 7, 11, 5):
        c = utfall.synthetic.register(n_participants=60, n_historical=400, seed=seed)
        runs = {}
        for drift in (0.0, 0.10):
            p = placebo_in_time(rebuilt(c, index_linked_tariffs(c, drift)), MATCHING, horizons=["2y"],
                                n_cohorts=150, seed=1, progress=False)
            runs[drift] = p.summary().loc["2y"]
        centres.append(runs[0.0]["drift_percent"])
        shifts.append(runs[0.10]["drift_percent"] - runs[0.0]["drift_percent"])
        # The drift, in kronor, is the centre of the distribution (per pseudo-cohort of 60).
        assert runs[0.10]["drift_total"] < runs[0.0]["drift_total"]
    # Without drift the centre varies with the finite register around zero.
    assert abs(np.mean(centres)) < 4.0, centres
    # A 10 % tariff step at the later period's start (half of the comparison windows run past
    # it too) moves every register's centre down by several per cent of the expected cost.
    assert all(-12.0 < s < -3.0 for s in shifts), shifts


def test_placebo_distribution_is_reproducible_and_compares_an_evaluation():
    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=3)
    ev = utfall.evaluate(c, MATCHING, horizons=["2y"], bootstrap=False, seed=3, progress=False)
    a = placebo_in_time(c, evaluation=ev, n_cohorts=30, seed=9, progress=False)
    b = placebo_in_time(c, MATCHING, horizons=["2y"], n_cohorts=30, seed=9, progress=False)
    pd.testing.assert_frame_equal(a.distribution, b.distribution)
    s = a.summary().loc["2y"]
    assert 0 < s["p_savings"] <= 1
    assert s["observed_mean"] == pytest.approx(ev.summary(readable=False).loc["2y", "savings_mean"])
    assert len(a.distribution) == 30 and (a.distribution["n_matched"] == 40).all()
    assert "pseudo-cohorts" in repr(a) and "<table" in a._repr_html_()
    import matplotlib

    matplotlib.use("Agg")
    assert a.plot().get_xlabel() == "savings per participant (kSEK)"


def test_placebo_with_strata():
    c = utfall.synthetic.register(n_participants=30, n_historical=300, seed=4)
    p = placebo_in_time(c, {"estimator": "stratum", "exact": ["sex"]}, horizons=["2y", "3y"], n_cohorts=5, seed=2,
                        progress=False)
    assert len(p.distribution) == 10 and (p.distribution["n_matched"] == 30).all()
    assert np.isfinite(p.distribution["savings_total"]).all()


def test_too_few_later_individuals_and_fixed_pairs_are_spec_errors():
    c = utfall.synthetic.register(n_participants=60, n_historical=100, seed=1)
    with pytest.raises(utfall.SpecError, match="too few"):
        placebo_in_time(c, MATCHING, horizons=["2y"], n_cohorts=2, seed=1, progress=False)
    ev = utfall.evaluate(c, MATCHING, horizons=["2y"], bootstrap=False, seed=1, progress=False)
    pairs = ev.comparisons["2y"].match.pairs
    with pytest.raises(utfall.SpecError, match="given"):
        placebo_in_time(c, pairs, horizons=["2y"], n_cohorts=2, seed=1, progress=False)


def test_rosenbaum_bounds_of_an_evaluation():
    c = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(c, MATCHING, horizons=["2y"], bootstrap=200, seed=1, progress=False)
    r = rosenbaum_bounds(ev, gammas=[1, 1.5, 2], payment=lambda s: 3e6 + 0.6 * max(s, 0.0))
    assert r.statistic == "wilcoxon" and r.n_sets == 60
    t = r.table
    # Bounds widen with Gamma; at Gamma = 1 both are the Hodges-Lehmann estimate.
    assert t["hl_low"][0] == t["hl_high"][0]
    assert (np.diff(t["hl_low"]) < 0).all() and (np.diff(t["hl_high"]) > 0).all()
    assert (np.diff(t["p_savings"]) > 0).all()
    assert (t["payment_high"] >= t["payment_low"]).all()
    assert "Gamma" in repr(r) and "<table" in r._repr_html_() and "savings low (MSEK)" in r.summary().columns
    import matplotlib

    matplotlib.use("Agg")
    assert r.plot().get_ylabel() == "MSEK"
    assert r.e_value >= 1 and r.ratio == pytest.approx(
        ev.summary(readable=False).loc["2y", "expected_total"] / ev.summary(readable=False).loc["2y", "actual_total"])
    ev3 = utfall.evaluate(c, dict(MATCHING, ratio=3), horizons=["2y"], bootstrap=False, seed=1, progress=False)
    r3 = rosenbaum_bounds(ev3, gammas=[1, 2])
    assert r3.statistic == "m" and r3.set_size == 4
    with pytest.raises(utfall.SpecError, match="pairs"):
        rosenbaum_bounds(ev3, statistic="wilcoxon")
    loaded = utfall.load_evaluation(ev.to_json())
    with pytest.raises(utfall.SpecError, match="cohort"):
        rosenbaum_bounds(loaded)
    assert rosenbaum_bounds(loaded, gammas=[1, 2], cohort=c).table.equals(rosenbaum_bounds(ev, gammas=[1, 2]).table)


def test_model_based_expected_costs_are_the_glm_predictions():
    from utfall.glm import design_matrix, fit_glm

    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    covs = ["age", "sex", "prior_cost_total"]
    frame = c.individuals.reset_index(drop=True)[["age", "sex"]].assign(
        prior_cost_total=c.history("2y")["prior_cost_total"].to_numpy())
    full = c.costs("2y")
    eligible = np.flatnonzero(~c.participants & full["complete"].to_numpy())
    part = np.flatnonzero(c.participants)
    complete = full["complete"].to_numpy()[part]
    for model, care in (("tweedie", None), ("two-part", ["SiS"])):
        ev = utfall.evaluate(c, {"estimator": "model", "model": model, "covariates": covs, "lookback": "2y"},
                             horizons=["2y"], care_types=care, bootstrap=False, seed=1, progress=False)
        y = full["cost_SiS"].to_numpy() if care else full["cost_total"].to_numpy()
        cols, names, levels = design_matrix(frame.iloc[eligible], covs)
        own, _, _ = design_matrix(frame.iloc[part], covs, levels=levels)
        if model == "tweedie":
            expected = fit_glm(cols, y[eligible], names, "tweedie").predict(own)
        else:
            pos = y[eligible] > 0
            assert 0 < pos.sum() < len(pos)  # both parts are needed
            p_any = fit_glm(cols, pos.astype(float), names, "binomial").predict(own)
            amount = fit_glm([col[pos] for col in cols], y[eligible][pos], names, "gamma").predict(own)
            expected = p_any * amount
        got = ev.individuals["expected"].to_numpy()
        assert np.allclose(got[complete], expected[complete], rtol=1e-12)
        assert (got[~complete] < expected[~complete]).all()  # a shorter window accrues less
        # The monthly curve ends at the expected total.
        total = ev.summary(readable=False).loc["2y", "expected_total"]
        assert ev.trajectory("2y")["expected"].iloc[-1] == pytest.approx(total)
    with pytest.raises(utfall.SpecError, match="model"):
        utfall.evaluate(c, {"estimator": "model", "model": "linear"}, horizons=["2y"], bootstrap=False, seed=1)
    people = c.individuals.reset_index(drop=True).assign(region="X")
    c2 = utfall.Cohort.from_frames(people, c.episodes, tariffs=c.tariffs, costs=c.costs_ledger,
                                   price_index=c.price_index, data_end="2021-10-31")
    with pytest.raises(utfall.ComputationError, match="'region' is constant"):
        utfall.evaluate(c2, {"estimator": "model", "model": "tweedie", "covariates": ["age", "region"]},
                        horizons=["2y"], bootstrap=False, seed=1, progress=False)


def test_payment_at_each_gamma_with_a_contract():
    # A rate card of 0.2 SEK per krona saved above a guaranteed 1 MSEK, at most 5 MSEK: the
    # payment range at each Gamma is the contract settled at the savings bounds. (Here the
    # savings estimate is negative: the low payment is the guarantee, the high one grows with Gamma.)
    from utfall.contract import Tranche

    c = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(c, MATCHING, horizons=["2y"], bootstrap=False, seed=1, progress=False)
    contract = utfall.Contract(funding=5e6, guaranteed_share=0.2, cap=5e6,
                               tranches=[Tranche.rate_card("savings", 0.2, cap=4e6)])
    r = rosenbaum_bounds(ev, gammas=[1, 1.5, 2, 3], contract=contract)
    t = r.table
    for side in ("low", "high"):
        by_hand = [min(1e6 + min(max(0.2 * v, 0.0), 4e6), 5e6) for v in t[f"savings_{side}"]]
        np.testing.assert_allclose(t[f"payment_{side}"], by_hand, rtol=1e-12)
    assert 1e6 < t["payment_high"][1] < t["payment_high"][2] < 5e6  # neither floor nor cap
    settled = contract.settle_values(savings=t["savings_high"])["total"]
    np.testing.assert_allclose(t["payment_high"], settled, rtol=1e-12)
    assert (np.diff(t["payment_low"]) <= 0).all() and (np.diff(t["payment_high"]) >= 0).all()
    assert t["payment_low"][0] == t["payment_high"][0]  # Gamma 1: one Hodges-Lehmann estimate, one payment
    with pytest.raises(utfall.SpecError, match="not both"):
        rosenbaum_bounds(ev, gammas=[1, 2], contract=contract, payment=lambda v: v)


def test_a_model_that_does_not_converge_is_a_computation_error():
    # A covariate that is zero exactly for the individuals without any SiS cost separates the
    # logit part of the two-part model perfectly: IRLS runs off to infinity and must say so.
    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    y = c.costs("2y")["cost_SiS"].to_numpy()
    people = c.individuals.reset_index(drop=True).assign(any_sis=(y > 0) * (1.0 + np.arange(len(y)) % 7))
    c2 = utfall.Cohort.from_frames(people, c.episodes, tariffs=c.tariffs, costs=c.costs_ledger,
                                   price_index=c.price_index, data_end="2021-10-31")
    spec = {"estimator": "model", "model": "two-part", "covariates": ["age", "any_sis"], "lookback": "2y"}
    with pytest.raises(utfall.ComputationError, match="binomial GLM did not converge in 25 iterations"):
        utfall.evaluate(c2, spec, horizons=["2y"], care_types=["SiS"], bootstrap=False, seed=1, progress=False)
    # Without the separating covariate the same specification fits.
    ok = utfall.evaluate(c2, dict(spec, covariates=["age"]), horizons=["2y"], care_types=["SiS"], bootstrap=False,
                         seed=1, progress=False)
    assert np.isfinite(ok.individuals["expected"]).all()


def test_pre_period_compares_the_lookback_before_index():
    from utfall.validity import pre_period

    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    ev = utfall.evaluate(c, {"covariates": ["age", "sex"]}, horizons=["2y"], bootstrap=False, seed=1, progress=False)
    pre = pre_period(ev, "2y", n_resamples=300).loc["2y"]
    history = c.history("2y")["prior_cost_total"]
    ind = ev.individuals
    own = history.loc[ind.index].sum()
    comp = sum(history.loc[list(ids)].mean() for ids in ind["comparison_ids"])
    assert pre["pre_participants"] == pytest.approx(own) and pre["pre_comparison"] == pytest.approx(comp)
    assert pre["pre_low"] < pre["pre_difference"] < pre["pre_high"]


def test_validity_table_record_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    ev = utfall.evaluate(c, MATCHING, horizons=["2y", "3y"], bootstrap=200, seed=1, progress=False)
    table = ev.validity(n_cohorts=50, gammas=[1, 1.5, 2], progress=False)
    assert list(table.index) == ["2y", "3y"]
    for col in ("pre_difference", "drift_total", "p_placebo", "gamma_savings", "savings_low_at_gamma", "e_value"):
        assert table[col].notna().all(), col
    loaded = utfall.load_evaluation(ev.to_json())
    assert loaded.checks["table"]["drift_total"] == table["drift_total"].tolist()
    utfall.reproduce(ev.to_json(), c)  # the checks sit outside the reproduced results
    axes = utfall.validity.plot_validity(ev, "2y")
    assert "placebo" in axes[0].get_title() and axes[1].get_xlabel().startswith("Gamma")
    assert "hidden bias" in axes[1].get_title()
    assert axes[0].get_xlabel() == "savings per participant (kSEK)" and axes[1].get_ylabel() == "MSEK"
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert set(labels) == {"drift (centre)", "evaluation", "placebo pseudo-cohorts (no intervention)"}
    assert "savings compatible with hidden bias" in [t.get_text() for t in axes[1].get_legend().get_texts()]
    # The placebo histogram holds the n_cohorts pseudo-cohorts' savings per participant.
    assert sum(p.get_height() for p in axes[0].patches) == 50
    model = utfall.evaluate(c, {"estimator": "model", "model": "tweedie", "covariates": ["age"]}, horizons=["2y"],
                            bootstrap=False, seed=1, progress=False)
    t = model.validity(n_cohorts=30, progress=False)
    assert np.isfinite(t.loc["2y", "drift_total"])
    assert "no Rosenbaum bounds" in t.loc["2y", "notes"] and "e_value" not in t.columns


def test_model_bootstrap_refits_the_model_in_each_replicate():
    c = utfall.synthetic.register(n_participants=40, n_historical=300, seed=8)
    spec = {"estimator": "model", "model": "tweedie", "covariates": ["age", "prior_cost_total"], "lookback": "2y"}
    a = utfall.evaluate(c, spec, horizons=["2y"], bootstrap=300, seed=4, progress=False)
    s = a.summary(readable=False).loc["2y"]
    assert s["interval"] == "percentile 95%, model refitted"
    assert s["savings_low"] < s["savings_total"] < s["savings_high"]
    b = utfall.evaluate(c, spec, horizons=["2y"], bootstrap=300, seed=4, progress=False)
    assert a == b
    utfall.reproduce(a.to_json(), c)


def test_a_pseudo_cohort_is_what_evaluate_gives_on_the_relabelled_cohort():
    # The placebo repeats utfall.evaluate's estimator: one pseudo-cohort relabelled as the
    # participants of a cohort of it and the earlier individuals gives the same savings.
    c = utfall.synthetic.register(n_participants=30, n_historical=300, seed=4)
    p = placebo_in_time(c, MATCHING, horizons=["2y", "3y"], n_cohorts=3, seed=2, progress=False)
    ind = c.individuals.reset_index(drop=True)
    earlier = ind[(ind["group"] == "historical") & (ind["index_date"] < p.split)]
    for k in range(3):
        pseudo = ind[ind["id"].isin(p.pseudo_cohorts[k])].assign(group="participant")
        people = pd.concat([pseudo, earlier]).sort_index()
        keep = c.episodes["id"].isin(people["id"])
        relabelled = utfall.Cohort.from_frames(people, c.episodes[keep], tariffs=c.tariffs,
                                               costs=c.costs_ledger[c.costs_ledger["id"].isin(people["id"])],
                                               price_index=c.price_index, data_end="2021-10-31")
        ev = utfall.evaluate(relabelled, MATCHING, horizons=["2y", "3y"], bootstrap=False, seed=1, progress=False)
        ours = p.distribution[p.distribution["cohort"] == k].set_index("horizon")
        for h in ("2y", "3y"):
            assert ours.loc[h, "savings_total"] == pytest.approx(
                ev.summary(readable=False).loc[h, "savings_total"], rel=1e-9, abs=1e-3)
