"""The faster bootstrap kernels give the bits of the one-replicate path (stream version 1).

- The replicates of totals statistics match golden hashes written by utfall main at
  87298fc, before the multi-lane kernel (tests/data/bootstrap_stream/).
- Beyond the cache size replicates are drawn four at a time with prefetching; one
  replicate per call never takes that path, so equality with it, on 1, 2 and 3 threads
  and in several batch sizes, shows the lanes change no bit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import utfall
from utfall import _core

DATA = Path(__file__).parent / "data" / "bootstrap_stream"


def test_replicates_match_the_golden_stream() -> None:
    sys.path.insert(0, str(DATA))
    try:
        from make_stream_golden import compute
    finally:
        sys.path.remove(str(DATA))
    golden = json.loads((DATA / "stream_golden.json").read_text())
    got = compute()
    assert got.keys() == golden.keys()
    for key in golden:
        assert got[key] == golden[key], key


@pytest.mark.parametrize("statistic,two_samples", [("mean", False), ("difference of means", True)])
def test_lanes_match_one_replicate_per_call(statistic: str, two_samples: bool) -> None:
    rng = np.random.default_rng(11)
    n = 140_003
    x = rng.lognormal(8.0, 1.2, n)
    samples = (np.arange(n) >= n - 77).astype(np.uint32) if two_samples else None
    plan = _core.BootstrapPlan([x], [(statistic, 0.0)], samples=samples)
    count = 13
    one = [plan.run(5, 100 + r, 1, True, 1) for r in range(count)]
    one_values = np.array([v[0, 0] for v, _ in one])
    one_var = np.array([var[0] for _, var in one])
    for threads in (1, 2, 3):
        values, var = plan.run(5, 100, count, True, threads)
        assert values[:, 0].tobytes() == one_values.tobytes()
        assert var.tobytes() == one_var.tobytes()


def test_public_bootstrap_is_the_same_for_threads_and_batches() -> None:
    x = np.random.default_rng(12).lognormal(8.0, 1.2, 150_001)
    runs = [utfall.bootstrap(x, "mean", n_resamples=200, methods=("percentile", "bca", "studentized"), seed=9,
                             keep_distribution=True, progress=False, n_threads=t, batch_size=b)
            for t, b in ((1, 1), (2, 200), (3, 37))]
    first = runs[0]
    for other in runs[1:]:
        assert np.asarray(other.distribution).tobytes() == np.asarray(first.distribution).tobytes()
        for m in ("percentile", "bca", "studentized"):
            assert other.interval(m) == first.interval(m)
