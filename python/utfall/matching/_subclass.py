"""Subclassification on the score (MatchIt's ``method = "subclass"``), in the core.

The cut points are the quantiles (R's type 7) at ``0, 1/K, ..., 1`` of the score of the
treated (ATT), of the controls (ATC) or of everyone (ATE), ``K = subclass`` (default 6);
each unit falls in the interval of its score (``findInterval(..., all.inside = TRUE)``).
A subclass short of ``min_n`` (default 1) units of a group takes the nearest units
of that group from its neighbours (MatchIt's ``subclass_scootC``). Weights as
:mod:`._full` describes (MatchIt's subclass weights, rescaled per group).

``balance()`` gives MatchIt's balance across subclasses (``summary(m)$sum.across``:
the weighted table, without a pair distance). The pairs table lists every
treated-control pair of a subclass (for the evaluation's comparison sets).

Examples
--------
>>> import numpy as np, pandas as pd, utfall
>>> d = pd.DataFrame({"treat": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], "x": np.arange(10.0) % 5})
>>> m = utfall.match(d, "treat", ["x"], method="subclass", subclass=2, distance=d["x"].to_numpy())
>>> m.subclass.tolist()
[0, 0, 1, 1, 1, 0, 0, 1, 1, 1]
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..errors import SpecError
from ._distance import distance
from ._flow import result
from ._problem import Problem
from ._result import MatchResult

#: MatchIt's default number of subclasses.
DEFAULT_SUBCLASSES = 6


def subclassification(problem: Problem) -> MatchResult:
    """Subclasses at the quantiles of the score, MatchIt's weights."""
    opt = problem.options
    k = DEFAULT_SUBCLASSES if opt.subclass is None else opt.subclass
    min_n = 1 if opt.min_n is None else opt.min_n
    for name, value, least in (("subclass", k, 2), ("min_n", min_n, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise SpecError(f"{name} must be an integer of at least {least}, got {value!r}")
    focal = {"ATT": int(problem.treat.sum()), "ATC": int((~problem.treat).sum()), "ATE": problem.n}[opt.estimand]
    if k > focal:
        who = {"ATT": "treated units", "ATC": "control units", "ATE": "units"}[opt.estimand]
        raise SpecError(f"subclass={k} is more than the {focal} {who} whose score quantiles cut the subclasses")
    if problem.unit_id is not None:
        raise SpecError("reuse='never' does not apply to method='subclass' (every unit is in one subclass)")
    dist = distance(problem)
    if dist.score is None or not dist.reported:
        raise SpecError("method='subclass' needs a score: distance='logit' or your own scores")
    sub, cuts = _core.subclassify(np.ascontiguousarray(dist.score, dtype=float), problem.treat,
                                  np.ones(problem.n, dtype=bool), n_subclasses=int(k), min_n=int(min_n),
                                  estimand_name=opt.estimand)
    return result(problem, dist, sub, lambda row: "its subclass has no control", pair_dist=False,
                  extra={"subclass": int(k), "min_n": int(min_n), "cut_points": [float(c) for c in cuts]})


#: The estimands it offers (MatchIt's), and the shared options it takes (see :func:`utfall.match`).
subclassification.estimands = ("ATT", "ATC", "ATE")  # type: ignore[attr-defined]
subclassification.accepts = ()  # type: ignore[attr-defined]
