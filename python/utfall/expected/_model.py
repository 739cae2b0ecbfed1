"""Model-based expected outcomes: a GLM fitted on the eligible historical individuals.

``model="two-part"``: ``E[y | x] = P(y > 0 | x) * E[y | y > 0, x]``, a logistic regression
of any outcome times a Gamma GLM with log link of the positive outcomes (Duan et al. 1983;
the usual model of health and social-care costs with many zeros; with no zero among the
historical individuals the first part is 1 and the model is the Gamma GLM). ``model="tweedie"``: one
Tweedie GLM with log link (``1 < var_power < 2``), zeros and amounts together. Both are
fitted in the core by IRLS as R's ``glm`` (see :mod:`utfall.glm`) on the historical
individuals eligible at the horizon (complete windows), and predict each participant's
outcome over the whole horizon; a participant observed for ``L`` days only gets the
prediction times ``f(L)``, the share of the pool's mean outcome accrued in its first ``L``
days (the pool's own timing of costs).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import ComputationError, SpecError
from ..glm import design_matrix, fit_glm
from ._adjust import covariate_frame
from ._comparison import part_columns


def model_expected(cohort: Any, model: Dict[str, Any], horizon: str, full: pd.DataFrame, parts: List[str],
                   participants: np.ndarray, eligible: np.ndarray) -> Tuple[np.ndarray, Dict[str, Any]]:
    """Expected totals of the participants under the fitted model, and a description of the fit."""
    covariates = list(model.get("covariates") or [])
    if len(eligible) <= len(covariates) + 1:
        raise ComputationError(f"model: {len(eligible)} eligible historical individuals at {horizon} are too few "
                               f"to fit a model with {len(covariates)} covariates")
    frame = covariate_frame(cohort, covariates, model.get("lookback"), "model")
    y = full[parts].to_numpy(np.float64).sum(axis=1)
    pool = frame.iloc[eligible].reset_index(drop=True)
    for name in covariates:
        if pool[name].nunique(dropna=False) < 2:
            raise ComputationError(f"model: covariate {name!r} is constant among the eligible historical "
                                   f"individuals at {horizon}; leave it out")
    cols, names, levels = design_matrix(pool, covariates, table="individuals")
    own, _, _ = design_matrix(frame.iloc[participants].reset_index(drop=True), covariates, levels=levels,
                              table="individuals")
    yp = y[eligible]
    if (yp < 0).any():
        raise SpecError("model: the outcome has negative values; the GLMs need outcomes >= 0")
    info: Dict[str, Any] = {"model": model["model"], "n_fitted": int(len(eligible))}
    prediction = _fit_predict(model, cols, yp, names, own, horizon, info)
    complete = full["complete"].to_numpy(bool)[participants]
    observed = full["days_observed"].to_numpy().astype(np.int32)[participants]
    share = np.ones(len(participants))
    if not complete.all():
        offsets = np.array([0, len(eligible)], dtype=np.int64)
        request = np.zeros(len(participants) + 1, dtype=np.int64)
        done = np.r_[complete, True]
        days = np.r_[observed, 0].astype(np.int32)
        means = _core.set_means(cohort._core, horizon, offsets, eligible.astype(np.int64), None, request, done, days,
                                np.asarray(part_columns(cohort, parts), dtype=np.int64))[:, -1]
        whole = means[-1]
        share = np.where(complete, 1.0, means[:-1] / whole if whole > 0 else 1.0)
        prediction = prediction * share
    info["share"] = share
    info["design"] = (cols, yp, names, own)
    return prediction, info


def _fit_predict(model: Dict[str, Any], cols: List[np.ndarray], yp: np.ndarray, names: List[str],
                 own: List[np.ndarray], horizon: str, info: Optional[Dict[str, Any]] = None) -> np.ndarray:
    """Fits the model on the pool ``(cols, yp)`` and predicts the rows ``own``."""
    info = {} if info is None else info
    if model["model"] == "tweedie":
        fit = fit_glm(cols, yp, names, "tweedie", var_power=float(model.get("var_power", 1.5)))
        info["coefficients"] = fit.coefficients.to_dict()
        return fit.predict(own)
    positive = yp > 0
    if positive.sum() <= len(names):
        raise ComputationError(f"model: {int(positive.sum())} of the {len(yp)} eligible historical individuals "
                               f"at {horizon} have a positive outcome, too few for the Gamma part")
    amount = fit_glm([c[positive] for c in cols], yp[positive], names, "gamma")
    prediction = amount.predict(own)
    info["coefficients_amount"] = amount.coefficients.to_dict()
    if not positive.all():  # with every outcome positive, P(y > 0) = 1 (a logit would not converge)
        any_fit = fit_glm(cols, positive.astype(np.float64), names, "binomial")
        prediction = any_fit.predict(own) * prediction
        info["coefficients_any"] = any_fit.coefficients.to_dict()
    return np.asarray(prediction, dtype=np.float64)


def model_refit_distribution(model: Dict[str, Any], info: Dict[str, Any], actual: np.ndarray, included: np.ndarray,
                             horizon: str, n_resamples: int, seed: int) -> np.ndarray:
    """Total savings in ``n_resamples`` replicates that resample the included participants and
    the historical pool (each with replacement) and refit the model on the resampled pool.

    The share ``f(L)`` of a participant with incomplete follow-up is kept from the full pool.
    A replicate whose fit fails (e.g. does not converge) is NaN and left out of the interval.
    """
    cols, yp, names, own = info["design"]
    share = np.asarray(info["share"], dtype=np.float64)
    rows = np.flatnonzero(included)
    children = np.random.SeedSequence(seed).spawn(n_resamples)
    out = np.full(n_resamples, np.nan)
    for b in range(n_resamples):
        rng = np.random.default_rng(children[b])
        pool = rng.integers(0, len(yp), len(yp))
        who = rows[rng.integers(0, len(rows), len(rows))]
        try:
            pred = _fit_predict(model, [c[pool] for c in cols], yp[pool], names, [c[who] for c in own], horizon)
        except ComputationError:
            continue
        out[b] = float(np.sum(pred * share[who] - actual[who]))
    return out
