"""The result of :func:`utfall.bootstrap`: numbers, intervals, a summary and a plot."""

from __future__ import annotations

import html
import json
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
import pandas as pd

from ..errors import SpecError

#: Interval methods in display order.
METHOD_ORDER = ("percentile", "basic", "normal", "bca", "studentized")


class BootstrapResult:
    """A bootstrap estimate with its standard error, bias and confidence intervals.

    Attributes
    ----------
    estimate : float
        The statistic on the data.
    standard_error : float
        The standard deviation of the replicates (``ddof=1``).
    bias : float
        ``mean(replicates) - estimate``.
    intervals : pandas.DataFrame
        One row per method and level: ``method``, ``level``, ``low``, ``high``.
    distribution : numpy.ndarray or None
        The replicates, in replicate order, when ``keep_distribution=True``.
    prob_exceeds : float, pandas.Series or None
        The share of replicates above ``threshold`` when one was given.
    seed, n_resamples : int
        What it takes to repeat the run exactly.
    acceleration, z0 : float
        The BCa acceleration (jackknife) and bias correction (NaN when not computed).
    spec : dict
        The full specification (JSON-serializable), with the utfall version and a
        fingerprint of the data.
    warnings : list of str
        Problems met (an undefined BCa, extreme order statistics).
    """

    def __init__(self, *, estimate: float, standard_error: float, bias: float, intervals: pd.DataFrame,
                 distribution: Optional[np.ndarray], histogram: Tuple[Any, ...], threshold: Any, prob_exceeds: Any,
                 seed: int, n_resamples: int, acceleration: float, z0: float, spec: Dict[str, Any],
                 warnings: List[str], statistic_name: str) -> None:
        self.estimate = float(estimate)
        self.standard_error = float(standard_error)
        self.bias = float(bias)
        self.intervals = intervals
        self.distribution = distribution
        self._histogram = histogram
        self.threshold = threshold
        self.prob_exceeds = prob_exceeds
        self.seed = int(seed)
        self.n_resamples = int(n_resamples)
        self.acceleration = float(acceleration)
        self.z0 = float(z0)
        self.spec = spec
        self.warnings = list(warnings)
        self.statistic_name = statistic_name
        #: The unit of the statistic when known ("SEK", "days"), for :meth:`plot`.
        self.unit: Optional[str] = None

    def interval(self, method: str = "bca", level: Optional[float] = None) -> Tuple[float, float]:
        """The ``(low, high)`` interval of ``method`` at ``level`` (the first level by default)."""
        rows = self.intervals[self.intervals["method"] == method]
        if level is not None:
            rows = rows[np.isclose(rows["level"], level)]
        if rows.empty:
            raise SpecError(f"no {method!r} interval at level {level}; computed: "
                            f"{sorted(set(self.intervals['method']))} at {sorted(set(self.intervals['level']))}")
        row = rows.iloc[0]
        return float(row["low"]), float(row["high"])

    def p_exceeds(self, threshold: Union[float, Sequence[float]]) -> Union[float, np.ndarray]:
        """The share of replicates strictly above ``threshold`` (needs ``keep_distribution=True``).

        This estimates the probability that the statistic exceeds the threshold,
        e.g. that savings exceed the break-even amount.
        """
        if self.distribution is None:
            raise SpecError("p_exceeds needs the bootstrap distribution: run utfall.bootstrap(..., "
                            "keep_distribution=True), or pass threshold= to get prob_exceeds")
        t = self.distribution[np.isfinite(self.distribution)]
        values = np.mean(t[:, None] > np.atleast_1d(np.asarray(threshold, dtype=float))[None, :], axis=0)
        return float(values[0]) if np.ndim(threshold) == 0 else values

    def summary(self) -> pd.DataFrame:
        """One row per interval method and level, with the estimate, standard error and bias."""
        out = self.intervals.rename(columns={"low": "lower", "high": "upper"}).copy()
        out.insert(0, "statistic", self.statistic_name)
        out.insert(1, "estimate", self.estimate)
        out.insert(2, "standard error", self.standard_error)
        out.insert(3, "bias", self.bias)
        return out.rename(columns={"method": "method", "level": "confidence level"})

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-serializable record of the result and how to repeat it."""
        def clean(v: float) -> Optional[float]:
            return None if not np.isfinite(v) else float(v)
        out: Dict[str, Any] = {
            "statistic": self.statistic_name,
            "estimate": clean(self.estimate),
            "standard_error": clean(self.standard_error),
            "bias": clean(self.bias),
            "acceleration": clean(self.acceleration),
            "z0": clean(self.z0),
            "intervals": [
                {"method": r.method, "level": float(r.level), "low": clean(r.low), "high": clean(r.high)}
                for r in cast(Any, self.intervals).itertuples()
            ],
            "seed": self.seed,
            "n_resamples": self.n_resamples,
            "warnings": self.warnings,
            "spec": self.spec,
        }
        if self.threshold is not None:
            pe = self.prob_exceeds
            out["threshold"] = np.asarray(self.threshold, dtype=float).tolist()
            out["prob_exceeds"] = pe.tolist() if isinstance(pe, pd.Series) else pe
        return out

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), **kwargs)

    def _lines(self) -> List[str]:
        lines = [f"{self.statistic_name}: {self.estimate:.6g} (standard error {self.standard_error:.4g}, "
                 f"bias {self.bias:.4g}; {self.n_resamples} resamples, seed {self.seed})"]
        for r in cast(Any, self.intervals).itertuples():
            lines.append(f"  {100 * r.level:g}% {r.method:<12} [{r.low:.6g}, {r.high:.6g}]")
        if isinstance(self.prob_exceeds, pd.Series):
            lines += [f"  P(statistic > {t:g}) = {p:.4g}" for t, p in self.prob_exceeds.items()]
        elif self.prob_exceeds is not None:
            lines.append(f"  P(statistic > {self.threshold:g}) = {self.prob_exceeds:.4g}")
        return lines

    def __repr__(self) -> str:
        return "BootstrapResult(\n" + "\n".join(self._lines()) + "\n)"

    def _repr_html_(self) -> str:
        head = html.escape(self._lines()[0])
        return f"<div><p><b>BootstrapResult</b> {head}</p>{self.summary().to_html(index=False)}</div>"

    def plot(self, ax: Any = None, methods: Optional[Sequence[str]] = None, level: Optional[float] = None,
             bins: int = 60, threshold: Any = None, unit: Optional[str] = None) -> Any:
        """A histogram of the bootstrap distribution with the estimate, the intervals and the threshold.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        methods : sequence of str, optional
            The interval methods to draw (all computed ones by default).
        level : float, optional
            The confidence level to draw (the first one by default).
        threshold : float, optional
            A value to mark (default: the ``threshold=`` the bootstrap was given), labelled with
            the share of replicates above it when the replicates are kept.
        unit : str, optional
            The unit of the statistic (default: ``self.unit`` when set, as by
            :meth:`utfall.Evaluation.savings_bootstrap`); amounts in ``"SEK"`` of a million
            or more are drawn in MSEK, with the unit on the axis and no offset factor.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from .._numbers import money_unit, number

        unit = unit if unit is not None else getattr(self, "unit", None)
        threshold = threshold if threshold is not None else (
            self.threshold if self.threshold is not None and np.ndim(self.threshold) == 0 else None)
        scale, shown = 1.0, unit
        marks = [self.estimate] + ([float(threshold)] if threshold is not None else [])
        if unit == "SEK" and money_unit(marks + list(self.intervals["low"])) == "MSEK":
            scale, shown = 1e6, "MSEK"
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        if self.distribution is not None:
            t = self.distribution[np.isfinite(self.distribution)] / scale
            ax.hist(t, bins=bins, color="0.75", edgecolor="white", label="bootstrap replicates")
        else:
            counts, edges = self._histogram
            ax.stairs(counts, np.asarray(edges) / scale, fill=True, color="0.75", label="bootstrap replicates")
        decimals = 2 if scale > 1 else (0 if abs(self.estimate) >= 100 else 4)
        suffix = f" {shown}" if shown else ""
        ax.axvline(self.estimate / scale, color="black", lw=1.5,
                   label=f"estimate {number(self.estimate / scale, decimals)}{suffix}")
        level = level if level is not None else float(self.intervals["level"].iloc[0])
        rows = self.intervals[np.isclose(self.intervals["level"], level)]
        colors = dict(zip(METHOD_ORDER, ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")))
        for r in cast(Any, rows).itertuples():
            if methods is not None and r.method not in methods:
                continue
            for i, x in enumerate((r.low, r.high)):
                if np.isfinite(x):
                    ax.axvline(x / scale, color=colors.get(r.method, "k"), ls="--", lw=1,
                               label=f"{100 * level:g}% {r.method} interval" if i == 0 else None)
        if threshold is not None:
            text = f"threshold {number(float(threshold) / scale, decimals)}{suffix}"
            if self.distribution is not None:
                text += f" (P(above) = {float(self.p_exceeds(float(threshold))):.1%})"
            ax.axvline(float(threshold) / scale, color="tab:red", ls=":", lw=1.5, label=text)
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        ax.set_xlabel(f"{self.statistic_name} ({shown})" if shown else self.statistic_name)
        ax.set_ylabel("replicates")
        ax.set_title(f"Bootstrap distribution ({self.n_resamples:,} resamples)")
        ax.legend(fontsize="small")
        return ax
