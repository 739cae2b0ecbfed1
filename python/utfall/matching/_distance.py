"""The distance step shared by the methods: a propensity score, whitened covariates or the user's score.

Also what MatchIt does between the distance and the matching, for every method that
takes a distance (nearest, optimal, full): sampling weights in the propensity model
(``s_weights``), common support (``discard``, MatchIt's ``discard()``), the score
re-estimated on the kept units (``reestimate``), ``mahvars`` coordinates and the
calipers in absolute units (:func:`calipers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple, cast

import numpy as np

from .. import _core, _typing
from ..errors import SpecError
from ._design import check_column, design, design_columns, is_factor
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
    caliper_score: Optional[np.ndarray] = None   # with mahvars: the score the caliper and the order apply to


def _logit(problem: Problem, rows: Optional[np.ndarray] = None) -> np.ndarray:
    """The fitted probabilities of ``glm(treat ~ covariates)`` on ``rows`` (all units when None),
    weighted by the sampling weights when there are any (MatchIt's ``quasibinomial`` fit)."""
    frame, treat, index = problem.frame, problem.treat, problem.index
    weights = problem.s_weights
    if rows is not None:
        frame, treat, index = frame[rows].reset_index(drop=True), treat[rows], index[rows]
        weights = None if weights is None else weights[rows]
    x = design_columns(frame, problem.covariates, index, problem.table)
    names = ["(Intercept)"] + list(x)
    columns = [np.ones(len(frame))] + list(x.values())
    if weights is None:
        return _core.fit_logit(columns, treat, names)[1]
    return _core.fit_logit_weighted(columns, treat, np.ascontiguousarray(weights, dtype=float), names)[1]


def common_support(treat: np.ndarray, score: np.ndarray, option: str) -> np.ndarray:
    """MatchIt's ``discard()``: the units outside the common support of the score.

    ``"both"``: outside ``[max(min_t, min_c), min(max_t, max_c)]``; ``"control"``:
    controls outside the treated units' range ``[min_t, max_t]``; ``"treated"``: treated
    outside the controls' range (MatchIt tests every unit against the range, as here).

    Examples
    --------
    >>> common_support(np.array([True, True, False, False]), np.array([0.2, 0.9, 0.1, 0.5]), "both").tolist()
    [False, True, True, False]
    """
    if option == "none":
        return np.zeros(len(score), dtype=bool)
    lo1, hi1 = score[treat].min(), score[treat].max()
    lo0, hi0 = score[~treat].min(), score[~treat].max()
    if option == "both":
        return np.asarray((score < max(lo0, lo1)) | (score > min(hi0, hi1)))
    if option == "control":
        return np.asarray((score < lo1) | (score > hi1))
    return np.asarray((score < lo0) | (score > hi0))


def _mahvars(problem: Problem, eligible: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Whitened ``mahvars`` (Mahalanobis, pooled within-group covariance of the kept units) and their sort key."""
    frame = design(problem.frame, problem.options.mahvars, problem.index, problem.table, all_levels=True,
                   level_value=float(np.sqrt(0.5)))
    coords, key, _ = _core.whiten(np.ascontiguousarray(frame.to_numpy(dtype=float)), problem.treat, eligible,
                                  "mahalanobis", list(frame.columns))
    return np.ascontiguousarray(coords), np.ascontiguousarray(key)


def _score_steps(problem: Problem, score: np.ndarray, estimated: bool) -> Distance:
    """Common support, re-estimation and mahvars after a score (logit or the user's)."""
    opt = problem.options
    discarded = common_support(problem.treat, score, opt.discard)
    if opt.discard != "none":  # (otherwise nothing is discarded: no group to check)
        for group, name in ((problem.treat, "treated"), (~problem.treat, "control")):
            if (discarded[group]).all():
                raise SpecError(f"discard={opt.discard!r} leaves no {name} unit inside the common support of the "
                                "score")
    if opt.reestimate and estimated and discarded.any():
        score = score.copy()
        score[~discarded] = _logit(problem, ~discarded)
    problem.discarded = discarded
    problem.spec["n_discarded"] = int(np.count_nonzero(discarded))
    if opt.mahvars:
        if problem.s_weights is not None:
            raise SpecError("s_weights with mahvars=: MatchIt weights the Mahalanobis covariance by them, which "
                            "utfall does not (yet); leave out one of the two")
        coords, key = _mahvars(problem, ~discarded)
        return Distance(score=score, coords=coords, key=key, reported=True, caliper_score=score)
    return Distance(score=score, reported=True)


def distance(problem: Problem) -> Distance:
    """The distance of ``problem.options.distance``; records its name in ``problem.spec``."""
    d, covariates, n = problem.options.distance, problem.covariates, problem.n
    if isinstance(d, str) and d in SCORE_NAMES:
        if not covariates:
            raise SpecError("a propensity score needs covariates")
        problem.spec["distance"] = "logit"
        return _score_steps(problem, _logit(problem), estimated=True)
    if isinstance(d, str) and d in COVARIATE_DISTANCES:
        if problem.options.discard != "none":
            raise SpecError(f"discard={problem.options.discard!r} is common support on a score; "
                            f"distance={d!r} is not one (use distance='logit' or a user score)")
        if problem.options.mahvars:
            raise SpecError(f"mahvars= matches on Mahalanobis distance within a score caliper; with distance={d!r} "
                            "put those columns in covariates instead")
        if problem.s_weights is not None:
            raise SpecError(f"s_weights with distance={d!r}: MatchIt weights the covariance by them, which utfall "
                            "does not (yet); use distance='logit'")
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
    score = np.array(d, dtype=float)  # (a copy: the result holds it, and it must not change with the input)
    if score.shape != (n,):
        raise SpecError(f"a user score needs one value per row ({n}), got shape {score.shape}")
    problem.spec["distance"] = "user"
    return _score_steps(problem, score, estimated=False)


def calipers(problem: Problem, dist: Distance) -> Tuple[Optional[float], List[Tuple[np.ndarray, float]]]:
    """The calipers in absolute units: the score's and one per named covariate.

    An entry with ``std_caliper`` is in standard deviations (``ddof=1``) of the score or
    covariate over the units kept by ``discard``, as MatchIt's ``process.caliper``.
    """
    opt = problem.options
    kept = np.ones(problem.n, bool) if problem.discarded is None else ~problem.discarded
    score = dist.score if dist.caliper_score is None else dist.caliper_score
    cal_abs = None
    if opt.caliper is not None:
        if score is None or not dist.reported:
            raise SpecError("a caliper on the distance applies to a score; with a covariate distance name "
                            "covariates in caliper= instead")
        if not opt.caliper > 0:
            raise SpecError(f"caliper must be a positive number, got {opt.caliper!r}")
        cal_abs = float(opt.caliper) * (float(np.std(score[kept], ddof=1)) if opt.std_caliper else 1.0)
    out = []
    for name, width in opt.covariate_calipers.items():
        col = check_column(problem.frame, name, problem.index, problem.table)
        if is_factor(col):
            raise SpecError(f"caliper on {name!r}: a caliper needs a numeric column, {name!r} is a factor "
                            "(use exact= or antiexact=)")
        values = np.ascontiguousarray(col.to_numpy(dtype=float))
        scale = float(np.std(values[kept], ddof=1)) if opt.covariate_std_caliper.get(name, True) else 1.0
        out.append((values, float(width) * scale))
    problem.spec["caliper_absolute"] = cal_abs
    problem.spec["covariate_calipers_absolute"] = {k: w for k, (_, w) in zip(opt.covariate_calipers, out)}
    return cal_abs, out
