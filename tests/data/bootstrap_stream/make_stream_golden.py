"""Writes stream_golden.json: replicates of the totals-statistic bootstrap as made by
utfall main at commit 87298fc (before the multi-lane kernel), for the tests that prove
the faster kernel gives the same bits (tests/test_bootstrap_stream.py).

    python tests/data/bootstrap_stream/make_stream_golden.py   # run on the commit named above

Each case stores the SHA-256 of the replicate values (float64, little-endian) and of the
variances, and the first five values in full precision (repr) for a readable diff.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from utfall import _core

HERE = Path(__file__).parent


def cases():
    rng = np.random.default_rng(20261203)
    for n in (2, 3, 5, 8, 13, 1001, 4096, 65_537):
        x = rng.lognormal(8.0, 1.2, n)
        yield f"mean n={n}", [x], [("mean", 0.0)], None, 777 if n < 100 else 61
    x = rng.lognormal(8.0, 1.2, 999)
    yield "sum n=999 studentized", [x], [("sum", 0.0)], None, 50
    x = rng.normal(size=1500)
    samples = (rng.random(1500) < 0.3).astype(np.uint32)
    yield "difference_of_means two samples", [x], [("difference of means", 0.0)], samples, 40
    a, b = rng.lognormal(size=321), rng.lognormal(size=321)
    yield "ratio_of_sums paired", [a, b], [("ratio of sums", 0.0)], None, 40


def compute():
    out = {}
    for name, columns, stat, samples, count in cases():
        plan = _core.BootstrapPlan([np.ascontiguousarray(c) for c in columns], stat, samples=samples)
        for seed, start in ((1, 0), (2**63 + 5, 12_345)):
            values, var = plan.run(seed, start, count, True, 1)
            values = np.ascontiguousarray(values[:, 0], dtype="<f8")
            var = np.ascontiguousarray(var, dtype="<f8")
            out[f"{name} seed={seed} start={start} count={count}"] = {
                "values_sha256": hashlib.sha256(values.tobytes()).hexdigest(),
                "variances_sha256": hashlib.sha256(var.tobytes()).hexdigest(),
                "first": [repr(float(v)) for v in values[:5]],
            }
    return out


if __name__ == "__main__":
    (HERE / "stream_golden.json").write_text(json.dumps(compute(), indent=1) + "\n")
