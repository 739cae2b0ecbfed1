"""The settlement of a contract on an evaluation: tranches, total, returns, risk, plots and the record."""

from __future__ import annotations

import html
import json
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from ..errors import SpecError
from ..evaluation import Evaluation
from ._settle import PaymentRisk

FORMAT = "utfall.settlement/1"
MSEK = 1e6


class Settlement:
    """What a contract pays on an evaluation's outcomes (from :meth:`Contract.settle`).

    Attributes
    ----------
    contract : Contract
    horizon : str
    metrics : dict
        Every metric available at the horizon, observed value.
    tranches : pandas.DataFrame
        One row per tranche: ``kind``, ``metric``, ``metric value``, ``condition``,
        ``met``, ``amount``.
    total : float
        The total paid by the outcome payer.
    investor : dict
        ``paid``, ``funding``, ``profit``, ``multiple`` (paid / funding) and ``irr``
        (NaN without dates).
    net_cost : float
        The outcome payer's net cost: ``total - max(savings, 0)`` (savings count only
        when positive, as in Norrköping's contract).
    risk : PaymentRisk or None
        The payment over the evaluation's bootstrap replicates.
    evaluation : Evaluation
    outcomes : dict
        Name -> the ChangeScores result used.
    """

    def __init__(self, contract: Any, evaluation: Evaluation, parts: Dict[str, Any]) -> None:
        self.contract = contract
        self.evaluation = evaluation
        self.horizon: str = parts["horizon"]
        self.metrics: Dict[str, float] = parts["observed"]
        self.outcomes = parts["outcomes"]
        self.total: float = parts["total"]
        self.investor: Dict[str, Any] = parts["investor"]
        self.net_cost: float = parts["net_cost"]
        self.risk: Optional[PaymentRisk] = parts["risk"]
        self.interval = parts["interval"]
        settled = parts["settled"]
        rows = [{"tranche": "guarantee", "kind": "guarantee", "metric": None, "metric value": np.nan,
                 "condition": "", "met": True, "amount": float(settled["amounts"][0][0])}]
        for k, t in enumerate(contract.tranches, start=1):
            rows.append({"tranche": t.name, "kind": t.kind, "metric": t.metric,
                         "metric value": self.metrics[t.metric] if t.metric else np.nan,
                         "condition": " and ".join(map(str, t.when)), "met": bool(settled["met"][k][0]),
                         "amount": float(settled["amounts"][k][0])})
        if contract.max_loss is not None:
            rows.append({"tranche": "top-up to maximum loss", "kind": "floor", "metric": None, "metric value": np.nan,
                         "condition": "", "met": True, "amount": float(settled["top_up"][0])})
        self.tranches = pd.DataFrame(rows).set_index("tranche")

    # ------------------------------------------------------------ tables
    def summary(self) -> pd.DataFrame:
        """The settlement in one table: each tranche, the total, the investor's return, the net cost."""
        c = self.contract.currency
        frame = self.tranches[["metric", "metric value", "condition", "met", "amount"]].rename(
            columns={"amount": f"amount ({c})"})
        inv = self.investor
        extra = pd.DataFrame({f"amount ({c})": [self.total, inv["profit"], self.net_cost]},
                             index=pd.Index(["total paid", "investor's profit",
                                             f"{self.contract.outcome_payer}'s net cost"], name="tranche"))
        return pd.concat([frame, extra])

    def results(self) -> Dict[str, Any]:
        """Every number of the settlement as plain JSON data (floats exact; NaN as the string "NaN")."""
        def plain(v: Any) -> Any:
            if isinstance(v, (float, np.floating)):
                return float(v) if np.isfinite(v) else str(float(v)).replace("inf", "Infinity").replace("nan", "NaN")
            if isinstance(v, (np.bool_, np.integer)):
                return v.item()
            return v
        tranches = [{"tranche": name, **{k: plain(v) for k, v in row.items()}}
                    for name, row in self.tranches.iterrows()]
        return {"horizon": self.horizon, "metrics": {k: plain(v) for k, v in self.metrics.items()},
                "tranches": tranches, "total": plain(self.total),
                "investor": {k: plain(v) for k, v in self.investor.items()}, "net_cost": plain(self.net_cost),
                "risk": None if self.risk is None else {k: (plain(v) if not isinstance(v, dict) else
                                                            {kk: plain(vv) for kk, vv in v.items()})
                                                        for k, v in self.risk.to_dict().items()}}

    def to_dict(self, disclosure: str = "aggregate", key: Any = None, threshold: int = 5) -> Dict[str, Any]:
        """The settlement record: the contract, the outcome measures, the evaluation's own
        audit record and every number of the settlement; :func:`utfall.reproduce` re-checks it.

        ``disclosure="aggregate"`` (the default: the record the parties receive) embeds the
        evaluation's aggregate record (keyed pseudonyms under the data holder's ``key``, no
        individual's id or calendar date, counts below ``threshold`` sealed; see
        :meth:`Evaluation.to_json`) and each outcome measure's released form (no
        individual's scores, small cells suppressed); its re-check needs the key and the
        validator's own outcome measures (``outcomes=``). ``disclosure="full"`` is the data
        holder's record with every individual's scores and the full evaluation record.
        """
        if disclosure not in ("aggregate", "full"):
            raise SpecError(f"disclosure must be 'aggregate' or 'full', not {disclosure!r}")
        evaluation = self.evaluation.to_json(disclosure=disclosure, key=key, threshold=threshold)
        return {"format": FORMAT, "utfall_version": self.evaluation.version, "disclosure": disclosure,
                "threshold": threshold, "contract": self.contract.to_dict(),
                "settle": {"horizon": self.horizon, "funding_date": self.investor["funding_date"],
                           "payment_date": self.investor["payment_date"], "uncertainty": self.risk is not None},
                "outcomes": {name: cs.to_dict(disclosure, threshold) for name, cs in self.outcomes.items()},
                "evaluation": json.loads(evaluation),
                "results": self.results()}

    def to_json(self, path: Any = None, indent: Optional[int] = None, *, disclosure: str = "aggregate",
                key: Any = None, threshold: int = 5) -> str:
        """:meth:`to_dict` as standard JSON (no NaN literals); also written to ``path`` when given.

        >>> key = utfall.privacy.new_key()  # doctest: +SKIP
        >>> shared = settlement.to_json("settlement.json", key=key)  # doctest: +SKIP
        """
        text = json.dumps(self.to_dict(disclosure, key, threshold), indent=indent, allow_nan=False,
                          ensure_ascii=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    # ------------------------------------------------------------ display
    def _lines(self) -> List[str]:
        c = self.contract.currency
        inv = self.investor
        lines = [f"Settlement of {self.contract.name!r} at {self.horizon}: total {self.total / MSEK:,.2f} M{c} "
                 f"(funding {self.contract.funding / MSEK:,.2f} M{c}, multiple {inv['multiple']:.3f}"
                 + (f", IRR {100 * inv['irr']:.2f}%" if np.isfinite(inv["irr"]) else "") + ")"]
        for name, row in self.tranches.iterrows():
            cond = f" [{row['condition']}: {'met' if row['met'] else 'not met'}]" if row["condition"] else ""
            on = f" on {row['metric']} = {row['metric value']:,.6g}" if isinstance(row["metric"], str) else ""
            lines.append(f"  {name}: {row['amount'] / MSEK:,.2f} M{c}{on}{cond}")
        lines.append(f"  {self.contract.outcome_payer}'s net cost: {self.net_cost / MSEK:,.2f} M{c}")
        if self.risk is not None:
            lines.append("  " + repr(self.risk))
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        head = html.escape(self._lines()[0])
        body = self.summary().to_html(float_format=lambda v: f"{v:,.2f}" if abs(v) < 1e3 else f"{v:,.0f}")
        risk = "" if self.risk is None else self.risk.summary().to_html(float_format=lambda v: f"{v:,.4g}")
        return f"<div><p><b>utfall.Settlement</b> {head}</p>{body}{risk}</div>"

    # ------------------------------------------------------------ plots
    def plot_distribution(self, ax: Any = None, bins: int = 60) -> Any:
        """Histogram of the total payment over the replicates (MSEK), with the guarantee, the funding,
        the observed and the expected payment marked. Returns the Axes."""
        import matplotlib.pyplot as plt

        if self.risk is None:
            raise ValueError("no replicates: the evaluation has no resampled-sets bootstrap")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        c = self.contract
        ax.hist(self.risk.totals / MSEK, bins=bins, color="0.7", edgecolor="white", label="replicates")
        ax.axvline(c.guarantee / MSEK, color="tab:blue", ls=":", label=f"guarantee {c.guarantee / MSEK:,.2f}")
        ax.axvline(c.funding / MSEK, color="tab:red", ls="--", label=f"funding {c.funding / MSEK:,.2f}")
        ax.axvline(self.total / MSEK, color="black", lw=1.5, label=f"observed {self.total / MSEK:,.2f}")
        ax.axvline(self.risk.expected_payment / MSEK, color="tab:green",
                   label=f"expected {self.risk.expected_payment / MSEK:,.2f}")
        ax.set_xlabel(f"total payment (M{c.currency})")
        ax.set_ylabel("replicates")
        ax.set_title(f"Payment at {self.horizon}: P(investor loses money) = {self.risk.p_investor_loses:.2f}")
        ax.legend(fontsize="small")
        return ax

    def plot_payment(self, ax: Any = None, metric: str = "savings", n: int = 400) -> Any:
        """The payment as a function of ``metric`` (other metrics at their observed values; for a
        conditioned tranche also with its condition failing), the observed value and the savings
        interval marked. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        c = self.contract
        x0 = self.metrics[metric]
        span = max(2.0 * c.funding, 1.5 * abs(x0), 1.0)
        low, high = self.interval
        ends = [x0] + ([low, high] if metric == "savings" and np.isfinite(low) else [])
        grid = np.linspace(min(-span / 2, *ends), max(span, *ends), n)
        values = {m: np.full(n, self.metrics[m]) for m in c.metrics}
        values[metric] = grid
        ax.plot(grid / MSEK, c.settle_values(**values)["total"] / MSEK, color="tab:blue",
                label="payment (observed outcomes)")
        others = [cond for t in c.tranches for cond in t.when if cond.metric != metric]
        if others:
            failing = dict(values)
            for cond in others:
                failing[cond.metric] = np.full(n, cond.value if cond.op in (">", "!=") else cond.value - 1.0)
            ax.plot(grid / MSEK, c.settle_values(**failing)["total"] / MSEK, color="tab:orange", ls="--",
                    label="payment if " + " and ".join(f"not {cond}" for cond in others))
        if metric == "savings" and np.isfinite(low):
            ax.axvspan(low / MSEK, high / MSEK, color="tab:green", alpha=0.12, label="savings interval")
        ax.plot([x0 / MSEK], [self.total / MSEK], "o", color="black", label=f"observed: {self.total / MSEK:,.2f}")
        ax.axhline(c.funding / MSEK, color="tab:red", lw=0.8, ls=":", label="funding")
        ax.set_xlabel(f"{metric} (M{c.currency})" if metric in ("savings", "net_savings", "expected", "actual")
                      else metric)
        ax.set_ylabel(f"total payment (M{c.currency})")
        ax.set_title(f"{c.name}: payment against {metric}")
        ax.legend(fontsize="small")
        return ax
