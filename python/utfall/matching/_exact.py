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

from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..errors import ComputationError, SpecError
from ._design import check_column, exact_strata, is_factor
from ._problem import REASONS, Problem
from ._result import MatchResult


def coarsen(frame: pd.DataFrame, columns: Sequence[str], cutpoints: Optional[Mapping[str, Any]],
             ids: pd.Index, table: str) -> pd.DataFrame:
    """Bins for coarsened exact matching: Sturges' equal-width bins by default."""
    out = {}
    cutpoints = dict(cutpoints or {})
    unknown = set(cutpoints) - set(columns)
    if unknown:
        raise SpecError(f"cutpoints for columns that are not covariates: {sorted(unknown)}")
    for name in columns:
        col = check_column(frame, name, ids, table)
        if is_factor(col) or (pd.api.types.is_bool_dtype(col)) or col.nunique() <= 2:
            out[name] = col.astype(str).to_numpy()
            continue
        x = col.to_numpy(dtype=float)
        cut = cutpoints.get(name)
        if cut is None:
            cut = int(np.ceil(np.log2(len(x)) + 1))
        if isinstance(cut, (int, np.integer)):
            if cut < 1:
                raise SpecError(f"cutpoints[{name!r}] must be at least 1 bin, got {cut}")
            edges = np.linspace(x.min(), x.max(), int(cut) + 1)
        else:
            edges = np.unique(np.concatenate([[x.min()], np.asarray(cut, dtype=float), [x.max()]]))
        # Right-closed bins, the lowest one closed on the left too (R's cut(include.lowest = TRUE)).
        out[name] = np.clip(np.searchsorted(edges, x, side="left"), 1, len(edges) - 1)
    return pd.DataFrame(out, index=frame.index)


def subclass_matching(strata: np.ndarray, treat: np.ndarray, ids: pd.Index) -> tuple:
    """MatchIt's subclass weights (ATT) and all treated-control pairs within each stratum."""
    s = pd.Series(strata)
    nt = s[treat].value_counts()
    nc = s[~treat].value_counts()
    both = nt.index.intersection(nc.index)
    in_both = s.isin(both).to_numpy()
    w = np.zeros(len(treat))
    w[treat & in_both] = 1.0
    ratio = (nt.reindex(both) / nc.reindex(both))
    ctrl = ~treat & in_both
    w[ctrl] = ratio.reindex(s[ctrl]).to_numpy()
    if ctrl.any():
        w[ctrl] *= ctrl.sum() / w[ctrl].sum()
    rows = []
    idx = np.arange(len(treat))
    for stratum in both:
        members = idx[strata == stratum]
        t_rows, c_rows = members[treat[members]], members[~treat[members]]
        for t in t_rows:
            for slot, c in enumerate(c_rows, start=1):
                rows.append((ids[t], ids[c], slot, np.nan))
    pairs = pd.DataFrame(rows, columns=["treated", "control", "slot", "distance"])
    subclass = np.where(in_both, strata, -1)
    unmatched = [ids[t] for t in idx[treat & ~in_both]]
    return w, pairs, unmatched, subclass


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
    coarse = coarsen(problem.frame, cols, problem.options.cutpoints, problem.index, problem.table)
    return _stratified(problem, coarse.groupby(cols, sort=True, observed=True).ngroup().to_numpy())
