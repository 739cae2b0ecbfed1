"""Writes expected_golden.json: expected outcomes and trajectories of four evaluations.

Made with utfall 0.1.0 *before* expected costs and trajectories moved from Python
(numpy) into the Rust core, so that tests/test_expected_golden.py can prove the
move changed no bit. Floats are stored as hex strings (float.hex), exact.
Run: python tests/data/golden/make_expected_golden.py
"""

import json
from pathlib import Path

import numpy as np

import utfall

SPECS = {
    "matched_observed": dict(matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                             horizons=("2y", "3y")),
    "matched_2to1_complete": dict(matching={"covariates": ["age", "prior_cost_total"], "ratio": 2, "replace": True,
                                            "lookback": "2y"}, horizons=("3y",), partial="complete"),
    "stratum": dict(matching={"estimator": "stratum", "exact": ["sex"]}, horizons=("2y", "3y")),
    "care_days_hvb": dict(matching={"covariates": ["age", "sex"]}, horizons=("3y",), outcome="care_days",
                          care_types=["HVB", "SiS"]),
}


def hexes(values) -> list:
    return [float(v).hex() for v in np.asarray(values, dtype=np.float64)]


def snapshot() -> dict:
    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    out = {}
    for name, spec in SPECS.items():
        ev = utfall.evaluate(cohort, bootstrap=False, seed=7, progress=False, **spec)
        table = ev.individuals
        cols = [c for c in table.columns if c.startswith(("expected", "actual")) or c == "savings"]
        out[name] = {
            "individuals": {c: hexes(table[c]) for c in cols},
            "n_comparison": table["n_comparison"].astype(int).tolist(),
            "trajectories": {h: {c: hexes(ev.trajectory(h)[c]) for c in ("expected", "actual", "savings")}
                             for h in ev.horizons},
        }
    return out


if __name__ == "__main__":
    target = Path(__file__).with_name("expected_golden.json")
    target.write_text(json.dumps(snapshot(), indent=0))
    print(f"wrote {target}")
