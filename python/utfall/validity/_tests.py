"""Rosenbaum's sensitivity tests on matched data, as rbounds and sensitivitymv compute them.

Thin wrappers of the core (``src/validity/rosenbaum.rs``): :func:`psens` and
:func:`hodges_lehmann` for pairs, :func:`senmv` for sets with one or more
controls, :func:`sensitivity_gamma` and :func:`e_value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import _core, _typing
from .._validation import one_of
from ..errors import SpecError


@dataclass(frozen=True)
class SenmvResult:
    """One bound of :func:`senmv`: ``pval``, ``deviate``, ``statistic``, ``expectation``, ``variance``."""

    pval: float
    deviate: float
    statistic: float
    expectation: float
    variance: float


def _matrix(y: Any) -> np.ndarray:
    values = np.asarray(y, dtype=np.float64)
    if values.ndim == 1:  # senmv: a vector of pair differences is the pairs (y/2, -y/2)
        values = values[~np.isnan(values)]
        values = np.column_stack([values / 2, -values / 2])
    if values.ndim != 2 or values.shape[1] < 2:
        raise SpecError("matched sets: give a matrix with the treated unit first and one or more controls "
                        "(NaN where a set is smaller)")
    return np.ascontiguousarray(values)


def _options(method: Optional[str], inner: float, trim: float, lambda_: float,
             treated_on_total: bool) -> Dict[str, Any]:
    if method is not None:
        one_of(method, _typing.SenmvMethod, "method")
    return {"method": method, "inner": float(inner), "trim": float(trim), "lambda_": float(lambda_),
            "treated_on_total": bool(treated_on_total)}


def senmv(y: Any, gamma: float = 1.0, method: Optional[_typing.SenmvMethod] = None, inner: float = 0.0,
          trim: float = 2.5, lambda_: float = 0.5, tau: float = 0.0, treated_on_total: bool = False) -> SenmvResult:
    """Sensitivity analysis of an m-test for matched sets, as ``sensitivitymv::senmv``.

    Parameters
    ----------
    y : array-like
        One row per matched set, the treated unit's outcome first, then its controls
        (NaN pads a smaller set); or a vector of treated-minus-control pair differences.
    gamma : float
        The sensitivity parameter, ``Gamma >= 1``.
    method : {"h", "i", "w", "t", "q", "s", "l"}, optional
        senmv's named settings (they override ``inner``, ``trim``, ``lambda_``).
    inner, trim, lambda_ : float
        Huber-type psi ``sign(x) min(1, max(0, |x|/h - inner) / (trim - inner))`` with ``h``
        the ``lambda_`` quantile of the absolute within-set differences.
    tau : float
        Tests the hypothesis of an additive effect ``tau`` (subtracted from the treated).
    treated_on_total : bool
        senmv's ``TonT``.

    Returns
    -------
    SenmvResult
        The upper bound of the one-sided p-value (treated outcomes higher), its deviate,
        the statistic and its largest expectation and variance under ``gamma``.

    Examples
    --------
    >>> r = senmv([[3.0, 1.0, 0.5], [2.0, 2.5, 0.0], [4.0, 1.0, 1.5]], gamma=1.5)  # senmv in R: 0.7667
    >>> round(r.statistic, 4)
    0.7667
    """
    values = _matrix(y)
    r = _core.senmv(values, float(gamma), tau=float(tau), **_options(method, inner, trim, lambda_, treated_on_total))
    return SenmvResult(*r)


def psens(treated: Any, control: Any, gammas: Sequence[float] = (1, 2, 3, 4, 5, 6)) -> pd.DataFrame:
    """Rosenbaum bounds on the Wilcoxon signed-rank p-value for pairs, as ``rbounds::psens``.

    Returns one row per Gamma: ``gamma``, ``lower`` and ``upper`` (the bounds of the
    one-sided p-value of "treated higher"), unrounded (psens rounds to 4 digits).

    Examples
    --------
    >>> psens([5.0, 7, 9, 4, 8], [3.0, 4, 9, 5, 2], gammas=[1]).round(4).values.tolist()
    [[1.0, 0.0721, 0.0721]]
    """
    d = np.asarray(treated, dtype=np.float64) - np.asarray(control, dtype=np.float64)
    rows = []
    for g in gammas:
        up, low = _core.wilcoxon_pairs(np.ascontiguousarray(d), float(g))
        rows.append({"gamma": float(g), "lower": low[0], "upper": up[0]})
    return pd.DataFrame(rows)


def hodges_lehmann(y: Any, gamma: float = 1.0, statistic: _typing.RosenbaumStatistic = "auto",
                   method: Optional[_typing.SenmvMethod] = None, inner: float = 0.0, trim: float = 2.5,
                   lambda_: float = 0.5) -> Tuple[Any, ...]:
    """Rosenbaum's bounds on the Hodges-Lehmann estimate of an additive effect at ``gamma``.

    Pairs with the signed-rank statistic: the exact ``(sup{tau: T(tau) > E} + inf{tau:
    T(tau) < E}) / 2`` with ``E`` the largest (smallest) expectation under ``gamma``;
    at ``gamma = 1`` the median of the Walsh averages. ``rbounds::hlsens`` walks a grid of
    step 0.1 from ``wilcox.test``'s approximate estimate instead, so its values lie up to
    one flat step of ``T`` away. Sets (``statistic="m"``): the shifts at which senmv's
    deviate is zero, for the outcomes and their negation.

    Returns
    -------
    (low, high)
    """
    one_of(statistic, _typing.RosenbaumStatistic, "statistic")
    values = _matrix(y)
    if statistic == "wilcoxon" or (statistic == "auto" and values.shape[1] == 2 and not np.isnan(values).any()):
        if values.shape[1] != 2:
            raise SpecError("statistic='wilcoxon' needs pairs (one control per treated)")
        return _core.hodges_lehmann_pairs(np.ascontiguousarray(values[:, 0] - values[:, 1]), float(gamma))
    opts = _options(method, inner, trim, lambda_, False)
    low = _core.hodges_lehmann_sets(values, float(gamma), **opts)
    high = -_core.hodges_lehmann_sets(np.ascontiguousarray(-values), float(gamma), **opts)
    return low, high


def sensitivity_gamma(y: Any, alpha: float = 0.05, statistic: _typing.RosenbaumStatistic = "auto",
                      method: Optional[_typing.SenmvMethod] = None, max_gamma: float = 1000.0) -> Optional[float]:
    """The smallest Gamma at which the upper bound of the p-value of "treated higher" reaches ``alpha``.

    1.0 when the test is not significant even without hidden bias; None when it stays
    significant up to ``max_gamma``.
    """
    one_of(statistic, _typing.RosenbaumStatistic, "statistic")
    values = _matrix(y)
    if statistic == "auto":
        statistic = "wilcoxon" if values.shape[1] == 2 and not np.isnan(values).any() else "m"
    opts = _options(method, 0.0, 2.5, 0.5, False)
    return _core.sensitivity_gamma(values, float(alpha), statistic, max_gamma=float(max_gamma), **opts)


def e_value(ratio: float) -> float:
    """The E-value of a ratio (VanderWeele and Ding 2017): ``RR + sqrt(RR (RR - 1))``, ``RR = max(r, 1/r)``.

    The strength of association (as a risk ratio) that an unmeasured confounder would
    need with both the treatment and the outcome to explain the ratio away.

    >>> round(e_value(3.9), 2)
    7.26
    """
    return float(_core.e_value(float(ratio)))
