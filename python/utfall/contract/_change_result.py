"""The result of :func:`utfall.change_scores`: one or several measures, tables and plots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd

from ..errors import SpecError

#: The statuses of an individual's change score.
DETERMINED, NOT_YET, NO_DATA = "determined", "not yet measurable", "no data"
STATUSES = (DETERMINED, NOT_YET, NO_DATA)
#: A measure: its before and after columns and whether higher scores are better.
MeasureSpec = Tuple[str, str, bool]


@dataclass(frozen=True)
class MeasureResult:
    """The change scores of one outcome measure (see :func:`change_scores`)."""

    name: str
    individuals: pd.DataFrame
    higher_is_better: bool
    net: float
    n_positive: int
    n_neutral: int
    n_negative: int
    sign_test_p: float
    wilcoxon_statistic: float
    wilcoxon_p: float
    wilcoxon_method: str
    interval: Tuple[float, float]
    interval_method: str
    bootstrap_seed: int
    bootstrap: Any = field(repr=False, default=None)

    @property
    def counts(self) -> pd.DataFrame:
        """Individuals by status and reason (undetermined ones by their reason)."""
        frame = self.individuals
        table = frame.groupby(["status", "reason"], dropna=False, sort=False).size().rename("n").reset_index()
        order = {s: k for k, s in enumerate(STATUSES)}
        table = table.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
        return table

    def row(self) -> Dict[str, Any]:
        status = self.individuals["status"]
        n_determined = int((status == DETERMINED).sum())
        n_no_data = int((status == NO_DATA).sum())
        return {
            "measure": self.name, "n": len(status), "n measurable": n_determined + n_no_data,
            "n determined": n_determined, "n negative": self.n_negative, "n neutral": self.n_neutral,
            "n positive": self.n_positive, "n no data": n_no_data,
            "n not yet measurable": int((status == NOT_YET).sum()),
            "net sum": self.net, "interval low": self.interval[0], "interval high": self.interval[1],
            "interval": self.interval_method, "sign test p": self.sign_test_p,
            "Wilcoxon V": self.wilcoxon_statistic, "Wilcoxon p": self.wilcoxon_p,
            "Wilcoxon method": self.wilcoxon_method,
        }


class ChangeScores:
    """Change scores of one or several outcome measures (from :func:`utfall.change_scores`).

    Attributes
    ----------
    measures : dict
        Measure name -> :class:`MeasureResult` (per-individual table, counts, net sum, tests, interval).
    spec : dict
        How it was computed (columns, reasons counted as pending, bootstrap, seed, data fingerprint).

    With a single measure the numbers are attributes too: ``net``, ``n_positive``,
    ``n_neutral``, ``n_negative``, ``sign_test_p``, ``wilcoxon_statistic``,
    ``wilcoxon_p``, ``interval``, ``counts``, ``individuals``; ``result["school"]``
    picks one measure of several.
    """

    def __init__(self, results: List[MeasureResult], spec: Dict[str, Any]) -> None:
        self.measures: Dict[str, MeasureResult] = {r.name: r for r in results}
        self.spec = spec

    # ------------------------------------------------------------ access
    def __getitem__(self, name: str) -> "ChangeScores":
        if name not in self.measures:
            raise KeyError(f"no measure {name!r}; the measures are {list(self.measures)}")
        return ChangeScores([self.measures[name]], self.spec)

    def __iter__(self) -> Iterator[str]:
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)

    @property
    def only(self) -> MeasureResult:
        """The one measure (a SpecError when there are several: pick one with ``result[name]``)."""
        if len(self.measures) != 1:
            raise SpecError(f"this result holds {len(self.measures)} measures ({list(self.measures)}); "
                            "pick one with result['name']")
        return next(iter(self.measures.values()))

    net = property(lambda self: self.only.net, doc="The net sum of the determined change scores.")
    n_positive = property(lambda self: self.only.n_positive, doc="Determined changes above zero.")
    n_neutral = property(lambda self: self.only.n_neutral, doc="Determined changes equal to zero.")
    n_negative = property(lambda self: self.only.n_negative, doc="Determined changes below zero.")
    sign_test_p = property(lambda self: self.only.sign_test_p, doc="Two-sided exact sign test (R binom.test).")
    wilcoxon_statistic = property(lambda self: self.only.wilcoxon_statistic, doc="Wilcoxon V (R wilcox.test).")
    wilcoxon_p = property(lambda self: self.only.wilcoxon_p, doc="Two-sided Wilcoxon signed-rank p-value.")
    interval = property(lambda self: self.only.interval, doc="Bootstrap interval of the net sum.")
    counts = property(lambda self: self.only.counts, doc="Individuals by status and reason.")

    @property
    def individuals(self) -> pd.DataFrame:
        """Per measure and individual: ``measure``, ``id``, ``before``, ``after``, ``change``, ``status``,
        ``reason``."""
        parts = [r.individuals.assign(measure=name) for name, r in self.measures.items()]
        frame = pd.concat(parts, ignore_index=True)
        return frame[["measure", "id", "before", "after", "change", "status", "reason"]]

    def contributions(self, name: Optional[str] = None) -> pd.Series:
        """Each individual's contribution to the net sum (its change; 0 when undetermined), by id."""
        r = self.measures[name] if name is not None else self.only
        frame = r.individuals
        values = np.where(frame["status"] == DETERMINED, frame["change"].to_numpy(), 0.0)
        return pd.Series(values, index=pd.Index(frame["id"], name="id"), name=r.name)

    # ------------------------------------------------------------ tables
    def summary(self) -> pd.DataFrame:
        """One row per measure: counts, net sum with its interval, and both tests."""
        level = f"{100 * self.spec['confidence_level']:g}%"
        frame = pd.DataFrame([r.row() for r in self.measures.values()]).set_index("measure")
        return frame.rename(columns={"interval low": f"{level} low", "interval high": f"{level} high"})

    def released(self, threshold: int = 5) -> Tuple[pd.DataFrame, Any]:
        """The summary to share: ``(table, SuppressionReport)``. Per measure the individuals are the
        negative, neutral and positive changes, those without data and those not yet measurable; a
        count of fewer than ``threshold`` shows as ``<5``, the counts that would give it away (other
        cells, and the sums ``n determined`` and ``n measurable`` when they hold some but not all of
        the suppressed cells) as ``..``; the net sum, interval and tests of fewer than ``threshold``
        determined changes as ``<5``.

        >>> import pandas as pd, utfall
        >>> d = pd.DataFrame({"id": range(14), "before": [1] * 14, "after": [2] * 9 + [0] + [1] * 4})
        >>> table, report = utfall.change_scores(d, seed=1).released()
        >>> table.loc["score", ["n negative", "n neutral", "n positive", "n determined"]].tolist()
        ['<5', '<5', 9, 14]
        """
        from ..privacy import marker, SECONDARY, SuppressionReport, suppress_partition

        report = SuppressionReport(threshold)
        table = self.summary().astype(object)
        leaves = ["n negative", "n neutral", "n positive", "n no data", "n not yet measurable"]
        sums = {"n determined": ["n negative", "n neutral", "n positive"],
                "n measurable": ["n negative", "n neutral", "n positive", "n no data"]}
        statistics = [c for c in table.columns if not c.startswith("n ") and c not in ("measure", "n", "interval",
                                                                                          "Wilcoxon method")]
        for name in table.index:
            row = table.loc[name]
            hidden = suppress_partition({k: int(row[k]) for k in leaves}, threshold, "change scores", name, sums,
                                        report)
            if 0 < int(row["n"]) < threshold:
                hidden |= set(leaves) | set(sums) | {"n"}
            for k in hidden:
                table.loc[name, k] = marker(threshold) if 0 < int(row[k]) < threshold else SECONDARY
            if 0 < int(row["n determined"]) < threshold:
                for c in statistics:
                    table.loc[name, c] = marker(threshold)
                    report.add("change scores", name, c, f"primary: computed from {int(row['n determined'])} < "
                                                         f"{threshold} determined changes")
        return table, report

    def to_dict(self, disclosure: str = "aggregate", threshold: int = 5) -> Dict[str, Any]:
        """A JSON-ready record: the spec and every measure's numbers.

        ``disclosure="aggregate"`` (the default, to share) holds each measure's released
        summary (:meth:`released`: counts of fewer than ``threshold`` as ``<5``) and no
        individual; ``"full"`` (the data holder's) holds every individual's id, scores and status."""
        if disclosure not in ("aggregate", "full"):
            raise SpecError(f"disclosure must be 'aggregate' or 'full', not {disclosure!r}")

        def clean(v: Any) -> Any:
            if isinstance(v, (float, np.floating)):
                return None if not np.isfinite(v) else float(v)
            return v.item() if isinstance(v, np.generic) else v
        out: Dict[str, Any] = {"format": "utfall.change_scores/1", "disclosure": disclosure, "spec": self.spec,
                               "measures": {}}
        released = self.released(threshold)[0] if disclosure == "aggregate" else None
        for name, r in self.measures.items():
            if released is not None:
                row = {"measure": name, **{str(k): clean(v) for k, v in released.loc[name].items()}}
                out["measures"][name] = {"summary": row}
                continue
            ind = r.individuals
            out["measures"][name] = {
                "summary": {k: clean(v) for k, v in r.row().items()},
                "individuals": {c: [clean(v) for v in ind[c].tolist()] for c in ind.columns},
            }
        return out

    def to_json(self, disclosure: str = "aggregate", threshold: int = 5, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(disclosure, threshold), **kwargs)

    # ------------------------------------------------------------ display
    def _lines(self) -> List[str]:
        level = f"{100 * self.spec['confidence_level']:g}%"
        lines = []
        for r in self.measures.values():
            row = r.row()
            lines.append(
                f"  {r.name}: net sum {r.net:+g} [{level} {r.interval_method}: {r.interval[0]:g}, {r.interval[1]:g}]; "
                f"of {row['n']}: {row['n determined']} determined ({r.n_negative} negative, {r.n_neutral} neutral, "
                f"{r.n_positive} positive), {row['n no data']} no data, {row['n not yet measurable']} not yet "
                f"measurable ({row['n measurable']} measurable); sign test p = {r.sign_test_p:.3g}, "
                f"Wilcoxon p = {r.wilcoxon_p:.3g}")
        return lines

    def __repr__(self) -> str:
        return "ChangeScores(\n" + "\n".join(self._lines()) + "\n)"

    def _repr_html_(self) -> str:
        table: str = self.summary().to_html(float_format=lambda v: f"{v:.4g}")
        return ("<div><p><b>utfall.ChangeScores</b>: individual change scores, net sums and tests "
                f"(seed {self.spec['seed']})</p>{table}</div>")

    def plot(self, ax: Any = None, measure: Optional[str] = None) -> Any:
        """A diverging bar plot of the changes.

        One measure: the number of individuals at each change value, negative
        changes red to the left of zero, neutral grey, positive green to the right.
        Several measures: one horizontal bar per measure, the negative share to the
        left of zero and the positive to the right (neutral split evenly), with
        each measure's net sum. Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 1.2 + 0.6 * max(len(self.measures), 4)))
        if measure is not None or len(self.measures) == 1:
            r = self.measures[measure] if measure is not None else self.only
            d = r.individuals.loc[r.individuals["status"] == DETERMINED, "change"]
            values, counts = np.unique(d.to_numpy(), return_counts=True)
            colors = np.where(values < 0, "tab:red", np.where(values > 0, "tab:green", "0.6"))
            width = 0.8 * (np.min(np.diff(values)) if len(values) > 1 else 1.0)
            ax.bar(values, counts, width=width, color=colors)
            for label, colour in (("worse", "tab:red"), ("no change", "0.6"), ("better", "tab:green")):
                ax.bar([np.nan], [np.nan], color=colour, label=label)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_xlabel("change score (positive = better)")
            ax.set_ylabel("individuals")
            ax.set_title(f"{r.name}: {len(d)} determined changes, net sum {r.net:+g}")
            ax.legend(fontsize="small")
            return ax
        names = list(self.measures)
        y = np.arange(len(names))
        for k, name in enumerate(names):
            r = self.measures[name]
            n = max(r.n_negative + r.n_neutral + r.n_positive, 1)
            neg, neu, pos = r.n_negative / n, r.n_neutral / n, r.n_positive / n
            ax.barh(k, -neg, left=-neu / 2, color="tab:red", label="worse" if k == 0 else None)
            ax.barh(k, neu, left=-neu / 2, color="0.75", label="no change" if k == 0 else None)
            ax.barh(k, pos, left=neu / 2, color="tab:green", label="better" if k == 0 else None)
            ax.text(neu / 2 + pos + 0.02, k, f"net {r.net:+g}", va="center", fontsize="small")
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-1.05, 1.25)
        ax.set_xlabel("share of determined individuals (worse to the left, better to the right)")
        ax.set_title("Change scores by measure")
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
        return ax
