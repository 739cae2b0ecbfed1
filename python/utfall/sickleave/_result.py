"""The result of :func:`utfall.sickleave.evaluate`: tables, text, HTML, JSON and plots."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import numpy as np
import pandas as pd

from ._settle import settle


def _sek(x: float) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x / 1e6:,.2f} MSEK" if abs(x) >= 1e6 else f"{x:,.0f} SEK"


def _interval(low: float, high: float, fmt: str) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "-"
    return f"[{fmt.format(low)}, {fmt.format(high)}]"


class SickLeaveEvaluation:
    """Expected (``Se``) against observed (``Sn``) short-term sick days and the saving, per group.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group: ``employees``, ``units`` (resampled units), ``value_of_a_day``
        (SEK), ``se`` and ``sn`` (net short-term days per employee-month),
        ``difference`` (``se - sn``), ``reduction`` (floored at 0), ``percent``
        (``difference / se``), ``saving`` (SEK, floored at 0), ``employee_months``,
        ``<statistic>_low``/``_high`` (the bootstrap interval) and ``p_target``
        (the share of resamples with ``percent >= target``).
    monthly : pandas.DataFrame
        Per group and observation month: the reference month, its rate, the
        trend ratio, the expected and the observed rate.
    replicates : dict
        Group -> DataFrame of the bootstrap replicates of every statistic.
    spec, fingerprints, version, seed
        What was computed, on which data, by which utfall.
    """

    def __init__(self, *, spec: Dict[str, Any], table: pd.DataFrame, monthly: pd.DataFrame,
                 replicates: Dict[str, pd.DataFrame], fingerprints: Dict[str, Any], version: str,
                 seconds: float) -> None:
        self.spec = spec
        self.seed = spec["seed"]
        self.table = table
        self.monthly = monthly
        self.replicates = replicates
        self.fingerprints = fingerprints
        self.version = version
        self.seconds = seconds

    # ------------------------------------------------------------------ text
    def summary(self) -> pd.DataFrame:
        """The headline figures per group, readable, with units."""
        level = f"{self.spec['confidence_level']:.0%}"
        target = f"{self.spec['target']:.0%}"
        out = {}
        for label, r in self.table.iterrows():
            out[label] = {
                "employees": f"{int(r['employees']):,}",
                "Se, expected (net days per employee-year)": f"{12 * r['se']:.2f}",
                "Sn, observed (net days per employee-year)": f"{12 * r['sn']:.2f}",
                "reduction (net days per employee-year)": f"{12 * r['reduction']:.2f}",
                "reduction (%)": f"{100 * r['percent']:.1f} %" if np.isfinite(r["percent"]) else "-",
                f"{level} interval (%)": _interval(100 * r["percent_low"], 100 * r["percent_high"], "{:.1f}"),
                f"P(reduction >= {target})": f"{r['p_target']:.2f}" if np.isfinite(r["p_target"]) else "-",
                "value of a sick day": _sek(r["value_of_a_day"]),
                "employee-months": f"{r['employee_months']:,.0f}",
                "saving": _sek(r["saving"]),
                f"{level} interval (saving)": (_interval(r["saving_low"] / 1e6, r["saving_high"] / 1e6, "{:,.2f}")
                                               + " MSEK" if np.isfinite(r["saving_low"]) else "-"),
            }
        return pd.DataFrame(out)

    def __repr__(self) -> str:
        s = self.spec
        head = (f"utfall.sickleave evaluation: reference {s['reference'][0]}..{s['reference'][1]}, "
                f"observation {s['observation'][0]}..{s['observation'][1]} ({s['months']} months), "
                f"trend {s['trend']}, {s['bootstrap']} resamples"
                f"{' of ' + s['clusters'] if s['clusters'] else ' of employees'}, seed {s['seed']}")
        return head + "\n" + self.summary().to_string()

    def _repr_html_(self) -> str:
        s = self.spec
        return (f"<p><b>Sick-leave contract evaluation</b>: reference {s['reference'][0]} to {s['reference'][1]}, "
                f"observation {s['observation'][0]} to {s['observation'][1]}; trend {s['trend']}; seed {s['seed']}</p>"
                + self.summary().to_html())

    # ------------------------------------------------------------------ records
    def to_dict(self) -> Dict[str, Any]:
        table = self.table.reset_index()
        table[table.columns[0]] = table[table.columns[0]].astype(str)
        monthly = self.monthly.assign(month=self.monthly["month"].astype(str),
                                      reference_month=self.monthly["reference_month"].astype(str))
        return {"format": "utfall.sickleave.evaluation/1", "version": self.version, "spec": self.spec,
                "fingerprints": self.fingerprints, "table": json.loads(table.to_json(orient="records")),
                "monthly": json.loads(monthly.to_json(orient="records"))}

    def to_json(self, **kwargs: Any) -> str:
        """The audit record as JSON (spec, seed, data fingerprints, version, tables; not the replicates):
        ``utfall.reproduce(record, register)`` re-runs it and checks every number."""
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def settle(self, contract: Any, group: Optional[Any] = None) -> Any:
        """Settles a :class:`utfall.Contract` on this evaluation, observed and over the replicates
        (see :func:`utfall.sickleave._settle.settle`; a provider paid on the relative reduction reads
        the metric ``percent``)."""
        return settle(self, contract, group)

    # ------------------------------------------------------------------ plots
    def plot(self, ax: Any = None, group: Optional[str] = None) -> Any:
        """Expected (trend-adjusted reference) and observed short-term days per employee-month."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4))
        groups = [group] if group is not None else list(self.table.index)
        for k, label in enumerate(groups):
            m = self.monthly[self.monthly["group"] == label]
            x = m["month"].dt.to_timestamp()
            color = f"C{k}"
            ax.plot(x, m["expected"], color=color, linestyle="--", label=f"{label}: expected Se(i)")
            ax.plot(x, m["observed"], color=color, label=f"{label}: observed Sn(i)")
        ax.set_title("Short-term sick leave (days 1-14): expected from the reference period vs observed")
        ax.set_ylabel("net days per employee-month")
        ax.set_xlabel("observation month")
        ax.legend(fontsize="small")
        return ax

    def plot_distribution(self, group: Optional[str] = None, ax: Any = None) -> Any:
        """The bootstrap distribution of the percent reduction, with the target and the estimate."""
        import matplotlib.pyplot as plt
        label = group if group is not None else self.table.index[0]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        values = 100 * self.replicates[label]["percent"].to_numpy()
        values = values[np.isfinite(values)]
        if len(values):
            ax.hist(values, bins=50, color="C0", alpha=0.7, label=f"{len(values)} resamples")
        estimate = float(self.table.loc[label, "percent"])  # type: ignore[arg-type]
        p_target = float(self.table.loc[label, "p_target"])  # type: ignore[arg-type]
        ax.axvline(100 * estimate, color="k", label="estimate")
        ax.axvline(100 * self.spec["target"], color="C3", linestyle="--",
                   label=f"target {self.spec['target']:.0%} (P = {p_target:.2f})")
        ax.set_title(f"{label}: reduction in short-term sick days")
        ax.set_xlabel("reduction (%)")
        ax.set_ylabel("resamples")
        ax.legend(fontsize="small")
        return ax
