"""Rosenbaum bounds of an evaluation's savings, in kronor."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence

import numpy as np
import pandas as pd

from .. import _typing
from .._validation import one_of
from ..errors import SpecError
from ._sets import matched_sets, savings_orientation, set_sizes
from ._tests import e_value, hodges_lehmann, psens, senmv, sensitivity_gamma

DEFAULT_GAMMAS = (1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)


class SensitivityResult:
    """Rosenbaum bounds of the savings at one horizon (see :func:`rosenbaum_bounds`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per Gamma: ``p_savings`` and ``p_overspend`` (upper bounds of the one-sided
        p-values of "savings > 0" and "savings < 0"), ``hl_low``/``hl_high`` (bounds of the
        Hodges-Lehmann estimate of the savings per participant, SEK), ``savings_low``/
        ``savings_high`` (the same times the participants included, SEK) and, with a
        ``payment`` function, ``payment_low``/``payment_high``.
    gamma_savings, gamma_overspend : float or None
        The smallest Gamma at which "savings > 0" ("< 0") is no longer significant at
        ``alpha`` (1.0: not significant without hidden bias; None: still significant at 1000).
    ratio, e_value : float
        Expected / actual total, and its E-value; ``e_value_limit`` that of the limit of
        the evaluation's savings interval closest to no effect (1.0 when it covers 0).
    """

    def __init__(self, *, horizon: str, statistic: str, alpha: float, n_sets: int, set_size: Optional[int],
                 table: pd.DataFrame, gamma_savings: Optional[float], gamma_overspend: Optional[float],
                 ratio: float, e_value: float, e_value_limit: float) -> None:
        self.horizon, self.statistic, self.alpha = horizon, statistic, alpha
        self.n_sets, self.set_size, self.table = n_sets, set_size, table
        self.gamma_savings, self.gamma_overspend = gamma_savings, gamma_overspend
        self.ratio, self.e_value, self.e_value_limit = ratio, e_value, e_value_limit

    def to_dict(self) -> Dict[str, Any]:
        return {"horizon": self.horizon, "statistic": self.statistic, "alpha": self.alpha, "n_sets": self.n_sets,
                "gamma_savings": self.gamma_savings, "gamma_overspend": self.gamma_overspend,
                "ratio": self.ratio, "e_value": self.e_value, "e_value_limit": self.e_value_limit,
                "table": self.table.to_dict("list")}

    def summary(self) -> pd.DataFrame:
        """The table with readable column names and amounts in MSEK."""
        t = self.table.copy()
        for c in [c for c in t.columns if c.startswith(("savings_", "payment_"))]:
            t[c] = t[c] / 1e6
        return t.rename(columns={"gamma": "Gamma", "p_savings": "P bound, savings > 0",
                                 "p_overspend": "P bound, savings < 0", "hl_low": "HL low (SEK/participant)",
                                 "hl_high": "HL high (SEK/participant)", "savings_low": "savings low (MSEK)",
                                 "savings_high": "savings high (MSEK)", "payment_low": "payment low (MSEK)",
                                 "payment_high": "payment high (MSEK)"}).set_index("Gamma")

    def __repr__(self) -> str:
        def g(v: Optional[float]) -> str:
            return "beyond 1000" if v is None else f"{v:.2f}"
        return (f"SensitivityResult({self.horizon}, {self.statistic}, {self.n_sets} sets: Gamma at which "
                f"'savings > 0' stops holding {g(self.gamma_savings)}, 'savings < 0' {g(self.gamma_overspend)}; "
                f"expected/actual {self.ratio:.3f}, E-value {self.e_value:.2f})")

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + str(self.summary().to_html(float_format=lambda v: f"{v:,.4g}"))

    def plot(self, ax: Any = None) -> Any:
        """Savings (and payment, when computed) bounds against Gamma, in MSEK."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        ax.fill_between(t["gamma"], t["savings_low"] / 1e6, t["savings_high"] / 1e6, alpha=0.3,
                        label="savings compatible with hidden bias (HL bounds)")
        if "payment_low" in t:
            ax.plot(t["gamma"], t["payment_low"] / 1e6, "k--", label="payment, low")
            ax.plot(t["gamma"], t["payment_high"] / 1e6, "k:", label="payment, high")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("Gamma (odds of differential selection)")
        ax.set_ylabel("MSEK")
        ax.set_title(f"Sensitivity to hidden bias at {self.horizon}")
        ax.legend()
        return ax


def _contract_payment(contract: Any, summary: pd.Series, metrics: Dict[str, float]) -> Callable[[float], float]:
    """Savings total -> the contract's payment, the other metrics held at the evaluation's values."""
    cost = float(summary["intervention_cost"]) if np.isfinite(summary["intervention_cost"]) else 0.0
    expected_total = float(summary["expected_total"])
    reads = set(getattr(contract, "metrics", []))

    def pay(savings: float) -> float:
        values = {"savings": savings, "net_savings": savings - cost, "expected": expected_total,
                  "actual": expected_total - savings, **metrics}
        missing = reads - set(values)
        if missing:
            raise SpecError(f"rosenbaum_bounds: the contract reads the metric(s) {sorted(missing)}; "
                            f"give their values in metrics=")
        return float(contract.settle_values(**{k: v for k, v in values.items() if k in reads})["total"].iloc[0])

    return pay


def rosenbaum_bounds(evaluation: Any, gammas: Sequence[float] = DEFAULT_GAMMAS, horizon: Optional[str] = None, *,
                     statistic: _typing.RosenbaumStatistic = "auto", method: Optional[_typing.SenmvMethod] = None,
                     alpha: float = 0.05, payment: Optional[Callable[[float], float]] = None,
                     contract: Any = None, metrics: Optional[Dict[str, float]] = None,
                     cohort: Any = None) -> SensitivityResult:
    """Sensitivity of an evaluation's savings to hidden bias (Rosenbaum bounds), in kronor.

    Parameters
    ----------
    evaluation : Evaluation
        An evaluation with comparison sets (matched, given pairs or strata).
    gammas : sequence of float
        Sizes of hidden bias: within a matched set, two units' odds of being the
        participant may differ by a factor up to Gamma (1: no hidden bias).
    horizon : str, optional
        Default: the evaluation's last horizon.
    statistic : {"auto", "wilcoxon", "m"}
        ``"wilcoxon"``: the signed-rank test of the pair differences, as ``rbounds::psens``
        (pairs only); ``"m"``: the m-test of ``sensitivitymv::senmv`` (Huber's psi by
        default, sets with any number of controls); ``"auto"``: Wilcoxon for pairs, m otherwise.
    method : senmv's method name, optional
    alpha : float
        The level at which "savings > 0" counts as shown.
    payment : callable, optional
        Savings total (SEK) -> payment (SEK); gives the range of payments compatible with
        hidden bias of size Gamma.
    contract : utfall.Contract, optional
        The same with the contract's own mechanism: at each savings bound it is settled
        (:meth:`utfall.Contract.settle_values`) with ``savings``, ``net_savings`` (after the
        evaluation's intervention cost), ``expected`` and ``actual`` (the expected total
        less the savings) and the other ``metrics`` it reads (e.g. ``{"school": 18}``).
    cohort : Cohort, optional
        Needed only for an evaluation loaded from a record.

    Returns
    -------
    SensitivityResult

    Notes
    -----
    Savings are tested as the participants' outcomes being lower than their comparison
    individuals' (the m-test on ``-cost``, treated first). The Hodges-Lehmann bounds are
    the additive savings per participant ``tau`` at which the statistic equals its largest
    (smallest) expectation under Gamma; times the number of participants they bound the
    savings total. Rosenbaum's model assumes disjoint matched sets: with comparison
    individuals reused (matching with replacement, strata) the bounds are approximate.
    The E-value is VanderWeele and Ding's for the ratio of expected to actual costs taken
    as a risk ratio.

    Examples
    --------
    >>> import utfall
    >>> c = utfall.synthetic.register(n_participants=40, n_historical=200, seed=3)
    >>> ev = utfall.evaluate(c, {"covariates": ["age", "prior_cost_total"], "lookback": "2y"}, horizons=["2y"],
    ...                      bootstrap=False, seed=3, progress=False)
    >>> r = utfall.validity.rosenbaum_bounds(ev, gammas=[1, 2])
    >>> list(r.table["gamma"])
    [1.0, 2.0]
    """
    one_of(statistic, _typing.RosenbaumStatistic, "statistic")
    h = evaluation.horizons[-1] if horizon is None else horizon
    if h not in evaluation.horizons:
        raise SpecError(f"rosenbaum_bounds: no horizon {horizon!r} in the evaluation ({evaluation.horizons})")
    gammas = [float(g) for g in gammas]
    if not gammas or min(gammas) < 1:
        raise SpecError(f"gammas: give one or more values of at least 1, not {gammas}")
    values, _ = matched_sets(evaluation, h, cohort)
    size = set_sizes(values)
    if statistic == "auto":
        statistic = "wilcoxon" if size == 2 else "m"
    if statistic == "wilcoxon" and size != 2:
        raise SpecError("rosenbaum_bounds: statistic='wilcoxon' needs pairs (one comparison individual each); "
                        "use statistic='m' for sets")
    up = savings_orientation(values, "savings")
    down = savings_orientation(values, "overspend")
    rows = []
    for g in gammas:
        if statistic == "wilcoxon":
            p_s = float(psens(up[:, 0], up[:, 1], [g])["upper"][0])
            p_o = float(psens(down[:, 0], down[:, 1], [g])["upper"][0])
            low, high = hodges_lehmann(up, g, "wilcoxon")
        else:
            p_s, p_o = senmv(up, g, method).pval, senmv(down, g, method).pval
            low, high = hodges_lehmann(up, g, "m", method)
        rows.append({"gamma": g, "p_savings": p_s, "p_overspend": p_o, "hl_low": low, "hl_high": high})
    table = pd.DataFrame(rows)
    n = len(values)
    table["savings_low"] = table["hl_low"] * n
    table["savings_high"] = table["hl_high"] * n
    s = evaluation.summary(readable=False).loc[h]
    if payment is not None and contract is not None:
        raise SpecError("rosenbaum_bounds: give payment= or contract=, not both")
    if contract is not None:
        payment = _contract_payment(contract, s, metrics or {})
    if payment is not None:
        table["payment_low"] = [float(payment(v)) for v in table["savings_low"]]
        table["payment_high"] = [float(payment(v)) for v in table["savings_high"]]
    expected_total, actual_total = float(s["expected_total"]), float(s["actual_total"])
    if not actual_total > 0:
        raise SpecError(f"rosenbaum_bounds: the actual total at {h} is {actual_total}: no ratio to take")
    ratio = expected_total / actual_total
    limit = 1.0
    lo, hi = float(s["savings_low"]), float(s["savings_high"])
    if np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0):
        nearest = lo if lo > 0 else hi
        limit = e_value(expected_total / (expected_total - nearest))
    return SensitivityResult(horizon=h, statistic=statistic, alpha=alpha, n_sets=n, set_size=size, table=table,
                             gamma_savings=sensitivity_gamma(up, alpha, statistic, method),
                             gamma_overspend=sensitivity_gamma(down, alpha, statistic, method),
                             ratio=ratio, e_value=e_value(ratio), e_value_limit=limit)
