"""Bootstrap intervals for the savings of an evaluation.

Matched sets are resampled as clusters (Austin & Small 2014). Participant ``i``
with its comparison individuals forms one cluster whose contribution to the
total savings is ``d_i = expected_i - actual_i``, a function of that cluster
alone; so resampling matched sets whole is resampling the ``d_i`` with
replacement, and the total savings of a replicate is ``sum_i d*_i``. With
matching *with* replacement (or the stratum estimator) comparison individuals
are shared between sets: participants are resampled and each brings its own
comparison set along, which treats the comparison means as fixed.

``rematch=True`` instead resamples participants *and* the historical pool,
redoes the matching (or the strata) and recomputes every expected cost inside
each replicate, so the uncertainty of the comparison group is included. It is
much slower (one full evaluation per replicate) and gives percentile
intervals only (BCa would need a jackknife of whole evaluations).
Replicate ``b`` uses the seed ``numpy.random.SeedSequence(seed).spawn(B)[b]``.
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..resampling import bootstrap
from ._engine import run


def savings_interval(savings: np.ndarray, *, n_resamples: int, confidence_level: float, method: str, seed: int,
                     intervention_cost: float, n_threads: Optional[int], progress: bool) -> dict:
    """Interval for the total savings ``sum_i d_i`` by resampling matched sets.

    Returns ``low``, ``high``, ``standard_error``, ``p_positive`` (share of
    replicates with total savings > 0) and ``p_cover`` (share with total
    savings > the intervention cost).
    """
    result = bootstrap(np.asarray(savings, dtype=np.float64), statistic="sum", n_resamples=n_resamples,
                       confidence_level=confidence_level, methods=(method,), seed=seed, keep_distribution=True,
                       n_threads=n_threads, progress=progress)
    intervals = result.intervals
    row = intervals[intervals["method"] == method].iloc[0]
    distribution = np.asarray(result.distribution, dtype=np.float64)
    return {"low": float(row["low"]), "high": float(row["high"]), "standard_error": float(result.standard_error),
            "p_positive": float(np.mean(distribution > 0.0)),
            "p_cover": float(np.mean(distribution > intervention_cost))}


def savings_band(cumulative_savings: np.ndarray, *, n_resamples: int, confidence_level: float, seed: int,
                 n_threads: Optional[int]) -> tuple:
    """Pointwise percentile band of the summed cumulative savings, month by month.

    Every month uses the same seed, hence the same resampled participants, so
    the band is that of one set of replicate curves.
    """
    months = cumulative_savings.shape[1]
    low = np.full(months, np.nan)
    high = np.full(months, np.nan)
    if cumulative_savings.shape[0] < 2:
        return low, high
    for m in range(months):
        with warnings.catch_warnings():
            # Early months often have few distinct values; the band is a display aid,
            # the warnings belong to the interval of the total, which keeps them.
            warnings.simplefilter("ignore")
            result = bootstrap(np.ascontiguousarray(cumulative_savings[:, m]), statistic="sum", n_resamples=n_resamples,
                               confidence_level=confidence_level, methods=("percentile",), seed=seed,
                               n_threads=n_threads, progress=False)
        row = result.intervals.iloc[0]
        low[m], high[m] = float(row["low"]), float(row["high"])
    return low, high


def percentile_interval(distribution: np.ndarray, confidence_level: float) -> tuple:
    """Percentile interval of a replicate distribution (quantiles of type 7, as R's default)."""
    alpha = (1.0 - confidence_level) / 2.0
    values = np.sort(distribution[np.isfinite(distribution)])
    if len(values) == 0:
        return np.nan, np.nan
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1.0 - alpha))


def resampled_cohort(cohort, positions: np.ndarray):
    """A cohort of the individuals at ``positions`` (repeats allowed), each copy with its own id ``"<id>#<k>"``."""
    ind = cohort.individuals.iloc[positions].copy()
    new_ids = [f"{i}#{k}" for k, i in enumerate(ind["id"])]
    old_ids = ind["id"].to_numpy()
    ind["id"] = new_ids

    def copies(table: Optional[pd.DataFrame]) -> Optional[pd.DataFrame]:
        if table is None:
            return None
        rows = table.groupby("id", sort=False).indices
        take, labels = [], []
        for new, old in zip(new_ids, old_ids):
            r = rows.get(old)
            if r is not None:
                take.append(r)
                labels.extend([new] * len(r))
        if not take:
            return table.iloc[:0].copy()
        out = table.iloc[np.concatenate(take)].copy()
        out["id"] = labels
        return out

    return Cohort.from_frames(ind, copies(cohort.episodes), cohort.tariffs, copies(cohort.costs_ledger),
                              cohort.price_index, base_year=cohort.base_year, allow_overlaps=cohort.allow_overlaps)


def rematch_distributions(cohort, spec: dict, n_resamples: int, seed: int, progress: bool) -> dict:
    """Total savings per horizon in ``n_resamples`` replicates that redo the matching."""
    participants = np.flatnonzero(cohort.participants)
    historical = np.flatnonzero(~cohort.participants)
    out = {h: np.full(n_resamples, np.nan) for h in spec["horizons"]}
    children = np.random.SeedSequence(seed).spawn(n_resamples)
    inner = dict(spec, bootstrap=None)
    steps = range(n_resamples)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="bootstrap with rematching", leave=False, delay=1.0)
    for b in steps:
        rng = np.random.default_rng(children[b])
        positions = np.concatenate([rng.choice(participants, len(participants)),
                                    rng.choice(historical, len(historical))])
        replicate = resampled_cohort(cohort, np.sort(positions, kind="stable"))
        inner["seed"] = int(children[b].generate_state(1, np.uint64)[0] >> np.uint64(1))
        per_horizon = run(replicate, inner, progress=False, n_threads=None)
        for h, part in per_horizon.items():
            # A replicate in which some participant found no comparison individual is left out (NaN).
            if part["summary"]["n_without_comparison"] == 0:
                out[h][b] = part["summary"]["savings_total"]
    return out
