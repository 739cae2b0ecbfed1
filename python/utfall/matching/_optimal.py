"""Optimal pair and k:1 matching (MatchIt's ``method = "optimal"``), solved in the core.

Among all matchings that give every focal unit (treated for the ATT, controls for the
ATC) ``ratio`` distinct others (as many as the pool allows), the one of least total
distance ``sum |s_t - s_c|`` (or the covariate distance) is taken; MatchIt calls
optmatch's ``fullmatch(min = max = mean = ratio)`` for the same problem.

The algorithm
-------------
A minimum-cost flow (source -> focal unit, capacity ``ratio`` -> candidate, capacity 1
-> sink) solved by successive shortest paths with Dijkstra on reduced costs
(``src/matching/flow.rs``): the total flow is at most ``n_treated * ratio``, each
augmentation is one Dijkstra that stops at the sink, and on a one-dimensional score
the cheapest augmenting path stays in a small neighbourhood of the score, so the
search touches a fraction of the network. Network simplex (optmatch's LEMON) and cost
scaling make many passes over the whole network; the Hungarian method needs the dense
``n_treated x n_control`` matrix. 1:1 matching on a score without strata or caliper
first keeps only Sävje's (2020) candidate windows (MatchIt's ``preprocess_matchC``),
which cannot remove an optimal pair. Costs are integers at ``2^-40`` of the largest
distance, so no floating-point comparison decides a path and results are the same on
every machine; ties are broken by row order.

Agreement with MatchIt: optmatch rounds distances to multiples of
``eps = tol * n / (r + c - 2)`` (``tol = 0.001``) and returns an optimum of the rounded
problem, up to ``tol`` per subclass worse than the true optimum; utfall returns the
true optimum, so its total distance is never above MatchIt's and equals optmatch's
with a tight ``tol`` (the tests check both on lalonde). Where several matchings share
the least total (common on a one-dimensional score) the pairs may differ from
optmatch's; the total does not. Deliberate difference: MatchIt ignores a caliper with
``method = "optimal"`` (with a warning); utfall honours it, as a restriction of the
candidate pairs, and leaves focal units without a candidate unmatched.

Examples
--------
>>> import pandas as pd, utfall
>>> d = pd.DataFrame({"treat": [1, 1, 0, 0], "x": [0.0, 1.0, 0.45, 1.6]})
>>> m = utfall.match(d, "treat", ["x"], method="optimal", distance=d["x"].to_numpy())
>>> m.pairs[["treated", "control"]].values.tolist()
[[0, 2], [1, 3]]
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ._flow import reasons, result, setup
from ._problem import Problem
from ._result import MatchResult


def optimal(problem: Problem) -> MatchResult:
    """Optimal k:1 matching on the problem's distance, with exact strata and caliper."""
    opt = problem.options
    dist, focal, kwargs = setup(problem)
    prune = dist.score is not None and opt.ratio == 1 and "exact" not in kwargs and "caliper" not in kwargs
    _, _, _, subclass, total, _ = _core.optimal_match(focal, np.ones(problem.n, dtype=bool), ratio=int(opt.ratio),
                                                     prune=prune, **kwargs)
    return result(problem, dist, subclass, reasons(problem, kwargs), extra={"total_distance": float(total)})


#: The estimands it offers (MatchIt's), and the shared options it takes (see :func:`utfall.match`).
optimal.estimands = ("ATT", "ATC")  # type: ignore[attr-defined]
optimal.accepts = ("caliper",)  # type: ignore[attr-defined]
