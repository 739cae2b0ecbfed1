"""Intervals of an evaluation: matched sets resampled as clusters, bit-identical re-runs, rematching."""

import json

import numpy as np
import pandas as pd
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort

STRATA = {"estimator": "stratum", "exact": ["sex"]}


def bigger_cohort(n_part=40, n_hist=160, seed=3):
    """Participants and historical individuals with random HVB stays, for interval tests."""
    rng = np.random.default_rng(seed)
    n = n_part + n_hist
    index = np.where(np.arange(n) < n_part, rng.integers(17000, 17800, n), rng.integers(15400, 16400, n))
    people = pd.DataFrame({"id": [f"i{k}" for k in range(n)],
                           "group": np.where(np.arange(n) < n_part, "participant", "historical"),
                           "index_date": index.astype("datetime64[D]"), "sex": rng.choice(["f", "m"], n)})
    start = index + rng.integers(0, 500, n)
    stay = rng.integers(1, 200, n)
    episodes = pd.DataFrame({"id": people["id"], "start": start.astype("datetime64[D]"),
                             "end": (start + stay).astype("datetime64[D]"), "care_type": "HVB"})
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2000-01-01"], "daily_cost": [3000.0]})
    return utfall.Cohort.from_frames(people, episodes, tariffs, data_end="2020-12-31")


def test_interval_is_the_bootstrap_of_matched_set_savings():
    cohort = bigger_cohort()
    ev = utfall.evaluate(cohort, STRATA, horizons=["2y"], intervention_cost=1e5,
                         bootstrap={"n_resamples": 999, "method": "bca"}, seed=11, progress=False)
    s = ev.summary(readable=False).loc["2y"]
    d = ev.individuals["savings"].to_numpy()
    direct = ev.savings_bootstrap("2y")
    again = utfall.bootstrap(d, "sum", n_resamples=999, methods=("bca",), seed=direct.seed,
                             keep_distribution=True, progress=False)
    assert np.array_equal(again.distribution, direct.distribution)
    row = direct.intervals.iloc[0]
    assert (s["savings_low"], s["savings_high"]) == (row["low"], row["high"])
    assert s["savings_low"] < s["savings_total"] < s["savings_high"]
    assert s["p_savings_positive"] == np.mean(direct.distribution > 0)
    assert s["p_savings_cover_cost"] == np.mean(direct.distribution > 1e5)
    assert s["interval"] == "BCa 95%"
    t = ev.trajectory("2y")
    assert (t["savings_low"] <= t["savings_high"]).all()


def test_matched_sets_as_clusters_give_the_same_interval():
    """Rows per individual of each matched set, clusters = sets: the same resamples as the set savings."""
    cohort = hand_cohort()
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y"], bootstrap=False, seed=1)
    two = ev.individuals
    costs = cohort.costs("2y")["cost_total"]
    # p1's set: p1 (actual) and h1, h3 (expected, weight 1/2); p2's set: p2 and h2 truncated (12,500).
    rows = pd.DataFrame({"expected": [0.0, costs["h1"] / 2, costs["h3"] / 2, 0.0, 12500.0],
                         "actual": [15000.0, 0.0, 0.0, 20000.0, 0.0], "set": [0, 0, 0, 1, 1]})
    clustered = utfall.bootstrap(rows[["expected", "actual"]], "difference of sums", clusters=rows["set"],
                                 n_resamples=500, methods=("percentile",), seed=9,
                                 keep_distribution=True, progress=False)
    sets = utfall.bootstrap(two["savings"].to_numpy(), "sum", n_resamples=500, methods=("percentile",), seed=9,
                            keep_distribution=True, progress=False)
    np.testing.assert_allclose(np.sort(clustered.distribution), np.sort(sets.distribution), rtol=1e-12, atol=1e-6)


def test_rerun_from_json_is_bit_identical_on_other_thread_counts():
    cohort = bigger_cohort()
    ev = utfall.evaluate(cohort, STRATA, horizons=["2y", "3y"], intervention_cost=2e5, bootstrap=400, seed=5,
                         n_threads=2, progress=False)
    text = ev.to_json(disclosure="full")
    again = utfall.reproduce(text, cohort, n_threads=1)
    assert json.loads(again.to_json(disclosure="full"))["results"] == json.loads(text)["results"]
    assert utfall.load_evaluation(text) == again


def test_rematching_inside_every_replicate():
    cohort = bigger_cohort(20, 60)
    spec = dict(matching=STRATA, horizons=["2y"], bootstrap={"n_resamples": 6, "rematch": True}, seed=4,
                progress=False)
    a = utfall.evaluate(cohort, **spec)
    b = utfall.evaluate(cohort, **spec)
    s = a.summary(readable=False).loc["2y"]
    assert s["interval"] == "BCa 95%, rematched"  # BCa, from the jackknife of whole evaluations
    assert np.isfinite(s["savings_low"]) and s["savings_low"] <= s["savings_high"]
    assert a == b
    with pytest.raises(utfall.SpecError, match="rematch"):
        utfall.evaluate(cohort, PAIRS, bootstrap={"rematch": True})
