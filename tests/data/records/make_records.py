"""Writes the audit records of tests/test_spec.py (run once, on main at 87298fc, before the typed spec).

    python tests/data/records/make_records.py
"""

from pathlib import Path

import utfall

HERE = Path(__file__).parent


def evaluations():
    cohort = utfall.synthetic.register(n_participants=30, n_historical=200, seed=11)
    yield "matched", cohort, dict(
        matching={"covariates": ["age", "sex", "diagnosis"], "ratio": 2, "replace": True, "caliper": 0.5},
        horizons=["1y", "2y"], intervention_cost=25_000.0, bootstrap={"n_resamples": 50, "method": "percentile"},
        seed=20160101)
    yield "stratum", cohort, dict(
        matching={"estimator": "stratum", "exact": ["sex"]}, horizons="18m", outcome="care_days",
        intervention_cost={i: 1000.0 * i for i in range(1, 31)}, bootstrap=False, seed=5, partial="complete")


if __name__ == "__main__":
    for name, cohort, arguments in evaluations():
        ev = utfall.evaluate(cohort, progress=False, **arguments)
        ev.to_json(HERE / f"{name}.json", disclosure="full")
        print(name, ev.summary().iloc[:, :4].to_string())
