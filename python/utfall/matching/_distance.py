"""The distance step shared by the methods: a propensity score, whitened covariates or the user's score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, cast

import numpy as np

from .. import _core, _typing
from ..errors import SpecError
from ._design import design, design_columns
from ._problem import Problem

#: Names of the propensity-score model (MatchIt's ``distance = "glm"``).
SCORE_NAMES = {"logit": "logit", "glm": "logit"}
COVARIATE_DISTANCES = _typing.values(_typing.CovariateDistance)


@dataclass
class Distance:
    """A score per unit (``score``), or whitened coordinates with their sort key (``coords``, ``key``)."""

    score: Optional[np.ndarray] = None
    coords: Optional[np.ndarray] = None
    key: Optional[np.ndarray] = None
    reported: bool = False          # the score is one (logit or user), so it is reported and balanced
    default_order: Optional[_typing.MatchOrder] = None


def distance(problem: Problem) -> Distance:
    """The distance of ``problem.options.distance``; records its name in ``problem.spec``."""
    d, covariates, n = problem.options.distance, problem.covariates, problem.n
    if isinstance(d, str) and d in SCORE_NAMES:
        if not covariates:
            raise SpecError("a propensity score needs covariates")
        x = design_columns(problem.frame, covariates, problem.index, problem.table)
        names = ["(Intercept)"] + list(x)
        columns = [np.ones(n)] + list(x.values())
        _, score, _, _ = _core.fit_logit(columns, problem.treat, names)
        problem.spec["distance"] = "logit"
        return Distance(score=score, reported=True)
    if isinstance(d, str) and d in COVARIATE_DISTANCES:
        if problem.options.caliper is not None:
            raise SpecError("a caliper applies to a score; with a covariate distance use exact= or a score")
        if not covariates:
            raise SpecError(f"distance={d!r} needs covariates")
        # As MatchIt: every level of a factor, coded 1/sqrt(2), so two levels are 1 apart.
        frame = design(problem.frame, covariates, problem.index, problem.table, all_levels=True,
                       level_value=float(np.sqrt(0.5)))
        coords, key, _ = _core.whiten(np.ascontiguousarray(frame.to_numpy(dtype=float)), problem.treat,
                                      np.ones(n, bool), cast(_typing.CovariateDistance, d),
                                      list(frame.columns))
        if coords.shape[1] == 1:
            # One covariate: MatchIt matches on it as on a score (in data order).
            return Distance(score=np.ascontiguousarray(coords[:, 0]), default_order="data")
        return Distance(coords=coords, key=key)
    if isinstance(d, str):
        raise SpecError(f"distance must be 'logit' ('glm'), 'mahalanobis', 'euclidean', 'scaled_euclidean' or an "
                        f"array of scores, not {d!r}")
    score = np.asarray(d, dtype=float)
    if score.shape != (n,):
        raise SpecError(f"a user score needs one value per row ({n}), got shape {score.shape}")
    problem.spec["distance"] = "user"
    return Distance(score=score, reported=True)
