"""The bias correction of matching estimators (Abadie and Imbens 2011).

Matching leaves residual differences in the covariates between a participant and its
comparison individuals; the correction removes the part of the outcome difference a
regression on the covariates attributes to them::

    expected_i^adj = (1 / k_i) * sum_{c in C_i} (y_c + mu(x_i) - mu(x_c))
                   = expected_i + mu(x_i) - (1 / k_i) * sum_{c in C_i} mu(x_c)

with ``mu(x) = a + x' b`` fitted by weighted least squares of the comparison individuals'
outcomes on their covariates, each (participant, comparison individual) pair weighted
``1 / k_i`` (so a comparison individual used by several participants counts that often),
as ``Matching::Match(BiasAdjust = TRUE)`` does for the ATT.
"""

from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np
import pandas as pd

from ..errors import ComputationError, SpecError
from ..glm import design_matrix, fit_glm
from ._comparison import Comparison
from ._members import member_values


def covariate_frame(cohort: Any, covariates: Sequence[str], lookback: Any, what: str) -> pd.DataFrame:
    """Covariates of every individual (table order): ``individuals`` columns or ``prior_*`` of the history."""
    ind = cohort.individuals.reset_index(drop=True)
    out = pd.DataFrame(index=np.arange(len(ind)))
    history = None
    for name in covariates:
        if name in ind.columns and name not in ("id", "group", "index_date", "end_of_data"):
            out[name] = ind[name].to_numpy()
            continue
        if history is None:
            history = cohort.history(lookback).reset_index(drop=True)
        if name not in history.columns:
            known = [c for c in ind.columns if c not in ("id", "group", "index_date", "end_of_data")]
            raise SpecError(f"{what}: unknown covariate {name!r}; covariates are {known} and the history's "
                            f"prior_* columns (e.g. prior_cost_total)")
        out[name] = history[name].to_numpy()
    out.index = cohort.ids
    return out


def bias_correction(cohort: Any, comparison: Comparison, horizon: str, full: pd.DataFrame, parts: List[str],
                    participants: np.ndarray, covariates: Sequence[str], lookback: Any) -> np.ndarray:
    """``mu(x_i) - mean_{c in C_i} mu(x_c)`` per participant (0 without comparison individuals).

    Raises
    ------
    ComputationError
        A covariate constant among the comparison individuals (the regression cannot use
        it), or too few comparison individuals for the regression.
    """
    if comparison.estimator not in ("matched", "given"):
        raise SpecError(f"adjust: the bias correction applies to matched sets, not to the {comparison.estimator!r} "
                        f"estimator")
    row, member, value = member_values(cohort, comparison, horizon, full, parts, participants)
    if len(row) == 0:
        return np.zeros(len(participants))
    frame = covariate_frame(cohort, covariates, lookback, "adjust")
    controls = frame.iloc[member].reset_index(drop=True)
    for name in covariates:
        if controls[name].nunique(dropna=False) < 2:
            raise ComputationError(f"adjust: covariate {name!r} is constant among the comparison individuals at "
                                   f"{horizon} (every one has {controls[name].iloc[0]!r}): the outcome regression "
                                   f"of the bias correction cannot use it; leave it out of adjust=")
    cols, names, levels = design_matrix(controls, list(covariates), table="individuals")
    sizes = np.bincount(row, minlength=len(participants))
    weights = 1.0 / sizes[row]
    try:
        fit = fit_glm(cols, value, names, "gaussian", weights=weights)
    except ComputationError as err:
        raise ComputationError(f"adjust: the outcome regression of the bias correction at {horizon} failed: "
                               f"{err}") from err
    mu_controls = fit.predict(cols)
    own, own_names, _ = design_matrix(frame.iloc[participants].reset_index(drop=True), list(covariates),
                                      levels=levels, table="individuals")
    if own_names != names:
        raise SpecError(f"adjust: the participants' covariates give the columns {own_names}, the comparison "
                        f"individuals' {names}")
    mu_own = fit.predict(own)
    mean_controls = np.bincount(row, weights=mu_controls, minlength=len(participants))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_controls = np.where(sizes > 0, mean_controls / np.maximum(sizes, 1), 0.0)
    return np.where(sizes > 0, mu_own - mean_controls, 0.0)
