"""Greedy nearest-neighbour matching (MatchIt's ``method = "nearest"``), solved in the core."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import ComputationError, SpecError
from ._design import exact_strata
from ._distance import distance
from ._problem import REASONS, Problem
from ._result import MatchResult


def _progress_callback(progress: bool, total_hint: int) -> Tuple[Optional[Callable[[int, int], None]], Any]:
    if not progress or total_hint < 20_000:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total_hint, desc="matching", unit="treated")

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar


def nearest(problem: Problem) -> MatchResult:
    """k:1 nearest-neighbour matching on the problem's distance, with caliper and exact strata."""
    opt, index, spec = problem.options, problem.index, problem.spec
    dist = distance(problem)
    order = opt.order or dist.default_order
    cal_abs = None
    if opt.caliper is not None and dist.score is not None:
        if not opt.caliper > 0:
            raise SpecError(f"caliper must be a positive number, got {opt.caliper!r}")
        cal_abs = float(opt.caliper) * (float(np.std(dist.score, ddof=1)) if opt.std_caliper else 1.0)
    strata = exact_strata(problem.frame, opt.exact, index, problem.table) if opt.exact else None
    callback, bar = _progress_callback(opt.progress, problem.n_treated * opt.ratio)
    try:
        treated, controls, dists, reasons, weights, order_used = _core.nearest_match(
            problem.treat, score=dist.score, coords=dist.coords, sort_key=dist.key, exact=strata,
            unit_id=problem.unit_id, ratio=int(opt.ratio), replace=bool(opt.replace), caliper=cal_abs,
            order_name=order, seed=int(opt.seed or 0), progress=callback)
    finally:
        if bar is not None:
            bar.close()
    spec["order"] = order_used
    spec["caliper_absolute"] = cal_abs
    has = controls >= 0
    t_rows = np.repeat(treated[:, None], controls.shape[1], axis=1)[has]
    slots = np.broadcast_to(np.arange(1, controls.shape[1] + 1), controls.shape)[has]
    order_rows = np.lexsort((slots, t_rows))
    t_rows, slots = t_rows[order_rows], slots[order_rows]
    pairs = pd.DataFrame({"treated": index[t_rows], "control": index[controls[has][order_rows]],
                          "slot": slots, "distance": dists[has][order_rows]})
    if not len(pairs):
        why = "; ".join(sorted({REASONS[int(r)] for r in reasons if r >= 0}))
        raise ComputationError(f"no treated unit was matched ({why}); widen the caliper or relax exact=")
    unmatched = pd.DataFrame({"id": [index[treated[i]] for i in range(len(treated)) if reasons[i] >= 0],
                              "reason": [REASONS[int(r)] for r in reasons if r >= 0]})
    # A score is reported (and balanced) only when it is one: not the whitened covariate
    # that stands in for a one-covariate distance.
    return MatchResult(ids=index, treat=problem.treat, pairs=pairs, weights=weights,
                       score=dist.score if dist.reported else None, unmatched=unmatched,
                       balance_covariates=problem.balance_columns(), spec=spec,
                       discarded_ids=problem.discarded_ids)
