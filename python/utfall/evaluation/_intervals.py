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
each replicate, so the uncertainty of the comparison group is included. The
whole replicate runs in the core (``src/expected/rematch.rs``): replicate ``b``
draws from its own stream of the seed, so the result does not depend on the
thread count. Every interval method is available: the intervals follow R boot's
conventions as the main path does, and BCa's acceleration comes from the
jackknife of whole evaluations (each participant, then each historical
individual, left out once; two samples, as scipy's multi-sample BCa).
Supported comparisons: the stratum estimator, and nearest-neighbour matching
(score or covariate distance, ratio, replacement, caliper, exact strata, order).
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional, Tuple, cast

import numpy as np

from .. import _core
from .. import expected as ex
from .._progress import run_batches
from .._typing import CovariateDistance, IntervalMethod
from ..errors import SpecError, UtfallWarning
from ..matching import covariate_frame, design_parts
from ..resampling import bootstrap


def savings_interval(savings: np.ndarray, *, n_resamples: int, confidence_level: float, method: str, seed: int,
                     intervention_cost: float, n_threads: Optional[int], progress: bool) -> Dict[str, Any]:
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
                 n_threads: Optional[int]) -> Tuple[Any, ...]:
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


#: Rematching options the core replays; anything else is refused rather than approximated.
_REMATCH_OPTIONS = {"covariates", "distance", "ratio", "replace", "caliper", "std_caliper", "exact", "order",
                    "lookback", "method", "progress", "seed"}


def rematch_plan(cohort: Any, spec: Any) -> "_core.RematchPlan":
    """The core's plan of a rematching bootstrap for ``spec`` (see the module docstring)."""
    parts = ex.outcome_parts(cohort, spec["outcome"], spec["care_types"])
    columns = np.asarray(ex.part_columns(cohort, parts), dtype=np.int64)
    is_participant = np.asarray(cohort.participants, dtype=bool)
    horizons = []
    for h in spec["horizons"]:
        full = cohort.costs(h)
        complete = full["complete"].to_numpy(bool)
        actual = full[parts].to_numpy(np.float64).sum(axis=1)
        horizons.append((h, ~is_participant & complete, complete, full["days_observed"].to_numpy().astype(np.int32),
                         np.ascontiguousarray(actual)))
    common = dict(participants=np.flatnonzero(is_participant).astype(np.int64),
                  historical=np.flatnonzero(~is_participant).astype(np.int64), horizons=horizons, columns=columns,
                  only_complete=spec["partial"] == "complete")
    matching = spec["matching"]
    if matching["estimator"] == "stratum":
        lookback = matching.get("lookback")
        history = cohort.history(lookback) if any(str(c).startswith("prior_") for c in matching["exact"]) else None
        codes = ex.stratum_codes(ex.stratum_columns(cohort, matching["exact"], history))
        return _core.RematchPlan(cohort._core, stratum_codes=np.where(codes < 0, 2**32 - 1, codes).astype(np.uint32),
                                 **common)
    unknown = set(matching) - _REMATCH_OPTIONS - {"estimator"}
    if unknown or matching.get("method", "nearest") != "nearest":
        raise SpecError(f"bootstrap: rematch=True replays nearest-neighbour matching and the stratum estimator; "
                        f"not method={matching.get('method')!r} with {sorted(unknown) or 'these options'}")
    covariates = [matching["covariates"]] if isinstance(matching.get("covariates"), str) else \
        list(matching.get("covariates") or [])
    exact = [matching["exact"]] if isinstance(matching.get("exact"), str) else list(matching.get("exact") or [])
    frame = covariate_frame(cohort, covariates + [c for c in exact if c not in covariates], matching.get("lookback"))
    numeric, factors = design_parts(frame, covariates, cohort.ids, "individuals")
    distance = matching.get("distance", "logit")
    if not isinstance(distance, str):
        raise SpecError("bootstrap: rematch=True needs a score model or a covariate distance, not a given score")
    exact_codes = None
    if exact:
        exact_codes = ex.stratum_codes(frame[exact]).astype(np.uint32)
    return _core.RematchPlan(
        cohort._core, numeric=numeric, factors=factors,
        covariate_distance=None if distance in ("logit", "glm") else cast(CovariateDistance, distance),
        ratio=int(matching.get("ratio", 1)), replace=bool(matching.get("replace", False)),
        caliper=matching.get("caliper"), std_caliper=bool(matching.get("std_caliper", True)), exact=exact_codes,
        order=matching.get("order"), **common)


def rematch_distributions(cohort: Any, spec: Any, n_resamples: int, seed: int,
                          progress: bool) -> Dict[str, Any]:
    """Total savings per horizon in ``n_resamples`` replicates that redo the comparison,
    and the plan (for the jackknife)."""
    plan = rematch_plan(cohort, spec)
    out = np.full((n_resamples, len(spec["horizons"])), np.nan)

    def step(start: int, count: int) -> None:
        out[start:start + count] = plan.replicates(seed, start, count)

    run_batches(step, n_resamples, 64, progress, "bootstrap with rematching")
    return {"plan": plan, **{h: out[:, j].copy() for j, h in enumerate(spec["horizons"])}}


def rematch_interval(plan: Any, distribution: np.ndarray, estimate: float, j: int, *, method: str,
                     confidence_level: float, seed: int, intervention_cost: float, progress: bool) -> Dict[str, Any]:
    """The interval of horizon ``j`` from rematched replicates, with R boot's conventions.

    A replicate's savings are summed over the participants that found comparison
    individuals, as the evaluation's are. Replicates without a value (nobody matched,
    a score that cannot be fitted in the resample) are left out and counted, with a warning.
    """
    finite = distribution[np.isfinite(distribution)]
    undefined = len(distribution) - len(finite)
    if undefined:
        warnings.warn(f"{undefined} of {len(distribution)} rematched replicates have no value (no participant "
                      "found comparison individuals, or the score could not be fitted in the resample) "
                      "and are left out", UtfallWarning, stacklevel=4)
    acceleration = float("nan")
    if method == "bca" and len(finite):
        n = plan.n_units
        loo = np.empty(n)

        def step(start: int, count: int) -> None:
            loo[start:start + count] = plan.jackknife(seed, start, count)[:, j]

        run_batches(step, n, 64, progress, "jackknife with rematching")
        n1 = plan.n_participants
        acceleration = _core.jackknife_acceleration(loo, [(0, n1), (n1, n)])
    if len(finite) < 2:
        return {"low": np.nan, "high": np.nan, "p_positive": np.nan, "p_cover": np.nan}
    s = _core.bootstrap_summary(finite, float(estimate), acceleration, [confidence_level],
                                [cast(IntervalMethod, method)], "r", None, None)
    for w in s["warnings"]:
        warnings.warn(w, UtfallWarning, stacklevel=4)
    _, _, low, high = s["intervals"][0]
    return {"low": float(low), "high": float(high), "p_positive": float(np.mean(finite > 0)),
            "p_cover": float(np.mean(finite > intervention_cost))}
