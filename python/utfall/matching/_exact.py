"""Exact and coarsened exact matching: strata, their ATT weights and matched sets.

Coarsened exact matching cuts each numeric covariate into bins and matches
exactly on the bins: by default ``ceil(log2(n) + 1)`` equal-width bins over the
range (Sturges' rule, the ``cem`` package's default); ``cutpoints`` gives a
number of bins or the inner cut points per column. Factors and 0/1 columns are
matched exactly. Weights follow MatchIt's subclass rule for the ATT: treated
units of a stratum with controls weigh 1, its controls ``n_t / n_c``, rescaled
so that the control weights sum to the number of controls used.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import ComputationError, SpecError
from ._design import check_column, exact_strata, is_factor
from ._problem import REASONS, Problem
from ._result import MatchResult


def column_codes(column: pd.Series) -> np.ndarray:
    """Codes ``0..k-1`` of a column in its sorted order (category order for a Categorical)."""
    codes, _ = pd.factorize(column, sort=True)
    return np.ascontiguousarray(codes, dtype=np.uint32)


def strata_of(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    """One stratum code per row for each distinct combination of the columns' codes (sorted order)."""
    codes, _ = _core.strata_codes([np.ascontiguousarray(c, dtype=np.uint32) for c in columns], n)
    return codes


def coarsen(frame: pd.DataFrame, columns: Sequence[str], cutpoints: Optional[Mapping[str, Any]],
            ids: pd.Index, table: str) -> np.ndarray:
    """Strata of coarsened exact matching: numeric columns cut into Sturges' equal-width bins by
    default (or ``cutpoints[name]`` bins or inner cut points), factors and binary columns as they are."""
    cutpoints = dict(cutpoints or {})
    unknown = set(cutpoints) - set(columns)
    if unknown:
        raise SpecError(f"cutpoints for columns that are not covariates: {sorted(unknown)}")
    codes = []
    for name in columns:
        col = check_column(frame, name, ids, table)
        if is_factor(col) or (pd.api.types.is_bool_dtype(col)) or col.nunique() <= 2:
            codes.append(column_codes(col.astype(str)))
            continue
        cut = cutpoints.get(name)
        if isinstance(cut, (bool, np.bool_)) or (cut is not None and not isinstance(cut, (int, np.integer))
                                                 and np.ndim(cut) != 1):
            raise SpecError(f"cutpoints[{name!r}] must be a number of bins or a list of cut points, not {cut!r}")
        if isinstance(cut, (int, np.integer)) and cut < 1:
            raise SpecError(f"cutpoints[{name!r}] must be at least 1 bin, got {cut}")
        bins = int(cut) if isinstance(cut, (int, np.integer)) else None
        points = None if cut is None or bins is not None else [float(v) for v in cut]
        x = np.ascontiguousarray(col.to_numpy(dtype=float))
        codes.append(_core.cem_bins(x, name, bins=bins, points=points))
    return strata_of(codes, len(frame))


def subclass_matching(strata: np.ndarray, treat: np.ndarray,
                      ids: pd.Index) -> Tuple[np.ndarray, pd.DataFrame, List[Any], np.ndarray]:
    """MatchIt's subclass weights (ATT) and all treated-control pairs within each stratum (core)."""
    codes = np.ascontiguousarray(strata, dtype=np.uint32)
    n_strata = int(codes.max()) + 1 if len(codes) else 0
    w, subclass, pt, pc, slot, unmatched = _core.subclass_match(codes, n_strata, np.ascontiguousarray(treat, bool))
    pairs = pd.DataFrame({"treated": ids[pt], "control": ids[pc], "slot": slot.astype(np.int64),
                          "distance": np.full(len(pt), np.nan)})
    return w, pairs, list(ids[unmatched]), subclass


def _stratified(problem: Problem, strata: np.ndarray) -> MatchResult:
    w, pairs, unmatched_ids, subclass = subclass_matching(strata, problem.treat, problem.index)
    if not (w[problem.treat] > 0).any():
        raise ComputationError(f"{problem.options.method} matching matched no treated unit: "
                               "no stratum holds both groups")
    unmatched = pd.DataFrame({"id": unmatched_ids, "reason": REASONS[0]})
    return MatchResult(ids=problem.index, treat=problem.treat, pairs=pairs, weights=w, score=None,
                       unmatched=unmatched, balance_covariates=problem.balance_columns(), spec=problem.spec,
                       discarded_ids=problem.discarded_ids, subclass=subclass)


def exact(problem: Problem) -> MatchResult:
    """Exact matching (MatchIt's ``method = "exact"``) on ``exact=`` or else the covariates."""
    cols = list(problem.options.exact) or list(problem.covariates)
    if not cols:
        raise SpecError("method='exact' needs covariates (or exact=) to stratify on")
    return _stratified(problem, exact_strata(problem.frame, cols, problem.index, problem.table))


def cem(problem: Problem) -> MatchResult:
    """Coarsened exact matching (MatchIt's ``method = "cem"``) on the covariates."""
    cols = list(problem.covariates)
    if not cols:
        raise SpecError("method='cem' needs covariates to stratify on")
    return _stratified(problem, coarsen(problem.frame, cols, problem.options.cutpoints, problem.index, problem.table))
