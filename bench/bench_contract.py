"""The payment distribution of the demo contract over 10,000 bootstrap replicates.

    python bench/bench_contract.py [--replicates 10000]

The demo's evaluation (synthetic register, 60 participants, 400 historical, seed
2016) with 10,000 BCa resamples of the savings, the synthetic school outcome and
Norrköping's terms. Timed:

- ``contract.settle(...)``: the whole settlement with the payment under uncertainty
  (the savings bootstrap re-run with its replicates kept, the school outcome's
  replicates drawn jointly by replaying the same resamples in the core, the
  mechanism on every replicate, the contract without the guarantee for its value);
- the mechanism alone on the 10,000 replicates (``Contract.settle_arrays``), against the
  same formula written in numpy (the peer) on the same arrays; the totals must agree.

Target: the payment distribution under 0.1 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import utfall
from utfall.demo import demo_evaluation


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def numpy_norrkoping(s, school, f):
    bonus = np.where(school > 0, np.minimum(0.6 * np.maximum(s - f, 0.0), 0.2 * f), 0.0)
    conditional = 0.6 * np.clip(s, 0.0, f)
    return np.minimum(0.4 * f + conditional + bonus, 1.2 * f)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=10_000)
    args = parser.parse_args()
    cohort = utfall.synthetic.register(60, 400, seed=2016)
    ev = demo_evaluation(cohort, 2016, horizons=("2y",), n_resamples=args.replicates)
    school = utfall.change_scores(utfall.synthetic.outcomes(cohort), "school_before", "school_after",
                                  reason="reason", pending=["not home long enough"], seed=2016, name="school")
    contract = utfall.Contract.norrkoping(7.5e6)
    settle = lambda: contract.settle(ev, "2y", {"school": school})  # noqa: E731
    s = settle()
    t_settle = best_of(settle)
    metrics = {"savings": s.risk.metrics["savings"], "school": s.risk.metrics["school"]}
    t_core = best_of(lambda: contract.settle_arrays(metrics), repeat=20)
    t_numpy = best_of(lambda: numpy_norrkoping(metrics["savings"], metrics["school"], 7.5e6), repeat=20)
    np.testing.assert_allclose(contract.settle_arrays(metrics)["total"],
                               numpy_norrkoping(metrics["savings"], metrics["school"], 7.5e6), rtol=0, atol=1e-6)
    print(f"{s.risk.n_replicates:,} replicates; P(investor loses) = {s.risk.p_investor_loses:.3f}, "
          f"expected payment {s.risk.expected_payment / 1e6:.3f} MSEK")
    print(f"contract.settle with the payment distribution: {t_settle * 1e3:.1f} ms (target < 100 ms)")
    print(f"mechanism alone: utfall core {t_core * 1e3:.3f} ms, numpy {t_numpy * 1e3:.3f} ms, "
          f"ratio {t_numpy / t_core:.2f}")


if __name__ == "__main__":
    main()
