"""Concentration: how unequally costs or care days are spread over individuals.

"The 20% most care-heavy individuals account for 47% of the care days" is a top
share; the Lorenz curve, Gini, Hoover, Theil, mean log deviation and Herfindahl
summarise the whole distribution. Every measure gets bootstrap confidence
intervals from the same resamples (one pass over the sorted data per replicate).

Definitions (values ``x_i >= 0`` sorted ascending, weights ``w_i`` (1 without
weights), ``W = sum w``, total ``V = sum w x``, mean ``mu = V / W``):

- Lorenz curve: the points ``(cumulative weight share, cumulative value share)``
  from ``(0, 0)``, joined by straight lines;
- top ``p`` share, interpolated rule (default): ``1 - L(1 - p)`` on that curve, so a
  fractional number of individuals counts in proportion (20% of 68 individuals =
  13.6: the top 13 and 0.6 of the 14th); ``rule="integer"``: the top
  ``ceil(p n)`` whole individuals (with weights, the fewest top individuals whose
  weight reaches ``p W``). With ``p n`` whole both rules agree;
- Gini: ``sum (2i - n - 1) x_i / (n^2 mu)`` (``ineq::Gini``); corrected:
  ``G n / (n - 1)`` (``ineq::Gini(corr = TRUE)``); weighted: ``1 - sum (w_i/W)(L_{i-1} + L_i)``;
- Hoover: ``sum w |x - mu| / (2 V)``; Theil T: ``mean((x/mu) ln(x/mu))`` with
  ``0 ln 0 = 0``; mean log deviation: ``mean(ln(mu/x))``; Herfindahl: ``sum (x/V)^2``.

Zeros are individuals with nothing: they count in ``n`` and in the population
shares (a cohort where 40% had no care has a Lorenz curve flat up to 0.4). The
mean log deviation is undefined (infinite) with zeros and is reported as NaN
with a warning. Unlike ``ineq::Theil``, which drops zeros before computing the
mean, Theil T here keeps them (the ``0 ln 0 = 0`` limit). Negative values and an
all-zero total raise :class:`utfall.DataError`.
"""

from __future__ import annotations

import hashlib
import html
import json
import warnings as _warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
import pandas as pd

from .. import _core
from .._progress import run_batches
from .._seeds import seed_or_new
from .._validation import confidence_levels, interval_methods, label_codes
from ..errors import BootstrapWarning, SpecError, check_limit, data_error, not_finite
from ..resampling import MAX_GENERIC_JACKKNIFE

__all__ = ["concentration", "Concentration", "lorenz_curve"]

_SCALAR = [("gini", "gini"), ("gini corrected", "gini corrected"), ("hoover", "hoover"), ("theil", "theil T"),
           ("mean log deviation", "mean log deviation"), ("herfindahl", "herfindahl")]


def _values(values: Any, name: str) -> np.ndarray:
    x = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    if x.ndim != 1:
        raise data_error(name, "values", None, f"must be one-dimensional, has shape {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise not_finite(name, "values", row, x[row])
    return x


def _share_label(p: float) -> str:
    """The row name of a top share: 'top 20% share', 'top 12.5% share'."""
    return f"top {100 * p:g}% share"


def _fingerprint(x: np.ndarray, w: Optional[np.ndarray], by: Any) -> str:
    h = hashlib.sha256(x.tobytes())
    if w is not None:
        h.update(w.tobytes())
    if by is not None:
        h.update(pd.util.hash_array(np.asarray(by, dtype=object)).tobytes())
    return h.hexdigest()[:16]


def lorenz_curve(values: Any, weights: Any = None) -> pd.DataFrame:
    """The vertices of the Lorenz curve: population share and cumulative share of the total.

    Examples
    --------
    >>> from utfall import lorenz_curve
    >>> lorenz_curve([1, 2, 3, 4, 5])["share of total"].round(6).tolist()
    [0.0, 0.066667, 0.2, 0.4, 0.666667, 1.0]
    """
    x = _values(values, "values")
    w = np.ones_like(x) if weights is None else _values(weights, "weights")
    _core.concentration_measures(x, [("gini", 0.0)], None if weights is None else w)  # validates
    order = np.argsort(x, kind="stable")
    # Normalised before summing (as the core does), so that subnormal or huge values
    # neither underflow nor overflow: shares do not depend on the scale.
    xs = x[order] / x.max()
    cw = np.concatenate([[0.0], np.cumsum(w[order])])
    cv = np.concatenate([[0.0], np.cumsum(w[order] * xs)])
    return pd.DataFrame({"population share": cw / cw[-1], "share of total": cv / cv[-1]})


class Concentration:
    """Concentration measures with bootstrap confidence intervals.

    Attributes
    ----------
    measures : pandas.DataFrame
        One row per measure (per group with ``by=``): ``estimate`` and, per interval
        method and level, ``low`` and ``high`` columns.
    lorenz : pandas.DataFrame
        The Lorenz curve on a grid: ``population share``, ``share of total`` and its
        pointwise band (``low``, ``high``, at the first level and method).
    top_shares : dict
        ``{p: share}`` (of the first group with ``by=``).
    gini : float
    n, n_zeros : int
        Individuals and individuals with a zero value (first group with ``by=``).
    seed, n_resamples : int
    spec : dict
    """

    def __init__(self, measures: pd.DataFrame, lorenz: pd.DataFrame, shares: Sequence[float], n: int, n_zeros: int,
                 seed: int, n_resamples: int, spec: Dict[str, Any], by: bool,
                 sizes: Optional[Dict[Any, int]] = None) -> None:
        self.measures = measures
        self.lorenz = lorenz
        self.shares = list(shares)
        first = measures.xs(measures.index.get_level_values(0)[0], level=0) if by else measures
        self.top_shares = {p: float(cast(Any, first.loc[_share_label(p), "estimate"])) for p in self.shares}
        self.gini = float(cast(Any, first.loc["gini", "estimate"]))
        self.n, self.n_zeros = n, n_zeros
        self.seed, self.n_resamples = seed, n_resamples
        self.spec = spec
        self._by = by
        self.sizes = dict(sizes) if sizes is not None else {None: n}

    def summary(self) -> pd.DataFrame:
        """The measures table (a copy)."""
        return self.measures.copy()

    def released(self, threshold: int = 5) -> Tuple[pd.DataFrame, Any]:
        """The measures to share: ``(table, SuppressionReport)``. A group of fewer than ``threshold``
        individuals shows none of its measures (``<5``); a top share held by fewer than ``threshold``
        individuals (``p * n < threshold``) is their own cost and is not shown either."""
        from ..privacy import marker, SuppressionReport

        report = SuppressionReport(threshold)
        table = self.measures.astype(object).copy()
        for group, n in self.sizes.items():
            rows = [k for k in table.index if (k[0] == group if self._by else True)]
            for key in rows:
                measure = key[1] if self._by else key
                share = next((p for p in self.shares if _share_label(p) == measure), None)
                if 0 < n < threshold:
                    reason = f"primary: a group of {n} < {threshold} individuals"
                elif share is not None and 0 < share * n < threshold:
                    reason = f"primary: the top {100 * share:g}% are {share * n:g} < {threshold} individuals"
                else:
                    continue
                table.loc[key] = marker(threshold)
                report.add("concentration", key, "all", reason)
        return table, report

    def to_dict(self, disclosure: str = "aggregate", threshold: int = 5) -> Dict[str, Any]:
        """A JSON-serializable record. ``disclosure="aggregate"`` (the default, to share) holds the
        released measures (:meth:`released`) and a count of zeros below ``threshold`` as ``<5``;
        ``"full"`` every number."""
        if disclosure not in ("aggregate", "full"):
            raise SpecError(f"disclosure must be 'aggregate' or 'full', not {disclosure!r}")
        measures = self.released(threshold)[0] if disclosure == "aggregate" else self.measures
        frame = measures.reset_index()
        frame = frame.astype(object).where(pd.notna(frame), None)
        zeros: Any = self.n_zeros
        if disclosure == "aggregate" and (0 < self.n_zeros < threshold or 0 < self.n - self.n_zeros < threshold):
            zeros = f"<{threshold}" if 0 < self.n_zeros < threshold else ".."
        return {"measures": frame.to_dict(orient="records"), "n": self.n, "n_zeros": zeros,
                "seed": self.seed, "n_resamples": self.n_resamples, "spec": self.spec, "disclosure": disclosure}

    def to_json(self, disclosure: str = "aggregate", threshold: int = 5, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(disclosure, threshold), default=str, **kwargs)

    def __repr__(self) -> str:
        """One line of headline numbers, then the top shares and Gini with their first interval."""
        shares = ", ".join(f"top {100 * p:g}% hold {s:.1%}" for p, s in self.top_shares.items())
        lines = [f"Concentration(n={self.n}, zeros={self.n_zeros}; {shares}; Gini {self.gini:.4f}; "
                 f"{self.n_resamples} resamples, seed {self.seed})"]
        groups = self.measures.index.get_level_values(0).unique() if self._by else [None]
        first = self.measures.xs(groups[0], level=0) if self._by else self.measures
        lows = [c for c in first.columns if c.endswith(" low")][:1]
        for name in [_share_label(p) for p in self.shares] + ["gini"]:
            text = f"  {name:<14} {cast(Any, first.loc[name, 'estimate']):.4f}"
            if lows:
                high = lows[0][:-4] + " high"
                text += (f" [{cast(Any, first.loc[name, lows[0]]):.4f}, {cast(Any, first.loc[name, high]):.4f}]"
                         f" ({lows[0][:-4]})")
            lines.append(text)
        if self._by:
            lines.append(f"  (group {groups[0]} of {len(groups)}; .measures has every group and measure)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = html.escape(self.__repr__().splitlines()[0])
        return f"<div><p><b>{head}</b></p>{self.measures.to_html()}</div>"

    def plot(self, ax: Any = None) -> Any:
        """The Lorenz curve with its confidence band and the top shares annotated; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 5))
        lz = self.lorenz
        if self._by:
            lz = lz[lz["group"] == lz["group"].iloc[0]]
        p, L = lz["population share"].to_numpy(), lz["share of total"].to_numpy()
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":", label="equality")
        if "low" in lz:
            ax.fill_between(p, lz["low"], lz["high"], color="tab:blue", alpha=0.2, label="confidence band")
        ax.plot(p, L, color="tab:blue", lw=2, label=f"Lorenz curve (Gini {self.gini:.3f})")
        first = self.measures.xs(self.measures.index.get_level_values(0)[0], level=0) if self._by else self.measures
        bounds = [c for c in first.columns if c.endswith(" low")][:1]
        for share, held in self.top_shares.items():
            x = 1 - share
            y = 1 - held
            label = f"top {100 * share:g}% hold {held:.0%}"
            if bounds:
                low: Any = first.loc[_share_label(share), bounds[0]]
                high: Any = first.loc[_share_label(share), bounds[0][:-4] + " high"]
                label += f" ({_interval_name(bounds[0][:-4])}: {low:.0%}-{high:.0%})"
            ax.plot([x, x], [0, y], color="tab:red", lw=0.8, ls="--")
            ax.annotate(label, xy=(x, y), xytext=(max(x - 0.55, 0.02), y + 0.12),
                        arrowprops={"arrowstyle": "->", "color": "tab:red"}, color="tab:red", fontsize="small")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("population share (ascending)")
        ax.set_ylabel("share of total")
        ax.set_title("Lorenz curve: who holds the total")
        ax.legend(loc="upper left", fontsize="small")
        return ax


def _interval_name(column: str) -> str:
    """``"percentile 95%"`` (a column prefix) -> ``"95% percentile interval"``, not "the 95th percentile"."""
    method, _, level = column.rpartition(" ")
    return f"{level} {method} interval" if method else column


def _one(x: np.ndarray, w: Optional[np.ndarray], shares: Sequence[float], rule: str, grid: np.ndarray,
         n_resamples: int, levels: List[float], methods: List[str], quantile_rule: str, seed: int,
         n_threads: Optional[int], progress: bool) -> Tuple[pd.DataFrame, pd.DataFrame]:
    top = "top share" if rule == "interpolated" else "top share integer"
    spec = [(top, float(p)) for p in shares] + [(m, 0.0) for m, _ in _SCALAR]
    names = [_share_label(p) for p in shares] + [label for _, label in _SCALAR]
    lorenz_spec = [("lorenz", float(f)) for f in grid]
    estimates = np.asarray(_core.concentration_measures(x, spec + lorenz_spec, w))
    k = len(spec)
    table = pd.DataFrame({"estimate": estimates[:k]}, index=pd.Index(names, name="measure"))
    lorenz = pd.DataFrame({"population share": grid, "share of total": estimates[k:]})
    if n_resamples > 0:
        plan = _core.BootstrapPlan([x], spec + lorenz_spec, weights=w)
        if n_resamples * plan.n_outputs > _core.MAX_VALUES:
            raise SpecError(f"n_resamples = {n_resamples} x {plan.n_outputs} measures and Lorenz points is above the "
                            f"limit of {_core.MAX_VALUES} replicate values; use fewer resamples or lorenz_points")
        t = np.empty((n_resamples, plan.n_outputs))

        def step(start: int, count: int) -> None:
            t[start:start + count] = plan.run(seed, start, count, False, n_threads)[0]

        batch = int(max(8, min(n_resamples, 5_000_000 // max(len(x), 1))))
        run_batches(step, n_resamples, batch, progress, "bootstrap concentration")
        if "bca" in methods and not plan.closed_form_jackknife and plan.n_units > MAX_GENERIC_JACKKNIFE:
            raise SpecError(f"BCa for weighted concentration measures needs an O(n^2) jackknife; n = {plan.n_units} "
                            f"is above {MAX_GENERIC_JACKKNIFE}: use methods=('percentile',) "
                            "or ('percentile', 'basic', 'normal')")
        acc = plan.accelerations(n_threads) if "bca" in methods else [float("nan")] * plan.n_outputs
        found: List[str] = []
        for j in range(plan.n_outputs):
            column = np.ascontiguousarray(t[:, j])
            s: Dict[str, Any]
            if not np.isfinite(estimates[j]):
                s = {"intervals": [(m, lv, np.nan, np.nan) for lv in levels for m in methods], "warnings": []}
            else:
                s = _core.bootstrap_summary(column, float(estimates[j]), float(acc[j]), levels,
                                            methods, quantile_rule)  # type: ignore[arg-type]  # checked by the caller
            found += [w_ for w_ in s["warnings"] if w_ not in found and j < k]
            for method, level, low, high in s["intervals"]:
                if j < k:
                    table.loc[names[j], f"{method} {100 * level:g}% low"] = low
                    table.loc[names[j], f"{method} {100 * level:g}% high"] = high
                elif method == methods[0] and level == levels[0]:
                    lorenz.loc[j - k, "low"] = low
                    lorenz.loc[j - k, "high"] = high
        for w_ in found:
            _warnings.warn(w_, BootstrapWarning, stacklevel=4)
    return table, lorenz


def concentration(values: Any, shares: Sequence[float] = (0.2, 0.5), weights: Any = None, by: Any = None, *,
                  rule: str = "interpolated", n_resamples: int = 1999,
                  confidence_level: Union[float, Sequence[float]] = 0.95,
                  methods: Union[str, Sequence[str]] = ("percentile",), quantile_rule: str = "r",
                  seed: Optional[int] = None, lorenz_points: int = 101, n_threads: Optional[int] = None,
                  progress: bool = True) -> Concentration:
    """Top shares, Lorenz curve, Gini, Hoover, Theil, MLD and Herfindahl with bootstrap intervals.

    Parameters
    ----------
    values : array-like or Series
        Non-negative amounts per individual (costs, care days); zeros are individuals with none.
    shares : sequence of float
        The top population shares to report (0.2: "the 20% most care-heavy").
    weights : array-like, optional
        Non-negative weights per individual.
    by : array-like, optional
        Group labels: every measure per group (each group resampled on its own, with
        seed ``seed + g`` for the g-th group).
    rule : {"interpolated", "integer"}
        The rule for a fractional number of individuals (see the module docstring).
    n_resamples : int
        Bootstrap replicates for the intervals; 0 for point estimates only.
    confidence_level, methods, quantile_rule
        As in :func:`utfall.bootstrap`. BCa's jackknife uses O(n) closed forms without
        weights; with weights it is O(n^2) and refused above 50,000 individuals.
    seed : int, optional
        Drawn from the OS entropy when None and recorded.
    lorenz_points : int
        Grid points of the Lorenz curve (and its band), at most 100,001.

    Notes
    -----
    Values are divided by their largest before shares are summed, so subnormal
    values or values near 1e308 give the same shares as any other scale. A
    resample in which every drawn value is 0 has no total: its shares, Gini,
    Theil and the others are 0/0 and left out of the intervals (counted in a
    :class:`BootstrapWarning`), never counted as 0.

    Returns
    -------
    Concentration

    Examples
    --------
    >>> import utfall
    >>> x = [541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261]
    >>> c = utfall.concentration(x, n_resamples=0)
    >>> round(c.gini, 7), round(c.top_shares[0.2], 4)
    (0.4620911, 0.5131)
    """
    shares = [float(shares)] if np.ndim(shares) == 0 else [float(p) for p in shares]  # type: ignore[arg-type]
    if rule not in ("interpolated", "integer"):
        raise SpecError(f"unknown rule {rule!r}; choose 'interpolated' (default) or 'integer'")
    for p in shares:
        if not 0.0 < float(p) < 1.0:
            raise SpecError(f"a top share must lie strictly between 0 and 1, got {p}")
    levels, methods_ = confidence_levels(confidence_level), interval_methods(methods)
    if "studentized" in methods_:
        raise SpecError("studentized intervals need a variance, which the concentration measures do not have")
    seed = seed_or_new(seed)
    if int(n_resamples) != 0:
        check_limit("n_resamples", int(n_resamples), _core.MAX_RESAMPLES)
    check_limit("lorenz_points", int(lorenz_points), 100_001)
    if n_threads is not None:
        n_threads = check_limit("n_threads", int(n_threads), _core.MAX_THREADS)
    x = _values(values, "values")
    w = None if weights is None else _values(weights, "weights")
    if w is not None and len(w) != len(x):
        raise data_error("weights", "", None, f"has {len(w)} weights for {len(x)} values")
    grid = np.linspace(0.0, 1.0, int(lorenz_points))
    args = (shares, rule, grid, int(n_resamples), levels, methods_, quantile_rule)
    if by is None:
        groups: List[Tuple[Any, np.ndarray]] = [(None, np.arange(len(x)))]
    else:
        codes, names = label_codes(by, "by", len(x))
        groups = [(name, np.flatnonzero(codes == g)) for g, name in enumerate(names)]
    if (x < 0).any():
        row = int(np.flatnonzero(x < 0)[0])
        raise data_error("values", "values", row,
                         f"is negative ({x[row]}); concentration measures shares of a non-negative total")
    tables, curves = [], []
    for g, (name, rows) in enumerate(groups):
        xg = x[rows]
        if not (xg > 0).any():
            where = "values" if name is None else f"values of group {name!r}"
            raise data_error("values", "values", None,
                             f"the {where} are all zero; shares of a zero total are undefined")
        table, lorenz = _one(xg, None if w is None else w[rows], *args, seed=(seed + g) % 2**64,
                             n_threads=n_threads, progress=progress)
        if name is not None:
            table = pd.concat({name: table}, names=["group"])
            lorenz.insert(0, "group", name)
        tables.append(table)
        curves.append(lorenz)
    if (x == 0).any():
        _warnings.warn("the mean log deviation is undefined with zero values and is reported as NaN",
                       BootstrapWarning, stacklevel=2)
    spec = {"function": "utfall.concentration", "utfall_version": _core.__version__, "shares": list(shares),
            "rule": rule, "weights": weights is not None, "by": by is not None, "n_resamples": int(n_resamples),
            "confidence_level": levels, "methods": methods_, "quantile_rule": quantile_rule, "seed": seed,
            "lorenz_points": int(lorenz_points), "n": len(x), "data_fingerprint": _fingerprint(x, w, by)}
    first = x[groups[0][1]]
    return Concentration(pd.concat(tables), pd.concat(curves, ignore_index=True), shares, len(first),
                         int((first == 0).sum()), seed, int(n_resamples), spec, by is not None,
                         {name: len(rows) for name, rows in groups})
