"""The result of :func:`utfall.evaluate`: tables, plots and the audit record."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .._seeds import Purpose, child_seed
from ..cohort import horizon_text
from ..errors import SpecError
from ..resampling import BootstrapResult, bootstrap
from ._record import differences, to_json

READABLE = {
    "status": "status", "n_participants": "participants", "n_complete": "complete",
    "n_included": "included", "n_without_comparison": "without comparison",
    "expected_total": "expected total ({u})", "actual_total": "actual total ({u})",
    "savings_total": "savings total ({u})", "expected_mean": "expected mean ({u})",
    "actual_mean": "actual mean ({u})", "savings_mean": "savings mean ({u})",
    "intervention_cost": "intervention cost ({u})", "net_savings": "net savings ({u})",
    "break_even_actual": "break-even actual ({u})", "savings_low": "savings low ({u})",
    "savings_high": "savings high ({u})", "interval": "interval",
    "p_savings_positive": "P(savings > 0)", "p_savings_cover_cost": "P(savings > intervention cost)",
    "payback_month": "payback month",
}


def unit_of(outcome: str) -> str:
    """SEK for costs, days for care days."""
    return "SEK" if outcome == "cost" else "days"


class Evaluation:
    """Actual against expected outcome, per participant and horizon.

    Attributes
    ----------
    spec : dict
        The full, normalised specification (matching, horizons, outcome,
        care types, intervention cost, bootstrap, seed, partial follow-up).
    seed : int
    version : str
        The utfall version that computed it.
    fingerprints : dict
        SHA-256 of every input table of the cohort.
    individuals : pandas.DataFrame
        One row per participant and horizon: ``horizon``, ``window_start``,
        ``window_end``, ``days_observed``, ``complete``, ``included``,
        ``n_comparison``, ``actual``, ``expected``, ``savings``
        (= expected - actual), the parts of the outcome per care type
        (``actual_cost_HVB``, ``expected_cost_HVB``, ...) and ``comparison_ids``.
    comparisons : dict
        Horizon -> who was compared with whom (with the MatchResult when matched);
        not part of the JSON record.
    """

    def __init__(self, *, spec: dict, version: str, fingerprints: dict, individuals: pd.DataFrame,
                 summary: pd.DataFrame, trajectories: dict, comparisons: Optional[dict] = None) -> None:
        self.spec = spec
        self.seed = spec["seed"]
        self.version = version
        self.fingerprints = fingerprints
        self.individuals = individuals
        self._summary = summary
        self._trajectories = trajectories
        self.comparisons = comparisons or {}

    @property
    def horizons(self) -> list:
        return list(self.spec["horizons"])

    @property
    def unit(self) -> str:
        return unit_of(self.spec["outcome"])

    def matches(self) -> dict:
        """Horizon -> the :class:`MatchResult` used (matched estimator only)."""
        return {h: c.match for h, c in self.comparisons.items() if getattr(c, "match", None) is not None}

    # ------------------------------------------------------------------ tables
    def summary(self, readable: bool = True) -> pd.DataFrame:
        """One row per horizon: counts, totals and means of expected, actual and
        savings, net savings, break-even actual cost, interval, probabilities and
        payback month. ``readable=False`` gives the machine column names."""
        if not readable:
            return self._summary.copy()
        u = self.unit
        frame = self._summary.copy()
        frame.index.name = "horizon"
        return frame.rename(columns={k: v.format(u=u) for k, v in READABLE.items()})

    def trajectory(self, horizon: Optional[str] = None) -> pd.DataFrame:
        """Cumulative expected, actual and savings month by month since index
        (summed over included participants), with the pointwise band
        ``savings_low``/``savings_high`` and ``n_observed``."""
        return self._trajectories[self._horizon(horizon)].copy()

    def payback_month(self, horizon: Optional[str] = None) -> Optional[int]:
        """The first month whose cumulative savings cover the intervention cost, if any."""
        value = self._summary.loc[self._horizon(horizon), "payback_month"]
        return None if pd.isna(value) else int(value)

    def by_part(self, horizon: Optional[str] = None) -> pd.DataFrame:
        """Totals over the included participants per part of the outcome (care type
        costs or care days, ledger categories): ``expected``, ``actual`` and
        ``savings``; the rows add up to the horizon's totals."""
        h = self._horizon(horizon)
        rows = self.individuals[(self.individuals["horizon"] == h) & self.individuals["included"]]
        parts = [c[len("actual_"):] for c in rows.columns if c.startswith("actual_")]
        if not parts:
            return pd.DataFrame({"expected": [rows["expected"].sum()], "actual": [rows["actual"].sum()],
                                 "savings": [rows["savings"].sum()]}, index=pd.Index(["total"], name="part"))
        frame = pd.DataFrame({"expected": [rows[f"expected_{p}"].sum() for p in parts],
                              "actual": [rows[f"actual_{p}"].sum() for p in parts]},
                             index=pd.Index(parts, name="part"))
        frame["savings"] = frame["expected"] - frame["actual"]
        return frame

    def comparison_weights(self, horizon: Optional[str] = None) -> pd.DataFrame:
        """Who was compared with whom: one row per (participant, comparison individual)
        with the weight ``1 / k`` of the comparison individual in the participant's
        expected outcome (``k`` the size of the participant's comparison set)."""
        h = self._horizon(horizon)
        rows = self.individuals[self.individuals["horizon"] == h]
        ids = rows["comparison_ids"].apply(list)
        k = ids.apply(len).to_numpy()
        long = pd.DataFrame({"participant": np.repeat(rows.index.to_numpy(), k),
                             "comparison": [c for group in ids for c in group],
                             "weight": np.repeat(1.0 / np.maximum(k, 1), k)})
        return long

    def savings_bootstrap(self, horizon: Optional[str] = None) -> BootstrapResult:
        """The bootstrap behind the summary's savings interval at ``horizon``, replicates kept.

        The same data (the included participants' savings), seed
        (``child_seed(seed, SAVINGS_BOOTSTRAP, j)`` for the ``j``-th horizon) and
        resamples as :func:`utfall.evaluate` used, so ``distribution`` holds the
        very replicates of the total savings ``sum_i d*_i`` whose shares give
        ``P(savings > 0)``; for settling a contract on every replicate.
        """
        h = self._horizon(horizon)
        boot = self.spec["bootstrap"]
        if boot is None or boot["rematch"]:
            raise SpecError("savings_bootstrap: the evaluation has no resampled-sets bootstrap "
                            "(bootstrap=False, or rematch=True, whose replicates are not kept)")
        rows = self.individuals[self.individuals["horizon"] == h]
        savings = rows["savings"].to_numpy(np.float64)[rows["included"].to_numpy(bool)]
        if len(savings) < 2:
            raise SpecError(f"savings_bootstrap: fewer than two participants are included at {h}")
        return bootstrap(savings, "sum", n_resamples=boot["n_resamples"], confidence_level=boot["confidence_level"],
                         methods=(boot["method"],), seed=child_seed(self.seed, Purpose.SAVINGS_BOOTSTRAP,
                                                                    self.horizons.index(h)),
                         keep_distribution=True, progress=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-individual table (a copy)."""
        return self.individuals.copy()

    def _horizon(self, horizon: Optional[str]) -> str:
        if horizon is None:
            return self.horizons[-1]
        h = horizon_text(horizon)
        if h not in self._trajectories:
            raise KeyError(f"no horizon {horizon!r} in this evaluation (it has {self.horizons})")
        return h

    # ------------------------------------------------------------------ audit
    def to_json(self, path: Any = None, indent: Optional[int] = None) -> str:
        """The audit record: specification, seed, version, fingerprints and every
        result number (exact: floats round-trip). Written to ``path`` when given."""
        return to_json(self, path=path, indent=indent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluation):
            return NotImplemented
        return not differences(self, other)

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ plots
    def plot_trajectory(self, horizon: Optional[str] = None, ax: Any = None, scale: float = 1e6):
        """Cumulative expected and actual cost and savings since index, with the band.

        ``scale`` divides amounts (default: MSEK for costs). The dotted line is
        the intervention cost; the marker the payback month. Returns the Axes.
        """
        import matplotlib.pyplot as plt

        h = self._horizon(horizon)
        t = self._trajectories[h]
        scale = scale if self.unit == "SEK" else 1.0
        label = "MSEK" if (self.unit == "SEK" and scale == 1e6) else self.unit
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        m = t.index.to_numpy()
        ax.plot(m, t["expected"] / scale, label="expected (cumulative)", color="tab:blue")
        ax.plot(m, t["actual"] / scale, label="actual (cumulative)", color="tab:orange")
        ax.plot(m, t["savings"] / scale, label="savings = expected - actual", color="tab:green")
        if t["savings_low"].notna().any():
            ax.fill_between(m, t["savings_low"] / scale, t["savings_high"] / scale, color="tab:green", alpha=0.2,
                            label="savings, pointwise interval")
        cost = self._summary.loc[h, "intervention_cost"]
        if pd.notna(cost):
            ax.axhline(cost / scale, color="grey", linestyle=":", label="intervention cost")
            month = self.payback_month(h)
            if month is not None:
                ax.plot([month], [t.loc[month, "savings"] / scale], "o", color="black", label=f"payback, month {month}")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlabel("months since index")
        ax.set_ylabel(label)
        ax.set_title(f"Cumulative outcome, {h} ({self._summary.loc[h, 'status']})")
        ax.legend(loc="best", fontsize="small")
        return ax

    def plot_differences(self, horizon: Optional[str] = None, ax: Any = None, scale: float = 1e6):
        """Waterfall of per-participant savings, largest first, with their running total. Returns the Axes."""
        import matplotlib.pyplot as plt

        h = self._horizon(horizon)
        rows = self.individuals[(self.individuals["horizon"] == h) & self.individuals["included"]]
        d = np.sort(rows["savings"].to_numpy())[::-1]
        scale = scale if self.unit == "SEK" else 1.0
        d = d / scale
        running = np.cumsum(d)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        x = np.arange(1, len(d) + 1)
        bottoms = running - d
        ax.bar(x, d, bottom=bottoms, color=np.where(d >= 0, "tab:green", "tab:red"), width=0.8)
        ax.step(x, running, where="mid", color="black", linewidth=0.8, label="running total")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlabel("participants, by savings (expected - actual)")
        ax.set_ylabel("MSEK" if (self.unit == "SEK" and scale == 1e6) else self.unit)
        ax.set_title(f"Savings per participant, {h}")
        ax.legend(loc="best", fontsize="small")
        return ax

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        lines = [f"Evaluation({self.spec['outcome']}, {self.spec['matching']['estimator']} comparison, "
                 f"seed {self.seed}, utfall {self.version})"]
        big = self.unit == "SEK" and self._summary["expected_total"].abs().max() >= 1e6

        def amount(value: float) -> str:
            return f"{value / 1e6:,.1f} MSEK" if big else f"{value:,.0f} {self.unit}"

        for h, row in self._summary.iterrows():
            text = (f"  {h}: expected {amount(row['expected_total'])}, actual {amount(row['actual_total'])}, "
                    f"savings {amount(row['savings_total'])}")
            if pd.notna(row["savings_low"]):
                text += f" [{amount(row['savings_low'])}, {amount(row['savings_high'])}] ({row['interval']})"
            lines.append(text + f"; {row['status']}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (f"<p><b>utfall.Evaluation</b>: {self.spec['outcome']}, {self.spec['matching']['estimator']} "
                f"comparison, seed {self.seed}, utfall {self.version}</p>")
        return head + self.summary().to_html(float_format=lambda v: f"{v:,.3f}" if abs(v) < 1 else f"{v:,.0f}")
