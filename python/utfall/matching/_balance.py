"""Covariate balance before and after matching, with MatchIt's conventions.

:func:`balance_table` reproduces the columns of MatchIt 4.7's
``summary(m, un = TRUE)`` (``standardize = TRUE``). With sampling weights
``s`` every weight below is the matching weight times ``s`` (``s`` alone before
matching), as MatchIt's ``bal1var``; for the ATC the standardising group is the
controls instead of the treated:

``Means Treated``, ``Means Control``
    Weighted means (all weights 1 in the unmatched sample).
``Std. Mean Diff.``
    ``(mean_t - mean_c) / s_t`` where ``s_t`` is the standard deviation of the
    *treated* group in the *unmatched* sample, the same denominator before and
    after matching; for a binary (0/1) variable ``s_t = sqrt(p_t (1 - p_t))``;
    otherwise the reliability-weighted sample standard deviation. When the
    difference is below ``sqrt(machine epsilon)`` the raw difference is shown,
    as MatchIt does. When ``s_t`` vanishes the pooled within-group standard
    deviation replaces it.
``Var. Ratio``
    Weighted variance of the treated over that of the controls
    (``sum w (x - m)^2 / (1 - sum w^2)`` with weights normalised to sum to 1);
    empty for binary variables.
``eCDF Mean``, ``eCDF Max``
    The mean and maximum of ``|F_t(x) - F_c(x)|`` over the distinct values of
    ``x`` in the whole sample (matched or not), with weighted empirical CDFs;
    for binary variables both equal ``|p_t - p_c|``.
``Std. Pair Dist.``
    The mean absolute within-pair difference (over every treated-control pair
    of a matched set) divided by ``s_t`` (after matching only).

Factor variables get one row per level (``raceblack``, ``racehispan``, ...),
as MatchIt shows them.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple, cast

import numpy as np
import pandas as pd

COLUMNS = ["Means Treated", "Means Control", "Std. Mean Diff.", "Var. Ratio", "eCDF Mean", "eCDF Max",
           "Std. Pair Dist."]
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def _wmean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(x * w) / np.sum(w))


def _wvar(x: np.ndarray, binary: bool, w: Optional[np.ndarray] = None) -> float:
    w = np.ones(len(x)) if w is None else w
    w = w / w.sum()
    m = float(np.sum(w * x))
    if binary:
        return m * (1 - m)
    return float(np.sum(w * (x - m) ** 2) / (1 - np.sum(w ** 2)))


def _pooled_sd(x: np.ndarray, t: np.ndarray, binary: bool, s: Optional[np.ndarray] = None) -> float:
    """MatchIt's ``pooled_sd`` with the sampling weights ``s`` (all 1 when None), as ``summary`` calls it."""
    s = np.ones(len(x)) if s is None else s
    if binary:
        v = 0.0
        for g in (True, False):
            sx = float(np.sum(x[t == g] * s[t == g]))
            v += sx * (1 - sx / max(float(s[t == g].sum()), 1e-300)) / float(s.sum())
        return float(np.sqrt(v))
    c = x.astype(float).copy()
    for g in (True, False):
        c[t == g] -= _wmean(c[t == g], s[t == g]) if (t == g).any() else 0.0
    w = s / s.sum()
    return float(np.sqrt(np.sum(w * c ** 2) / (1 - np.sum(w ** 2))))


def _ecdf_diffs(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``|F_t - F_c|`` at each distinct value of ``x`` (MatchIt's ``qqsum``, standardised)."""
    w = w.astype(float).copy()
    for g in (True, False):
        total = w[t == g].sum()
        if total > 0:
            w[t == g] /= total
    order = np.argsort(x, kind="stable")
    xs, ws, ts = x[order], w[order], t[order]
    signed = np.where(ts == ts[0], -ws, ws)
    cum = np.abs(np.cumsum(signed))
    last_of_value = np.append(np.diff(xs) != 0, True)
    return cast(np.ndarray, cum[last_of_value])


def balance_row(x: np.ndarray, t: np.ndarray, weights: Optional[np.ndarray],
                pairs: Optional[Tuple[Any, ...]] = None, s_weights: Optional[np.ndarray] = None,
                estimand: str = "ATT") -> List[Any]:
    """One row of the balance table for covariate ``x`` (``weights`` None: unmatched)."""
    x = np.asarray(x, dtype=float)
    binary = bool(np.all((x == 0) | (x == 1)))
    s = np.ones(len(x)) if s_weights is None else np.asarray(s_weights, dtype=float)
    w = s if weights is None else np.asarray(weights, dtype=float) * s
    i1, i0 = t, ~t
    too_small = np.sum(w[i1] != 0) < 2 and np.sum(w[i0] != 0) < 2
    mt, mc = _wmean(x[i1], w[i1]), _wmean(x[i0], w[i0])
    diff = mt - mc
    out = [mt, mc, np.nan, np.nan, np.nan, np.nan, np.nan]
    std = None
    if abs(diff) > _SQRT_EPS:
        if not too_small:
            if estimand == "ATE":  # MatchIt's s.d.denom = "pooled"
                std = float(np.sqrt((_wvar(x[i1], binary, s[i1]) + _wvar(x[i0], binary, s[i0])) / 2))
            else:
                g = i0 if estimand == "ATC" else i1
                std = float(np.sqrt(_wvar(x[g], binary, s[g])))
            if not np.isfinite(std) or std < _SQRT_EPS:
                std = _pooled_sd(x, t, binary, s)
            out[2] = diff / std
    else:
        out[2] = diff
    if weights is not None and pairs is not None and (std is not None or abs(diff) <= _SQRT_EPS):
        treated_rows, control_rows = pairs
        pair_diff = float(np.mean(np.abs(x[treated_rows] - x[control_rows]))) if len(treated_rows) else np.nan
        out[6] = pair_diff / std if std is not None and abs(pair_diff) > 1e-8 else pair_diff
    if binary:
        out[4] = out[5] = abs(diff)
    elif not too_small:
        out[3] = _wvar(x[i1], binary, w[i1]) / _wvar(x[i0], binary, w[i0])
        e = _ecdf_diffs(x, t, w)
        out[4], out[5] = float(e.mean()), float(e.max())
    return out


def balance_table(covariates: pd.DataFrame, treat: np.ndarray, weights: Optional[np.ndarray],
                  pairs: Optional[Tuple[Any, ...]] = None, s_weights: Optional[np.ndarray] = None,
                  estimand: str = "ATT") -> pd.DataFrame:
    """The balance of every column of ``covariates`` (numeric, factors already expanded).

    ``s_weights``: sampling weights (multiplying the matching weights); ``estimand``:
    ``"ATC"`` standardises by the controls' standard deviation, ``"ATE"`` by the pooled
``sqrt((s_t^2 + s_c^2) / 2)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = pd.DataFrame({"age": [30.0, 40.0, 35.0, 50.0]})
    >>> t = np.array([True, True, False, False])
    >>> float(balance_table(x, t, None).loc["age", "Means Control"])
    42.5
    """
    treat = np.asarray(treat, dtype=bool)
    rows = [balance_row(covariates[c].to_numpy(dtype=float), treat, weights, pairs, s_weights, estimand)
            for c in covariates.columns]
    table = pd.DataFrame(rows, index=pd.Index(covariates.columns, name="term"), columns=COLUMNS)
    if weights is None:
        table["Std. Pair Dist."] = np.nan
    return table


def love_plot(table: pd.DataFrame, ax: Any = None, threshold: float = 0.1) -> Any:
    """A love plot: absolute standardized mean differences before and after matching, with the bar."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(table) + 1.5))
    terms = list(table.index)
    y = np.arange(len(terms))[::-1]
    ax.scatter(table[("all", "Std. Mean Diff.")].abs(), y, marker="o", facecolors="none", edgecolors="black",
               label="All (before matching)")
    ax.scatter(table[("matched", "Std. Mean Diff.")].abs(), y, marker="o", color="black",
               label="Matched (after matching)")
    ax.axvline(threshold, linestyle="--", color="grey", linewidth=0.8, label=f"bar |SMD| = {threshold:g}")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(terms)
    ax.set_xlabel("Absolute standardized mean difference")
    ax.set_title("Balance: absolute standardized mean differences")
    ax.legend(loc="lower right", fontsize="small")
    return ax
