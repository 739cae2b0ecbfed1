"""The duplicate-id check of ``utfall.match`` against pandas' own, on the same ids, in one run.

    python bench/bench_ids.py [--n 1010000] [--repeat 15]

A match on a table with an id column first makes sure no id occurs twice (the error names the
first repeat's row, as pandas' first ``duplicated()``). utfall checks Arrow-backed text
(pandas 3's ``str``), Python-object text (pandas 2's default), integer and date ids in its core
(``utfall._frames.first_repeated_id``); the peer is ``pandas.Index.has_duplicates`` on a fresh
index (an index caches its answer, so each pandas call gets a new one, made outside the timing).
Both give the same answer on every layout (asserted), and a planted repeat is found at its row
by both. Ids are ``"P0000000"``-style texts, in order (a register extract sorted by id) and
shuffled, and integers, in order and shuffled. Best of ``--repeat`` calls each.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Callable, List

import numpy as np
import pandas as pd

import utfall
from utfall._frames import first_repeated_id


def best(f: Callable[[], object], repeat: int) -> float:
    times: List[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def pandas_time(values: np.ndarray, dtype: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        index = pd.Index(values, dtype=dtype)  # a fresh index: nothing cached
        start = time.perf_counter()
        _ = index.has_duplicates
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_010_000, help="ids (bench_matching's problem has 1,010,000)")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    n = args.n
    order = np.random.default_rng(1).permutation(n)
    text = np.array([f"P{i:07d}" for i in range(n)], dtype=object)
    layouts = {
        "text (str), in order": (text, "str"),
        "text (str), shuffled": (text[order], "str"),
        "text (object), in order": (text, object),
        "text (object), shuffled": (text[order], object),
        "integers, in order": (np.arange(n, dtype=np.int64) * 7 + 1, None),
        "integers, shuffled": (order.astype(np.int64) * 7 + 1, None),
    }
    print(f"utfall {utfall.__version__}, pandas {pd.__version__}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}; {n:,} ids, best of {args.repeat}")
    print(f"{'ids':26s} {'utfall':>10s} {'pandas':>10s} {'ratio':>8s}")
    for label, (values, dtype) in layouts.items():
        index = pd.Index(values, dtype=dtype)
        assert first_repeated_id(index) is None and not pd.Index(values, dtype=dtype).has_duplicates
        planted = values.copy()
        planted[n - 10] = planted[n // 2]
        want = int(np.flatnonzero(pd.Index(planted, dtype=dtype).duplicated())[0])
        assert first_repeated_id(pd.Index(planted, dtype=dtype)) == want == n - 10
        ours = best(lambda: first_repeated_id(index), args.repeat)
        theirs = pandas_time(values, dtype, max(3, args.repeat // 3))
        print(f"{label:26s} {ours * 1e3:8.2f} ms {theirs * 1e3:8.2f} ms {theirs / ours:7.1f}x", flush=True)


if __name__ == "__main__":
    main()
