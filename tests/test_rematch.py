"""The rematching bootstrap runs whole in the core: each replicate resamples participants and pool,
refits the score, rematches and recomputes the expected costs."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import utfall
from utfall.evaluation._intervals import rematch_plan

COHORT = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
MATCHINGS = {
    "logit": {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
    "logit_2to1_caliper_exact": {"covariates": ["age", "prior_cost_total"], "lookback": "2y", "ratio": 2,
                                 "replace": True, "caliper": 0.5, "exact": ["sex"]},
    "mahalanobis": {"covariates": ["age", "prior_cost_total"], "distance": "mahalanobis", "lookback": "2y"},
    "stratum": {"estimator": "stratum", "exact": ["sex"]},
}


@pytest.mark.parametrize("name", sorted(MATCHINGS))
def test_the_core_replays_the_evaluation_exactly(name):
    # An internal invariant no public number shows directly: on the whole cohort, the core's
    # replicate pipeline gives the very savings the evaluation computed through utfall.match.
    ev = utfall.evaluate(COHORT, MATCHINGS[name], horizons=("2y", "3y"), bootstrap=False, seed=5, progress=False)
    estimate = rematch_plan(COHORT, ev.spec).estimate(123)
    assert estimate == ev.summary(readable=False)["savings_total"].tolist()


def test_bca_is_available_and_the_interval_holds_the_estimate():
    ev = utfall.evaluate(COHORT, MATCHINGS["logit"], horizons=("2y",), seed=5, progress=False,
                         bootstrap={"n_resamples": 500, "rematch": True, "method": "bca"})
    s = ev.summary(readable=False).loc["2y"]
    assert s["interval"] == "BCa 95%, rematched"
    assert s["savings_low"] < s["savings_total"] < s["savings_high"]
    # Wider than the fixed-comparison interval: the comparison group's uncertainty is included.
    fixed = utfall.evaluate(COHORT, MATCHINGS["logit"], horizons=("2y",), seed=5, progress=False,
                            bootstrap={"n_resamples": 500, "method": "bca"}).summary(readable=False).loc["2y"]
    assert s["savings_high"] - s["savings_low"] > fixed["savings_high"] - fixed["savings_low"]


def test_options_the_core_does_not_replay_are_refused():
    with pytest.raises(utfall.SpecError, match="rematch"):
        utfall.evaluate(COHORT, {"covariates": ["age"], "method": "cem"}, horizons=("2y",), seed=1,
                        bootstrap={"n_resamples": 10, "rematch": True}, progress=False)


SCRIPT = """
import utfall
c = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
ev = utfall.evaluate(c, {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"}, horizons=("2y", "3y"),
                     bootstrap={"n_resamples": 300, "rematch": True, "method": "percentile"}, seed=9, progress=False)
print(ev.summary(readable=False)[["savings_low", "savings_high", "p_savings_positive"]].to_json(double_precision=15))
"""


def test_replicates_do_not_depend_on_the_thread_count():
    runs = []
    for threads in ("1", "2", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1] == runs[2]
    assert np.isfinite(runs[0]["savings_low"]["2y"])
