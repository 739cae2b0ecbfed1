"""Greedy nearest-neighbour matching (MatchIt's ``method = "nearest"``), solved in the core."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import ComputationError
from ._design import antiexact_codes, exact_strata
from ._distance import calipers, distance
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
    """k:1 nearest-neighbour matching on the problem's distance, with calipers, exact and antiexact
    strata, common support and, for the ATC, the controls as the focal units (MatchIt's
    ``matchit2nearest``, which recodes the treatment so that the focal group is matched to)."""
    opt, index, spec = problem.options, problem.index, problem.spec
    dist = distance(problem)
    atc = opt.estimand == "ATC"
    order = opt.order or (("smallest" if atc else None) if dist.reported else dist.default_order)
    cal_abs, covariate_calipers = calipers(problem, dist)
    strata = exact_strata(problem.frame, opt.exact, index, problem.table) if opt.exact else None
    anti = antiexact_codes(problem.frame, opt.antiexact, index, problem.table) if opt.antiexact else None
    focal = problem.focal
    mahvars = dist.caliper_score is not None
    callback, bar = _progress_callback(opt.progress, int(np.count_nonzero(focal)) * opt.ratio)
    try:
        treated, controls, dists, reasons, weights, order_used = _core.nearest_match(
            focal, score=None if mahvars else dist.score, coords=dist.coords, sort_key=dist.key, exact=strata,
            unit_id=problem.unit_id, ratio=int(opt.ratio), replace=bool(opt.replace), caliper=cal_abs,
            order_name=order, seed=int(opt.seed or 0), progress=callback, discarded=problem.discarded,
            antiexact=anti, covariate_calipers=covariate_calipers or None,
            caliper_score=dist.caliper_score if mahvars else None)
    finally:
        if bar is not None:
            bar.close()
    spec["order"] = order_used
    has = controls >= 0
    t_rows = np.repeat(treated[:, None], controls.shape[1], axis=1)[has]
    slots = np.broadcast_to(np.arange(1, controls.shape[1] + 1), controls.shape)[has]
    order_rows = np.lexsort((slots, t_rows))
    t_rows, slots = t_rows[order_rows], slots[order_rows]
    c_rows = controls[has][order_rows]
    if atc:
        # The focal units are controls: the pairs keep their groups' names.
        t_rows, c_rows = c_rows, t_rows
    pairs = pd.DataFrame({"treated": index[t_rows], "control": index[c_rows],
                          "slot": slots, "distance": dists[has][order_rows]})
    if not len(pairs):
        why = "; ".join(sorted({REASONS[int(r)] for r in reasons if r >= 0}))
        raise ComputationError(f"no {'control' if atc else 'treated'} unit was matched ({why}); widen the caliper "
                               "or relax exact=, antiexact= or discard=")
    left = reasons >= 0
    unmatched = pd.DataFrame({"id": index[treated[left]], "reason": [REASONS[int(r)] for r in reasons[left]]})
    # A score is reported (and balanced) only when it is one: not the whitened covariate
    # that stands in for a one-covariate distance.
    return MatchResult(ids=index, treat=problem.treat, pairs=pairs, weights=weights,
                       score=dist.score if dist.reported else None, unmatched=unmatched,
                       balance_covariates=problem.balance_columns(), spec=spec,
                       discarded_ids=problem.discarded_ids, s_weights=problem.s_weights,
                       estimand=opt.estimand, common_support=problem.discarded)


#: The estimands nearest-neighbour matching offers (MatchIt's ``matchit2nearest``: not the ATE).
nearest.estimands = ("ATT", "ATC")  # type: ignore[attr-defined]
#: The options beyond the common ones that it takes (:func:`utfall.match` refuses them for a method without them).
nearest.accepts = ("caliper", "antiexact", "mahvars", "discard", "reestimate", "s_weights")  # type: ignore[attr-defined]
