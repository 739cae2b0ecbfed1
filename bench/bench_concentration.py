"""utfall.concentration (all measures, point estimates) on 10 million values vs numpy's sort.

    python bench/bench_concentration.py [--n 10000000]

The measures need the values sorted once (Gini, Lorenz, top shares); the
target is at most 1.5 times the time numpy takes to sort the same array.
"""

from __future__ import annotations

import argparse
import os
import time

import warnings

import numpy as np

import utfall


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    warnings.simplefilter("ignore")  # the MLD-with-zeros warning
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    x = rng.lognormal(8.0, 1.5, size=args.n) * (rng.random(args.n) > 0.4)  # 40% zeros, like care costs
    t_sort = best_of(lambda: np.sort(x))
    t_ours = best_of(lambda: utfall.concentration(x, n_resamples=0, progress=False))
    c = utfall.concentration(x[:1000], n_resamples=0)
    assert c.n == 1000
    print(f"utfall {utfall.__version__}, {os.cpu_count()} cores, n = {args.n:,}")
    print(f"numpy sort {t_sort:.3f} s; utfall.concentration (top 20%/50% shares, Gini x2, Hoover, Theil, MLD, "
          f"Herfindahl, 101 Lorenz points) {t_ours:.3f} s; ratio {t_ours / t_sort:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
