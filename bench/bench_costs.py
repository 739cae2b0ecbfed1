"""Benchmark: per-individual follow-up costs, utfall vs a pandas implementation.

Generates a synthetic register (``utfall.synthetic.register``, as frames) of one
million historical individuals with about five million episodes, then computes
care days and costs per care type plus outpatient costs over each individual's
two-year follow-up window ``[index, index + 2y)``, clipped at the end of data,
with piecewise daily tariffs and a yearly price index, once with
``Cohort.costs("2y")`` and once in pandas/numpy. Both results are compared
before the timings are printed.

The pandas version is a fair one, not a row loop: a merge of episodes with the
individuals' windows, clipping, a cumulative price curve per care type
(``C(t)`` = cost of the days before ``t``, so the cost of ``[a, b)`` is
``C(b) - C(a)``; breakpoints at every tariff change and every new year), the
ledger filtered to the window and rebased by the price index, and groupby sums.

Run: ``python bench/bench_costs.py [n_individuals]``
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np
import pandas as pd

import utfall


def pandas_costs(frames: dict, years: int = 2) -> pd.DataFrame:
    """Care days, care costs and ledger amounts per individual, in pandas."""
    ind = frames["individuals"][["id", "index_date", "end_of_data"]].copy()
    ind["end_of_data"] = ind["end_of_data"].fillna(frames["data_end"])
    ind["window_end"] = ind["index_date"] + pd.DateOffset(years=years)
    ind["until"] = np.minimum(ind["window_end"], ind["end_of_data"] + pd.Timedelta(days=1))
    ind = ind.set_index("id")

    # Price curve per care type: daily cost in base-year prices on each piece
    # between tariff changes and new years, cumulated.
    pidx = frames["price_index"].set_index("year")["index"]
    factor = pidx[frames["base_year"]] / pidx
    tariffs = frames["tariffs"]
    curves = {}
    year_starts = pd.to_datetime([f"{y}-01-01" for y in pidx.index])
    for care_type, t in tariffs.groupby("care_type", observed=True):
        t = t.sort_values("valid_from")
        breaks = np.unique(np.concatenate([t["valid_from"].to_numpy("datetime64[D]"),
                                           year_starts.to_numpy("datetime64[D]")]))
        breaks = breaks[breaks >= t["valid_from"].min().to_datetime64()].astype(np.int64)
        k = np.searchsorted(t["valid_from"].to_numpy("datetime64[D]").astype(np.int64), breaks, side="right") - 1
        rate = (t["daily_cost"].to_numpy()[k]
                * factor.reindex(breaks.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970).to_numpy())
        cumulative = np.concatenate([[0.0], np.cumsum(rate[:-1] * np.diff(breaks))])
        curves[care_type] = (breaks, rate, cumulative)

    def curve(care_type: str, day: np.ndarray) -> np.ndarray:
        breaks, rate, cumulative = curves[care_type]
        j = np.searchsorted(breaks, day, side="right") - 1
        return cumulative[j] + (day - breaks[j]) * rate[j]

    ep = frames["episodes"].merge(ind[["index_date", "until", "end_of_data"]], left_on="id", right_index=True)
    end = ep["end"].fillna(ep["end_of_data"] + pd.Timedelta(days=1))
    a = np.maximum(ep["start"], ep["index_date"]).to_numpy("datetime64[D]").astype(np.int64)
    b = np.minimum(end, ep["until"]).to_numpy("datetime64[D]").astype(np.int64)
    inside = b > a
    ep = pd.DataFrame({"id": ep["id"].to_numpy()[inside], "care_type": ep["care_type"].to_numpy()[inside],
                       "a": a[inside], "b": b[inside]})
    ep["days"] = (ep["b"] - ep["a"]).astype(float)
    ep["cost"] = 0.0
    for care_type in curves:
        rows = (ep["care_type"] == care_type).to_numpy()
        ep.loc[rows, "cost"] = curve(care_type, ep["b"].to_numpy()[rows]) - curve(care_type, ep["a"].to_numpy()[rows])
    care = ep.groupby(["id", "care_type"], observed=True)[["days", "cost"]].sum().unstack(fill_value=0.0)

    led = frames["costs"].merge(ind[["index_date", "until"]], left_on="id", right_index=True)
    led = led[(led["date"] >= led["index_date"]) & (led["date"] < led["until"])]
    led = led.assign(amount=led["amount"].to_numpy() * factor.reindex(led["date"].dt.year).to_numpy())
    ledger = led.groupby(["id", "category"], observed=True)["amount"].sum().unstack(fill_value=0.0)

    out = pd.DataFrame(index=ind.index)
    for care_type in tariffs["care_type"].cat.categories if hasattr(tariffs["care_type"], "cat") else curves:
        out[f"care_days_{care_type}"] = (care["days"].get(care_type, pd.Series(dtype=float))
                                         .reindex(out.index).fillna(0.0))
        out[f"cost_{care_type}"] = care["cost"].get(care_type, pd.Series(dtype=float)).reindex(out.index).fillna(0.0)
    for category in ledger.columns:
        out[f"ledger_{category}"] = ledger[category].reindex(out.index).fillna(0.0)
    return out


REPEATS = 5


def best_of(work, repeats: int) -> float:
    """The shortest wall time of ``repeats`` runs of ``work()``."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return min(times)


def main(n: int = 1_000_000) -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, pandas {pd.__version__}, utfall {utfall.__version__}")
    t0 = time.perf_counter()
    frames = utfall.synthetic.register(0, n, seed=1, as_frames=True)
    t1 = time.perf_counter()
    cohort = utfall.Cohort.from_frames(**frames)
    t2 = time.perf_counter()
    print(f"register: {n:,} individuals, {len(frames['episodes']):,} episodes, {len(frames['costs']):,} ledger rows; "
          f"generated in {t1 - t0:.2f} s, Cohort.from_frames in {t2 - t1:.2f} s")

    # Same numbers first (all individuals, relative tolerance for the cumulative curve's rounding).
    ours = cohort.costs("2y")
    theirs = pandas_costs(frames)
    for column in theirs.columns:
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].reindex(ours.index).to_numpy(),
                                   rtol=1e-9, atol=1e-6, err_msg=column)
    print(f"checked: utfall and pandas agree on {len(theirs.columns)} columns for all {len(ours):,} individuals")

    # Best of a few runs each: the machine is shared, the minimum is the least disturbed.
    utfall_time = best_of(lambda: cohort.costs("2y"), REPEATS)
    pandas_time = best_of(lambda: pandas_costs(frames), REPEATS)
    print(f"cohort.costs('2y'), best of {REPEATS}: utfall {utfall_time:.3f} s, pandas {pandas_time:.3f} s, "
          f"utfall is {pandas_time / utfall_time:.1f}x faster")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
