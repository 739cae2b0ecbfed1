"""What optimal and full matching share: the candidate pairs (distance, exact strata,
caliper), the call of the core's minimum-cost flow, and the result with MatchIt's
subclass weights.

The focal group is the treated for the ATT (and, as in MatchIt, for full matching's
ATE), the controls for the ATC. The core solves one network per exact stratum; the
subclasses it returns are the matched sets (one focal unit with its others, or in full
matching one unit of either group with several of the other).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import ComputationError, SpecError
from ._design import exact_strata
from ._distance import Distance, distance
from ._problem import REASONS, Problem
from ._result import MatchResult


def setup(problem: Problem) -> Tuple[Distance, np.ndarray, Dict[str, Any]]:
    """The distance, the focal units and the core's keyword arguments (strata, caliper)."""
    opt = problem.options
    if problem.unit_id is not None:
        raise SpecError(f"reuse='never' is not available with method={opt.method!r}: an optimal network does "
                        "not yet limit a person's rows together; use method='nearest' or reuse='allowed'")
    if opt.covariate_calipers:
        raise SpecError(f"calipers on covariates ({', '.join(opt.covariate_calipers)}) are not yet available with "
                        f"method={opt.method!r}; give caliper= as a number (the score's caliper)")
    dist = distance(problem)
    focal = ~problem.treat if opt.estimand == "ATC" else problem.treat.copy()
    kwargs: Dict[str, Any] = ({"score": dist.score} if dist.score is not None
                              else {"coords": np.ascontiguousarray(dist.coords)})
    cal_abs = None
    if opt.caliper is not None:
        if not opt.caliper > 0:
            raise SpecError(f"caliper must be a positive number, got {opt.caliper!r}")
        assert dist.score is not None  # distance() refuses a caliper on a covariate distance
        cal_abs = float(opt.caliper) * (float(np.std(dist.score, ddof=1)) if opt.std_caliper else 1.0)
        kwargs["caliper"] = (np.ascontiguousarray(dist.score, dtype=float), cal_abs)
    problem.spec["caliper_absolute"] = cal_abs
    if opt.exact:
        kwargs["exact"] = exact_strata(problem.frame, opt.exact, problem.index, problem.table)
    return dist, focal, kwargs


def pair_distance(dist: Distance, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``|s_t - s_c|`` on a score, the Euclidean distance of the whitened covariates otherwise."""
    if dist.score is not None:
        out: np.ndarray = np.abs(dist.score[t] - dist.score[c])
        return out
    coords = np.asarray(dist.coords)
    euclid: np.ndarray = np.sqrt(((coords[t] - coords[c]) ** 2).sum(axis=1))
    return euclid


def subclass_pairs(subclass: np.ndarray, treat: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Every treated-control pair of rows sharing a subclass, sorted by treated row, then control row."""
    rows = np.arange(len(subclass))
    t = pd.DataFrame({"s": subclass[treat & (subclass >= 0)], "t": rows[treat & (subclass >= 0)]})
    c = pd.DataFrame({"s": subclass[~treat & (subclass >= 0)], "c": rows[~treat & (subclass >= 0)]})
    both = t.merge(c, on="s").sort_values(["t", "c"], kind="stable")
    return both["t"].to_numpy(np.int64), both["c"].to_numpy(np.int64)


def result(problem: Problem, dist: Distance, subclass: np.ndarray, reason: Callable[[int], str],
           pair_dist: bool = True, extra: Optional[Dict[str, Any]] = None) -> MatchResult:
    """The MatchResult of a subclass assignment (``-1``: unmatched), with MatchIt's weights."""
    treat, index = problem.treat, problem.index
    subclass = np.asarray(subclass, dtype=np.int64)
    if not (subclass[treat] >= 0).any() or not (subclass[~treat] >= 0).any():
        raise ComputationError(f"{problem.options.method} matching matched no pair; widen the caliper or relax exact=")
    weights = _core.subclass_weights(subclass, treat, problem.options.estimand)
    t_rows, c_rows = subclass_pairs(subclass, treat)
    slot = pd.Series(t_rows).groupby(t_rows).cumcount().to_numpy() + 1
    pairs = pd.DataFrame({"treated": index[t_rows], "control": index[c_rows], "slot": slot.astype(np.int64),
                          "distance": pair_distance(dist, t_rows, c_rows)})
    lost = np.flatnonzero(treat & (subclass < 0))
    unmatched = pd.DataFrame({"id": index[lost], "reason": [reason(int(r)) for r in lost]})
    problem.spec.update(extra or {})
    return MatchResult(ids=index, treat=treat, pairs=pairs, weights=weights,
                       score=dist.score if dist.reported else None, unmatched=unmatched,
                       balance_covariates=problem.balance_columns(), spec=problem.spec,
                       discarded_ids=problem.discarded_ids, subclass=subclass, pair_distance=pair_dist,
                       estimand=problem.options.estimand)


def reasons(problem: Problem, kwargs: Dict[str, Any]) -> Callable[[int], str]:
    """Why a treated row was left out: no control in its stratum, none within the caliper, or none left."""
    strata: Any = kwargs.get("exact")
    has_control = None
    if strata is not None:
        has_control = set(np.asarray(strata)[~problem.treat].tolist())

    def why(row: int) -> str:
        if has_control is not None and strata[row] not in has_control:
            return REASONS[0]
        if "caliper" in kwargs:
            return REASONS[1]
        return REASONS[2]

    return why
