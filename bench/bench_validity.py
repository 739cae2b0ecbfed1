"""The two timing targets of utfall.validity and evaluate(..., adjust=), in one run.

    python bench/bench_validity.py                 # both
    python bench/bench_validity.py --placebo-only  # the placebo in time only

1. Placebo in time: ``utfall.validity.placebo_in_time`` with 1,000 pseudo-cohorts on the
   synthetic register (400 historical, 60 participants), 2 and 3 years, 1:1 nearest
   neighbour on the logit of age, sex and prior cost (target < 10 s). The peer is the
   straightforward way to do the same with the public API: each pseudo-cohort relabelled
   as participants in a new Cohort and run through ``utfall.evaluate`` with the same
   matching (timed on 20 pseudo-cohorts and scaled to 1,000); no R package offers a
   placebo in time to compare with.
2. A regression-adjusted evaluation: ``utfall.evaluate(..., adjust=[...])`` with matching
   and 2,000 BCa resamples at 1 M historical / 10,000 participants (the register of
   ``bench_evaluation.py``; target < 30 s). The peer recomputes the bias correction from
   utfall's matched pairs with numpy (``lstsq`` of the pair-weighted regression) and must
   agree to 1e-6 relative.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import utfall

sys.path.insert(0, str(Path(__file__).parent))
from bench_evaluation import DATA_END, register  # noqa: E402

MATCHING = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"}


def placebo() -> None:
    c = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    t = time.perf_counter()
    p = utfall.validity.placebo_in_time(c, MATCHING, horizons=["2y", "3y"], n_cohorts=1000, seed=1, progress=False)
    ours = time.perf_counter() - t
    print(f"placebo_in_time, 1,000 pseudo-cohorts of 60 (400 historical), 2y + 3y: {ours:.2f} s (target < 10 s)")
    print(p.summary()[["drift_total", "drift_percent", "sd_total"]].to_string())
    # The peer: relabel a pseudo-cohort, rebuild the cohort, utfall.evaluate.
    ind = c.individuals.reset_index(drop=True)
    later = np.flatnonzero((ind["group"] == "historical") & (ind["index_date"] >= p.split))
    earlier = np.flatnonzero((ind["group"] == "historical") & (ind["index_date"] < p.split))
    rng = np.random.default_rng(1)
    k = 20
    t = time.perf_counter()
    for _ in range(k):
        pseudo = rng.choice(later, 60, replace=False)
        people = ind.iloc[np.concatenate([pseudo, earlier])].copy()
        people["group"] = np.r_[["participant"] * 60, ["historical"] * len(earlier)]
        ids = set(people["id"])
        cc = utfall.Cohort.from_frames(people, c.episodes[c.episodes["id"].isin(ids)], tariffs=c.tariffs,
                                       costs=c.costs_ledger[c.costs_ledger["id"].isin(ids)],
                                       price_index=c.price_index, data_end="2021-10-31")
        utfall.evaluate(cc, MATCHING, horizons=["2y", "3y"], bootstrap=False, seed=1, progress=False)
    peer = (time.perf_counter() - t) / k * 1000
    print(f"peer (relabelled cohort + utfall.evaluate per pseudo-cohort, {k} timed, scaled to 1,000): {peer:.1f} s; "
          f"ratio peer/utfall {peer / ours:.1f}")


def adjusted(n_hist: int, n_part: int, resamples: int) -> None:
    tables = register(n_hist, n_part)
    cohort = utfall.Cohort.from_frames(*tables, data_end=str(DATA_END), base_year=2020)
    covs = ["sex", "age", "prior_cost_total"]
    matching = {"covariates": covs + ["prior_placements"], "lookback": "2y"}
    t = time.perf_counter()
    ev = utfall.evaluate(cohort, matching, horizons=["2y", "3y"], bootstrap={"n_resamples": resamples}, seed=2016,
                         progress=False, adjust=covs)
    ours = time.perf_counter() - t
    print(f"utfall.evaluate(adjust=...) at {n_hist:,} historical / {n_part:,} participants, matching, 2y + 3y, "
          f"{resamples} BCa resamples: {ours:.2f} s (target < 30 s)")
    print(ev.summary(readable=False)[["expected_total", "actual_total", "savings_total", "savings_low",
                                      "savings_high"]].to_string())
    # numpy peer of the correction at 2y, from utfall's own pairs.
    t = time.perf_counter()
    h = "2y"
    pairs = ev.comparisons[h].match.pairs
    hist = cohort.history("2y")
    x = pd.DataFrame({"sex": cohort.individuals["sex"].to_numpy(), "age": cohort.individuals["age"].to_numpy(),
                      "prior_cost_total": hist["prior_cost_total"].to_numpy()}, index=cohort.ids)
    full = cohort.costs(h)
    ind = ev.individuals[ev.individuals["horizon"] == h]
    pairs = pairs[ind.loc[pairs["treated"], "complete"].to_numpy()]  # full windows: the control's own total
    y = full.loc[pairs["control"]].filter(regex="^(cost_|ledger_)").drop(columns="cost_total").sum(axis=1).to_numpy()
    k = pairs.groupby("treated")["control"].transform("size").to_numpy()
    X = np.column_stack([np.ones(len(pairs)), x.loc[pairs["control"]].to_numpy(float)])
    w = np.sqrt(1.0 / k)
    beta = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)[0]
    mu_c = X @ beta
    own = np.column_stack([np.ones(len(pairs)), x.loc[pairs["treated"]].to_numpy(float)]) @ beta
    corr = pd.Series(own - mu_c).groupby(pairs["treated"].to_numpy()).mean()
    peer = time.perf_counter() - t
    got = ind.loc[corr.index, "bias_correction"].to_numpy()
    # The peer regresses on the pairs of complete participants only (all of them at 2y here).
    rel = np.abs(got - corr.to_numpy()).max() / np.abs(corr.to_numpy()).max()
    print(f"numpy peer of the 2y correction (complete windows only): {peer:.2f} s; max relative difference {rel:.2e}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--placebo-only", action="store_true")
    parser.add_argument("--historical", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args(argv)
    placebo()
    if not args.placebo_only:
        adjusted(args.historical, args.participants, args.resamples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
