"""Benchmark: net short-term sick days per employee and month, utfall vs vectorised pandas.

Generates the synthetic absence register (``utfall.sickleave.synthetic_register``)
with about one million employee-years (two municipalities, 2014-2021), then computes
the net short-term days (days 1-14 of every spell, at extent) per employee and
calendar month over the 96 months, once with ``Register.short_term_days`` (the
Rust core, returning an employees x months DataFrame) and once in pandas/numpy.

The pandas version is vectorised, not a row loop: each spell's days 1-14 are
``[first, min(first + 14, last + 1))``; fourteen days span at most two months, so
each spell contributes one part to the month it starts in and one to the next,
and a groupby over (employee, month) sums the parts. Both results are compared
(to 1e-9) before the timings are printed. The two are timed in interleaved rounds (the
machine may be shared), best and median printed.

Run: ``python bench/bench_sickleave.py [posts_per_municipality]``
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np
import pandas as pd

import utfall


def pandas_short_term(spells: pd.DataFrame, data_end: np.datetime64, first: str, last: str) -> pd.Series:
    """Net days 1-14 per (id, month) as a Series indexed by (id, month period), zeros left out."""
    start = spells["first_day"].to_numpy().astype("datetime64[D]")
    end = spells["last_day"].fillna(pd.Timestamp(data_end)).to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
    end = np.minimum(end, start + np.timedelta64(14, "D"))
    month = start.astype("datetime64[M]")
    next_month = (month + np.timedelta64(1, "M")).astype("datetime64[D]")
    extent = spells["extent"].to_numpy()
    part1 = (np.minimum(end, next_month) - start).astype(np.int64) * extent
    part2 = np.maximum((end - next_month).astype(np.int64), 0) * extent
    ids = spells["id"].to_numpy()
    frame = pd.DataFrame({
        "id": np.concatenate([ids, ids]),
        "month": np.concatenate([month, month + np.timedelta64(1, "M")]),
        "days": np.concatenate([part1, part2]),
    })
    lo, hi = np.datetime64(first, "M"), np.datetime64(last, "M")
    frame = frame[(frame["days"] > 0) & (frame["month"] >= lo) & (frame["month"] <= hi)]
    return frame.groupby(["id", "month"])["days"].sum()


def numpy_short_term_dense(spells: pd.DataFrame, data_end: np.datetime64, ids: pd.Index,
                           first: str, last: str) -> np.ndarray:
    """The same parts summed with ``np.bincount`` straight into a dense employees x months array
    (no DataFrame): the fastest plain-numpy way we know, printed for context."""
    start = spells["first_day"].to_numpy().astype("datetime64[D]")
    end = spells["last_day"].fillna(pd.Timestamp(data_end)).to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
    end = np.minimum(end, start + np.timedelta64(14, "D"))
    month = start.astype("datetime64[M]")
    next_month = (month + np.timedelta64(1, "M")).astype("datetime64[D]")
    extent = spells["extent"].to_numpy()
    part1 = (np.minimum(end, next_month) - start).astype(np.int64) * extent
    part2 = np.maximum((end - next_month).astype(np.int64), 0) * extent
    lo, hi = np.datetime64(first, "M"), np.datetime64(last, "M")
    n_months = int((hi - lo).astype(np.int64)) + 1
    offset = (month - lo).astype(np.int64)
    row = ids.get_indexer(spells["id"].to_numpy())
    cell = np.concatenate([row * n_months + offset, row * n_months + offset + 1])
    days = np.concatenate([part1, part2])
    months = np.concatenate([offset, offset + 1])
    keep = (months >= 0) & (months < n_months)
    return np.bincount(cell[keep], weights=days[keep], minlength=len(ids) * n_months).reshape(len(ids), n_months)


def pandas_short_term_wide(spells: pd.DataFrame, data_end: np.datetime64, ids: pd.Index,
                           first: str, last: str) -> pd.DataFrame:
    """The same computation with the same output as utfall: an employees x months DataFrame."""
    long = pandas_short_term(spells, data_end, first, last)
    months = pd.period_range(first, last, freq="M")
    wide = long.unstack(fill_value=0.0)
    wide.columns = pd.PeriodIndex(wide.columns, freq="M")
    return wide.reindex(index=ids, columns=months, fill_value=0.0)


def main() -> None:
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 62_500
    t = time.perf_counter()
    reg = utfall.sickleave.synthetic_register(posts=posts, seed=2018)
    build = time.perf_counter() - t
    years = reg.employed("2014-01", "2021-12").to_numpy().sum() / 12
    print(f"register: {reg.n:,} employees, {len(reg.spells):,} spells, {years:,.0f} employee-years "
          f"(generated and validated in {build:.1f} s)")

    # Interleaved (utfall, pandas, pandas long) rounds, so that both sides of each ratio are
    # timed under the same load of the shared machine; the best and the median round are printed.
    fns = {"utfall": lambda: reg.short_term_days("2014-01", "2021-12"),
           "pandas": lambda: pandas_short_term_wide(reg.spells, reg.data_end, pd.Index(reg.employees["id"]),
                                                    "2014-01", "2021-12"),
           "pandas, long format only": lambda: pandas_short_term(reg.spells, reg.data_end, "2014-01", "2021-12"),
           "numpy bincount": lambda: numpy_short_term_dense(reg.spells, reg.data_end, pd.Index(reg.employees["id"]),
                                                            "2014-01", "2021-12")}
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    times: dict = {k: [] for k in fns}
    outputs = {}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            outputs[name] = fn()
            times[name].append(time.perf_counter() - t)
    timings = {k: (min(v), outputs[k]) for k, v in times.items()}
    ratios = np.array(times["pandas"]) / np.array(times["utfall"])

    wide, long = timings["utfall"][1], timings["pandas, long format only"][1]
    same = float(np.max(np.abs(wide.to_numpy() - timings["pandas"][1].to_numpy())))
    assert same <= 1e-9, f"utfall and the wide pandas result differ by {same}"
    stacked = wide.stack()
    stacked = stacked[stacked != 0]
    stacked.index = pd.MultiIndex.from_arrays(
        [stacked.index.get_level_values(0),
         stacked.index.get_level_values(1).to_timestamp().to_numpy().astype("datetime64[M]")],
        names=["id", "month"])
    joined = pd.concat([stacked.rename("utfall"), long.rename("pandas")], axis=1).fillna(0.0)
    diff = float(np.max(np.abs(joined["utfall"] - joined["pandas"])))
    assert diff <= 1e-9, f"utfall and pandas differ by {diff}"
    dense = float(np.max(np.abs(wide.to_numpy() - timings["numpy bincount"][1])))
    assert dense <= 1e-9, f"utfall and numpy bincount differ by {dense}"
    total = float(wide.to_numpy().sum())
    tu, tp, tl = (timings[k][0] for k in ("utfall", "pandas", "pandas, long format only"))
    print(f"net short-term days per employee-month, {wide.shape[0]:,} x {wide.shape[1]} months, "
          f"total {total:,.1f} days; max |utfall - pandas| = {max(diff, same):.1e}")
    print(f"utfall {tu:.3f} s; pandas with the same output (employees x months DataFrame) {tp:.3f} s: "
          f"utfall {tp / tu:.1f}x faster")
    print(f"pandas computing only the non-zero (employee, month) cells, "
          f"long format: {tl:.3f} s ({tl / tu:.1f}x utfall's time)")
    tb = timings["numpy bincount"][0]
    print(f"numpy np.bincount into a dense array (no DataFrame): {tb:.3f} s ({tb / tu:.1f}x utfall's time)")
    print(f"per round: utfall {', '.join(f'{t:.3f}' for t in times['utfall'])} s; pandas "
          f"{', '.join(f'{t:.3f}' for t in times['pandas'])} s; ratio median {np.median(ratios):.1f}x, "
          f"range {ratios.min():.1f}-{ratios.max():.1f}x")
    print(f"(best of {rounds} interleaved rounds; {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
