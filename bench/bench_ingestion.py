"""Benchmark: building a cohort of 1 M individuals and about 5 M episodes (and 4.7 M ledger rows) from
pandas, pyarrow, polars and Arrow-backed pandas frames and from Parquet files.

Each input kind runs in a fresh process: the synthetic register
(``utfall.synthetic.register(0, 1_000_000, seed=1, as_frames=True)``) is made and converted to
the kind first, then ``Cohort.from_frames`` (``Cohort.from_parquet`` for files) is timed. Memory is
the peak above what the process held just before the call (the input frames): the resident set
sampled every 2 ms from ``/proc/self/statm`` (it sees numpy, Arrow and Rust allocations alike)
and tracemalloc's peak (Python and numpy allocations only). The cohorts of every kind are checked
to have the same fingerprints.

Run: ``python bench/bench_ingestion.py [n_individuals] [--repeat 3] [--kinds pandas,polars,...]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

KINDS = ["pandas", "pyarrow", "polars", "arrow-pandas", "parquet"]
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakRSS:
    """The highest resident set seen while the block runs, sampled every 2 ms."""

    def __enter__(self) -> "PeakRSS":
        self.before = self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def cpu_model() -> str:
    """The CPU's name (``lscpu``'s "Model name"), for the record."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "CPU ?")
    except OSError:
        return "CPU ?"


def inputs(kind: str, n: int, folder: str) -> dict:
    import pandas as pd

    import utfall

    frames = utfall.synthetic.register(0, n, seed=1, as_frames=True)
    if kind == "pandas":
        return frames
    import pyarrow as pa

    tables = {k: (pa.Table.from_pandas(v, preserve_index=False) if isinstance(v, pd.DataFrame) else v)
              for k, v in frames.items()}
    if kind == "pyarrow":
        return tables
    if kind == "polars":
        import polars as pl

        return {k: (pl.from_arrow(v) if isinstance(v, pa.Table) else v) for k, v in tables.items()}
    if kind == "arrow-pandas":
        return {k: (v.to_pandas(types_mapper=pd.ArrowDtype) if isinstance(v, pa.Table) else v)
                for k, v in tables.items()}
    import pyarrow.parquet as pq

    out = {}
    for k, v in tables.items():
        if isinstance(v, pa.Table):
            path = os.path.join(folder, f"{k}.parquet")
            pq.write_table(v, path)
            out[k] = path
        else:
            out[k] = v
    return out


def one(kind: str, n: int, repeat: int) -> dict:
    """Times one kind in this process; returns the numbers as a dict."""
    import utfall

    with tempfile.TemporaryDirectory() as folder:
        args = inputs(kind, n, folder)
        build = utfall.Cohort.from_parquet if kind == "parquet" else utfall.Cohort.from_frames
        walls, cpus = [], []
        for _ in range(repeat):
            gc.collect()
            with PeakRSS() as memory:
                wall, cpu = time.perf_counter(), time.process_time()
                cohort = build(**args)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            walls.append(wall)
            cpus.append(cpu)
            fingerprints = cohort.fingerprints()
            del cohort
        gc.collect()
        tracemalloc.start()
        cohort = build(**args)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"kind": kind, "wall": min(walls), "cpu": min(cpus), "rss_peak_above_input": memory.peak - memory.before,
                "tracemalloc_peak": traced, "episodes": len(cohort.episodes), "fingerprints": fingerprints}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.n, args.repeat)))
        return
    import utfall

    print(f"utfall {utfall.__version__}; {cpu_model()}, {os.cpu_count()} cores; load average {os.getloadavg()}")
    print(f"Cohort.from_frames: {args.n:,} individuals (synthetic register, seed 1), best of {args.repeat}")
    results, failed = [], []
    for kind in args.kinds.split(","):
        out = subprocess.run([sys.executable, __file__, str(args.n), "--repeat", str(args.repeat), "--one", kind],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{kind:14s} failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
            failed.append(kind)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{kind:14s} {r['episodes']:>9,} episodes  {r['wall']:6.3f} s wall  {r['cpu']:6.3f} s CPU  "
              f"peak above input: RSS {r['rss_peak_above_input'] / 2**20:6.0f} MB, "
              f"tracemalloc {r['tracemalloc_peak'] / 2**20:6.0f} MB", flush=True)
    same = len({json.dumps(r["fingerprints"], sort_keys=True) for r in results}) == 1
    print(f"same fingerprints from every kind: {same}")
    # A kind that failed to run (pyarrow or polars missing) is not counted as met.
    slow = [r["kind"] for r in results if r["wall"] >= 0.6 or r["rss_peak_above_input"] >= 500 * 2**20] + failed
    print(f"under 0.6 s and 500 MB (issue 18): {'every kind' if not slow else 'not ' + ', '.join(slow)}")
    print(f"load average after: {os.getloadavg()}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
