"""The result of :func:`utfall.evaluate`: tables, plots and the audit record."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Union, cast

import numpy as np
import pandas as pd

from .._seeds import Purpose, child_seed
from ..cohort import horizon_text
from ..errors import SpecError
from ..expected import outcome_type
from ..resampling import BootstrapResult, bootstrap
from ._clusters import SUBCLASS_METHODS, subclass_clusters
from ._display import summary_frame
from ._notes import lines
from ._released import released_summary
from ._record import differences, to_json
from ._spec import Spec

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


#: The function behind :meth:`Evaluation.validity`, provided by :mod:`utfall.validity`
#: (which builds on evaluations, so it registers itself here: imports run one way).
_VALIDITY: Optional[Callable[..., pd.DataFrame]] = None


def provide_validity(function: Callable[..., pd.DataFrame]) -> None:
    """Registers the function behind :meth:`Evaluation.validity` (called by :mod:`utfall.validity`)."""
    global _VALIDITY
    _VALIDITY = function


#: The report writer, registered by :mod:`utfall.report` (which imports this package, not the other way).
_REPORTERS: List[Callable[..., Any]] = []


def register_reporter(writer: Any) -> None:
    """Register the function behind :meth:`Evaluation.report` (called by :mod:`utfall.report`)."""
    _REPORTERS[:] = [writer]


def unit_of(outcome: str) -> str:
    """The unit of an outcome type: SEK for costs, days for care days."""
    return outcome_type(outcome).unit


def _year_ends(months: int) -> np.ndarray:
    """The last month of each year since index: 12, 24, ..., and ``months`` for a last, shorter year."""
    return np.minimum(np.arange(1, -(-months // 12) + 1) * 12, months)


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
    not_counted : dict
        What was not counted and why (rows after the end of data, participants
        without comparison, left out by ``partial="complete"``, a matching
        ratio not filled), per horizon; see :mod:`utfall.evaluation._notes`.
        Recorded, shown in the repr, and warned about by :func:`utfall.evaluate`.
    content_fingerprints : dict
        SHA-256 of every input table's rows regardless of their order, so that
        :func:`utfall.reproduce` tells a reordered table from a changed one.
    cohort : Cohort or None
        The cohort evaluated (None for a loaded record); used by :meth:`validity`.
    checks : dict
        The validity checks computed by :meth:`validity` (recorded under
        ``"validity"`` in the JSON record, outside the reproduced results).
    """

    def __init__(self, *, spec: Union[Spec, Mapping[str, Any]], version: str, fingerprints: Dict[str, Any],
                 individuals: pd.DataFrame, summary: pd.DataFrame, trajectories: Dict[str, pd.DataFrame],
                 comparisons: Optional[Dict[str, Any]] = None, not_counted: Optional[Dict[str, Any]] = None,
                 content_fingerprints: Optional[Dict[str, Any]] = None,
                 curves: Optional[Dict[str, Any]] = None, cohort: Any = None,
                 checks: Optional[Dict[str, Any]] = None) -> None:
        self.spec = Spec.from_json_data(spec)  # type: ignore[arg-type]  # from_json_data passes a Spec through
        self.seed = self.spec.seed
        self.version = version
        self.fingerprints = fingerprints
        self.individuals = individuals
        self._summary = summary
        self._trajectories = trajectories
        self.comparisons = comparisons or {}
        self.not_counted = not_counted or {"outside_observation": {}, "horizons": {}}
        self.content_fingerprints = content_fingerprints
        self._curves = curves or {}  # horizon -> included participants x months cumulative savings (not recorded)
        self.cohort = cohort
        self.checks = checks or {}

    @property
    def horizons(self) -> List[Any]:
        return list(self.spec.horizons)

    @property
    def unit(self) -> str:
        return unit_of(self.spec.outcome)

    def matches(self) -> Dict[str, Any]:
        """Horizon -> the :class:`MatchResult` used (matched estimator only)."""
        return {h: c.match for h, c in self.comparisons.items() if getattr(c, "match", None) is not None}

    # ------------------------------------------------------------------ tables
    def summary(self, readable: bool = True) -> pd.DataFrame:
        """One row per horizon: counts, totals and means of expected, actual and
        savings, net savings, break-even actual cost, interval, probabilities and
        payback month. ``readable=False`` gives the machine column names.

        The values are exact; in a notebook the table shows money in MSEK or SEK
        with thousands separators, probabilities as percentages, the interval as
        one column and text for a missing payback month (see
        :class:`utfall.evaluation.SummaryFrame`)."""
        if not readable:
            return self._summary.copy()
        u = self.unit
        frame = self._summary.copy()
        frame.index.name = "horizon"
        names = {k: v.format(u=u) for k, v in READABLE.items()}
        return summary_frame(frame.rename(columns=names), u, names)

    def released(self, threshold: int = 5) -> Any:
        """The summary to share: ``(table, SuppressionReport)`` with counts of fewer than
        ``threshold`` participants shown as ``<5``, those that would give one away as ``..``
        (secondary suppression), and the statistics of a horizon with fewer than
        ``threshold`` included participants suppressed (see :mod:`utfall.privacy`).

        >>> table, report = ev.released()  # doctest: +SKIP
        """
        return released_summary(self.summary(readable=False), threshold)

    def trajectory(self, horizon: Optional[str] = None) -> pd.DataFrame:
        """Cumulative expected, actual and savings month by month since index
        (summed over included participants), with the pointwise band
        ``savings_low``/``savings_high`` and ``n_observed``.

        The trajectory of ``horizon`` uses the comparison group matched *for that
        horizon*. Matching is redone at each horizon among the historical individuals
        whose follow-up covers it, so the 3-year trajectory at month 24 is generally
        not the 2-year result of :meth:`summary` (another comparison group: for the
        Norrköping preset -17.9 against -3.1 MSEK); the per-horizon results are the
        ones a contract settles on, and each trajectory's last month equals its own
        horizon's totals (to rounding)."""
        return self._trajectories[self._horizon(horizon)].copy()

    def payback_month(self, horizon: Optional[str] = None) -> Optional[int]:
        """The first month whose cumulative savings cover the intervention cost, if any."""
        value = self._summary.loc[self._horizon(horizon), "payback_month"]
        return None if pd.isna(cast(Any, value)) else int(cast(Any, value))

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

        The same data (the included participants' savings; under full or subclass
        matching the sums over each subclass, the clusters evaluate resampled), seed
        (``child_seed(seed, SAVINGS_BOOTSTRAP, j)`` for the ``j``-th horizon) and
        resamples as :func:`utfall.evaluate` used, so ``distribution`` holds the
        very replicates of the total savings ``sum_i d*_i`` whose shares give
        ``P(savings > 0)``; for settling a contract on every replicate.
        """
        h = self._horizon(horizon)
        boot = self.spec.bootstrap
        if boot is None or boot.rematch:
            raise SpecError("savings_bootstrap: the evaluation has no resampled-sets bootstrap "
                            "(bootstrap=False, or rematch=True, whose replicates are not kept)")
        rows = self.individuals[self.individuals["horizon"] == h]
        included = rows["included"].to_numpy(bool)
        savings = rows["savings"].to_numpy(np.float64)[included]
        if self.spec["matching"].get("method") in SUBCLASS_METHODS:  # resample whole subclasses, as evaluate did
            match = getattr(self.comparisons.get(h), "match", None) if self.comparisons else None
            codes = subclass_clusters(match, rows.index[included])
            if codes is None:
                raise SpecError("savings_bootstrap: under full or subclass matching it resamples the subclasses, "
                                "which a loaded evaluation does not hold; re-run it (utfall.reproduce) first")
            savings = np.bincount(codes, weights=savings)
        if len(savings) < 2:
            raise SpecError(f"savings_bootstrap: fewer than two participants are included at {h}")
        result = bootstrap(savings, "sum", n_resamples=boot.n_resamples,
                           confidence_level=boot.confidence_level, methods=(boot.method,),
                           seed=child_seed(self.seed, Purpose.SAVINGS_BOOTSTRAP, self.horizons.index(h)),
                           keep_distribution=True, progress=False)
        result.unit = self.unit  # plot() shows SEK as MSEK
        result.statistic_name = f"total savings, {h}"
        return result

    def savings_per_year(self, horizon: Optional[str] = None) -> pd.DataFrame:
        """Savings year by year since index, from the trajectory at ``horizon``.

        Year ``y`` covers months ``12(y-1)+1 .. 12y`` of every participant's own
        follow-up (the last year is shorter when the horizon is not whole years):
        ``savings_y = S(m_y) - S(m_{y-1})`` with ``S`` the trajectory's cumulative
        savings, ``m_y = min(12y, M)`` and ``S(0) = 0``; the years add up to the
        trajectory's final cumulative savings. Columns ``savings``, ``first_month``,
        ``last_month``; index ``year`` (1, 2, ...).
        """
        h = self._horizon(horizon)
        s = self._trajectories[h]["savings"].to_numpy(np.float64)
        ends = _year_ends(len(s))
        cumulative = s[ends - 1]
        frame = pd.DataFrame({"savings": np.diff(cumulative, prepend=0.0), "first_month": np.r_[1, ends[:-1] + 1],
                              "last_month": ends}, index=pd.Index(np.arange(1, len(ends) + 1), name="year"))
        return frame

    def savings_per_year_replicates(self, horizon: Optional[str] = None) -> np.ndarray:
        """The savings of each year since index in every replicate of :meth:`savings_bootstrap`.

        A ``B x years`` array: row ``b`` sums each participant's savings of each
        year over exactly the participants that the bootstrap's replicate ``b``
        drew, so the rows add up (to rounding) to ``savings_bootstrap(horizon).distribution``,
        which is checked. Needs the per-participant curves, which a record read by
        :func:`utfall.load_evaluation` does not hold (re-run it with :func:`utfall.reproduce`).
        """
        h = self._horizon(horizon)
        if h not in self._curves:
            raise SpecError("savings_per_year_replicates needs the per-participant curves, which a loaded record "
                            "does not keep: re-run it with utfall.reproduce(record, cohort)")
        from .. import _core
        from ..errors import ComputationError

        boot = self.savings_bootstrap(h)
        distribution = np.asarray(boot.distribution, dtype=np.float64)
        rows = self.individuals[self.individuals["horizon"] == h]
        savings = rows["savings"].to_numpy(np.float64)[rows["included"].to_numpy(bool)]
        curves = self._curves[h]
        ends = _year_ends(curves.shape[1])
        at = curves[:, ends - 1]
        per_year = np.diff(at, axis=1, prepend=0.0)
        columns = [np.ascontiguousarray(savings)] + [np.ascontiguousarray(per_year[:, y]) for y in range(len(ends))]
        sums = _core.replicate_sums(boot.seed, 0, len(distribution), columns)
        if not np.array_equal(sums[:, 0], distribution):
            raise ComputationError("the replayed resamples do not reproduce the evaluation's savings replicates; "
                                   "please report this")
        return np.ascontiguousarray(sums[:, 1:])

    def to_frame(self) -> pd.DataFrame:
        """The per-individual table (a copy)."""
        return self.individuals.copy()

    def _horizon(self, horizon: Optional[str]) -> str:
        if horizon is None:
            return cast(str, self.horizons[-1])
        h = horizon_text(horizon)
        if h not in self._trajectories:
            raise SpecError(f"no horizon {horizon!r} in this evaluation (it has {self.horizons})")
        return h

    def validity(self, **options: Any) -> pd.DataFrame:
        """Can the comparison be trusted? One table of checks, per horizon (see
        :func:`utfall.validity.validity_checks` for the options and the columns).
        The checks are kept in :attr:`checks` and written to the audit record."""
        if _VALIDITY is None:
            raise SpecError("validity: the checks of utfall.validity are not loaded (import utfall.validity)")
        return _VALIDITY(self, **options)

    # ------------------------------------------------------------------ audit
    def to_json(self, path: Any = None, indent: Optional[int] = None, *, disclosure: str = "aggregate",
                key: Any = None, threshold: int = 5) -> str:
        """The audit record as JSON text; written to ``path`` when given.

        ``disclosure="aggregate"`` (the default: the record to share with the investor,
        the intermediary, a validator) needs ``key``, the data holder's secret
        (:func:`utfall.privacy.new_key`): it holds the specification, seed, version, data
        fingerprints and aggregate results, and per included participant only a keyed
        pseudonym and the expected, actual and savings that re-check the totals; counts
        of fewer than ``threshold`` individuals are sealed (see
        :mod:`utfall.evaluation._disclosure`). Without a key it is a SpecError, never a
        silent full record. ``disclosure="full"`` is the data holder's own record: every
        id, date and number (exact: floats round-trip), marked ``"disclosure": "full"``
        and warned about when loaded.

        >>> key = utfall.privacy.new_key()  # doctest: +SKIP
        >>> shared = ev.to_json("evaluation.json", key=key)  # doctest: +SKIP
        """
        return to_json(self, path=path, indent=indent, disclosure=disclosure, key=key, threshold=threshold)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluation):
            return NotImplemented
        return not differences(self, other)

    __hash__ = None  # type: ignore[assignment]

    def report(self, path: Any, language: str = "sv", **options: Any) -> Any:
        """Write the report for the contract parties (one self-contained HTML file); see :func:`utfall.report.report`.

        ``language`` is ``"sv"`` or ``"en"``; ``options`` are ``cohort=``, ``contract=`` (a
        Settlement), ``validity=`` and ``suppress=``. Returns the path written.
        """
        if not _REPORTERS:
            raise SpecError("report: import utfall (or utfall.report) first")
        return _REPORTERS[0](self, path, language, **options)

    # ------------------------------------------------------------------ plots
    def plot_trajectory(self, horizon: Optional[str] = None, ax: Any = None, scale: float = 1e6) -> Any:
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
        cost: Any = self._summary.loc[h, "intervention_cost"]
        if pd.notna(cost):
            ax.axhline(cost / scale, color="grey", linestyle=":", label="intervention cost")
            month = self.payback_month(h)
            if month is not None:
                ax.plot([month], [cast(Any, t.loc[month, "savings"]) / scale], "o", color="black",
                        label=f"payback, month {month}")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlabel("months since index")
        ax.set_ylabel(f"cumulative {'cost' if self.unit == 'SEK' else self.spec.outcome} ({label})")
        ax.set_title(f"Cumulative outcome, {h} ({cast(Any, self._summary.loc[h, 'status'])})")
        ax.legend(loc="best", fontsize="small")
        return ax

    def plot_differences(self, horizon: Optional[str] = None, ax: Any = None, scale: float = 1e6,
                         group: Optional[int] = None) -> Any:
        """Waterfall of per-participant savings, largest first, with their running total. Returns the Axes.

        Each bar runs from the running total before a participant to the total after:
        green where the participant saved (expected > actual), red where they cost more.
        ``group=k`` draws the form to share: one bar per group of ``k`` consecutive
        participants in that order (the last group takes the remainder, so that every
        bar sums at least ``k``; fewer than ``k`` included participants draw no bar), so
        that no bar is one child's savings (:func:`utfall.report.report` draws it with
        its suppression threshold).
        """
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        h = self._horizon(horizon)
        rows = self.individuals[(self.individuals["horizon"] == h) & self.individuals["included"]]
        d = np.sort(rows["savings"].to_numpy())[::-1]
        if group is not None:
            k = int(group)
            if k < 1:
                raise SpecError(f"plot_differences: group must be a whole number of at least 1, not {group!r}")
            ends = [(i + 1) * k for i in range(len(d) // k - 1)] + [len(d)] if len(d) >= k else []
            d = np.array([d[end - k if end < len(d) else (len(d) // k - 1) * k:end].sum() for end in ends])
        scale = scale if self.unit == "SEK" else 1.0
        d = d / scale
        running = np.cumsum(d)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        x = np.arange(1, len(d) + 1)
        bottoms = running - d
        ax.bar(x, d, bottom=bottoms, color=np.where(d >= 0, "tab:green", "tab:red"), width=0.8)
        (line,) = ax.step(x, running, where="mid", color="black", linewidth=0.8, label="running total")
        ax.axhline(0, color="black", linewidth=0.5)
        if len(d):
            low, high = min(0.0, float(np.min(bottoms)), float(np.min(running))), max(
                0.0, float(np.max(bottoms)), float(np.max(running)))
            pad = 0.06 * (high - low or 1.0)
            ax.set_ylim(low - pad, high + pad)  # room above the highest bar top and below the lowest
            ax.set_xlim(0, len(d) + 1)
        unit = "MSEK" if (self.unit == "SEK" and scale == 1e6) else self.unit
        ax.set_xlabel("participants, ordered by savings (largest first)" if group is None else
                      f"groups of {int(group)} or more participants, ordered by savings (largest first)")
        ax.set_ylabel(f"cumulative savings = expected - actual ({unit})")
        ax.set_title(f"Savings per participant, {h}: a waterfall to the total")
        who = "participant" if group is None else "group"
        ax.legend(handles=[Patch(color="tab:green", label=f"{who} saved (expected > actual)"),
                           Patch(color="tab:red", label=f"{who} cost more (actual > expected)"), line],
                  loc="best", fontsize="small")
        return ax

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        out = [f"Evaluation({self.spec.outcome}, {self.spec.matching.estimator} comparison, "
                 f"seed {self.seed}, utfall {self.version})"]
        big = self.unit == "SEK" and self._summary["expected_total"].abs().max() >= 1e6

        def amount(value: float) -> str:
            if pd.isna(value):
                return f"n/a {self.unit}"
            return f"{value / 1e6:,.1f} MSEK" if big else f"{value:,.0f} {self.unit}"

        for h, row in self._summary.iterrows():
            text = (f"  {h}: expected {amount(row['expected_total'])}, actual {amount(row['actual_total'])}, "
                    f"savings {amount(row['savings_total'])}")
            if pd.notna(row["savings_low"]):
                text += f" [{amount(row['savings_low'])}, {amount(row['savings_high'])}] ({row['interval']})"
            out.append(text + f"; {row['status']}")
        notes = lines(self.not_counted, cast(Dict[str, str], self._summary["status"].to_dict()))
        if notes:
            out.append("  not counted: " + "; ".join(notes))
        return "\n".join(out)

    def _repr_html_(self) -> str:
        head = (f"<p><b>utfall.Evaluation</b>: {self.spec.outcome}, {self.spec.matching.estimator} "
                f"comparison, seed {self.seed}, utfall {self.version}</p>")
        return head + cast(str, self.summary()._repr_html_())  # type: ignore[operator]  # stubs lack _repr_html_
