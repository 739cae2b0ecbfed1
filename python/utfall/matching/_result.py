"""The result of a matching: pairs, weights, counts, balance and plots."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple, cast

import numpy as np
import pandas as pd

from ..errors import SpecError
from ._balance import balance_table, love_plot


class MatchResult:
    """A matching: pairs, weights, scores, unmatched units, counts and balance.

    Attributes
    ----------
    pairs : DataFrame
        ``treated``, ``control`` (ids), ``slot`` (1..ratio) and ``distance``
        (``|score_t - score_c|`` or the covariate distance).
    weights : Series
        MatchIt's ATT weights by id (0: not in the matched sample).
    distance : Series or None
        The propensity (or user) score by id; None for covariate distances.
    unmatched : DataFrame
        ``id`` and ``reason`` of every focal unit without a match (the treated;
        the controls for ``estimand="ATC"``).
    s_weights : Series or None
        The sampling weights by id (MatchIt's ``s.weights``): not part of
        ``weights`` (as MatchIt's ``m$weights``), but multiplied into every
        balance statistic and the effective sample sizes.
    estimand : str
        ``"ATT"`` or ``"ATC"``.
    common_support : Series
        By id: outside the common support of the score (``discard=``), so never matched.
    matched_ids : Index
        The ids with a positive weight.
    counts : DataFrame
        Per group: ``all``, ``matched``, ``unmatched``, ``discarded`` (historical
        individuals outside the pool of a horizon) and ``ess``.
    discarded_ids : Index
        The ids left out of the pool before matching (incomplete follow-up).
    spec : dict
        The call's arguments, the matching order used, the seed and utfall's version.
    """

    def __init__(self, *, ids: pd.Index, treat: np.ndarray, pairs: pd.DataFrame, weights: np.ndarray,
                 score: Optional[np.ndarray], unmatched: pd.DataFrame, balance_covariates: Any,
                 spec: Dict[str, Any], discarded_ids: Optional[pd.Index] = None,
                 subclass: Optional[np.ndarray] = None, s_weights: Optional[np.ndarray] = None,
                 estimand: str = "ATT", common_support: Optional[np.ndarray] = None,
                 pair_distance: bool = True) -> None:
        self.ids = ids
        self.treat = treat
        self.pairs = pairs
        # The weights, scores and subclasses are the methods' own new arrays (a user's score
        # is copied when it is read): wrapped, not copied (8 MB each at a million units).
        self.weights = pd.Series(weights, index=ids, name="weight", copy=False)
        self.distance = None if score is None else pd.Series(score, index=ids, name="distance", copy=False)
        self.unmatched = unmatched
        self.spec = spec
        self.subclass = None if subclass is None else pd.Series(subclass, index=ids, name="subclass", copy=False)
        self._covariates = balance_covariates
        self.discarded_ids = pd.Index([] if discarded_ids is None else discarded_ids, name="id")
        self._balance: Optional[pd.DataFrame] = None
        self.s_weights = None if s_weights is None else pd.Series(s_weights, index=ids, name="s_weights")
        self.estimand = estimand
        self._pair_distance = pair_distance
        self.common_support = pd.Series(np.zeros(len(ids), bool) if common_support is None else common_support,
                                        index=ids, name="discarded")

    @property
    def matched_ids(self) -> pd.Index:
        return self.ids[self.weights.to_numpy() > 0]

    @property
    def counts(self) -> pd.DataFrame:
        w = self.weights.to_numpy()
        if self.s_weights is not None:
            w = w * self.s_weights.to_numpy()
        off = self.common_support.to_numpy()
        rows = {}
        for name, g in (("treated", self.treat), ("control", ~self.treat)):
            wg = w[g]
            used = wg > 0
            ess = float(wg.sum() ** 2 / np.sum(wg ** 2)) if used.any() else 0.0
            support = int(off[g].sum())
            disc = (len(self.discarded_ids) if name == "control" else 0) + support
            rows[name] = {"all": int(g.sum()) + disc - support, "matched": int(used.sum()),
                          "unmatched": int(g.sum() - used.sum()) - support, "discarded": disc, "ess": ess}
        table = pd.DataFrame.from_dict(rows, orient="index")[["all", "matched", "unmatched", "discarded", "ess"]]
        return table.astype({"all": int, "matched": int, "unmatched": int, "discarded": int, "ess": float})

    @property
    def ess(self) -> pd.Series:
        """Effective sample sizes after matching, ``(sum w)^2 / sum w^2`` per group."""
        return self.counts["ess"]

    def _pair_rows(self) -> Tuple[np.ndarray, np.ndarray]:
        pos = pd.Series(np.arange(len(self.ids)), index=self.ids)
        return (pos.loc[self.pairs["treated"]].to_numpy(), pos.loc[self.pairs["control"]].to_numpy())

    def balance(self, sample: str = "both") -> pd.DataFrame:
        """Covariate balance, MatchIt's ``summary(m, un = TRUE)`` (see :mod:`utfall.matching._balance`).

        ``sample``: ``"all"`` (before matching), ``"matched"`` or ``"both"``
        (columns indexed by sample, then statistic).
        """
        if self._balance is None:
            x = self._covariates()
            if self.distance is not None:
                x = pd.concat([pd.DataFrame({"distance": self.distance.to_numpy()}, index=x.index), x], axis=1)
            s = None if self.s_weights is None else self.s_weights.to_numpy()
            before = balance_table(x, self.treat, None, s_weights=s, estimand=self.estimand)
            after = balance_table(x, self.treat, self.weights.to_numpy(),
                                  self._pair_rows() if self._pair_distance else None, s, self.estimand)
            self._balance = pd.concat({"all": before, "matched": after}, axis=1)
        if sample == "both":
            return self._balance.copy()
        if sample in ("all", "matched"):
            return cast(pd.DataFrame, self._balance[sample].copy())
        raise SpecError(f"sample must be 'all', 'matched' or 'both', not {sample!r}")

    def released(self, threshold: int = 5) -> Any:
        """The balance table to share: ``(table, SuppressionReport)``. A binary term (a factor's level,
        a yes/no covariate) held by fewer than ``threshold`` treated or control units, or lacked by fewer,
        in a sample shows none of that sample's statistics (``<5``: its means would count them); when
        one level of a factor is suppressed so, its smallest other level is too (``..``), since the
        levels' shares add up to one.

        >>> import numpy as np, pandas as pd, utfall
        >>> d = pd.DataFrame({"id": range(40), "t": [1] * 10 + [0] * 30, "x": np.random.default_rng(1).normal(size=40),
        ...                   "g": ["a"] * 2 + ["b"] * 8 + ["a", "b"] * 15})
        >>> table, report = utfall.match(d, "t", ["x", "g"], progress=False).released()
        >>> table.loc["ga", ("all", "Means Treated")], table.loc["x", ("all", "Means Treated")] > 0
        ('<5', True)
        """
        from ..privacy import marker, SECONDARY, SuppressionReport

        report = SuppressionReport(threshold)
        table = self.balance().astype(object)
        x = self._covariates()
        treat = np.asarray(self.treat, dtype=bool)
        used = self.weights.to_numpy() > 0
        factors = [c for c in self.spec.get("covariates", []) if c not in x.columns]
        for sample, keep in (("all", np.ones(len(treat), dtype=bool)), ("matched", used)):
            hidden = {}
            for term in x.columns:
                v = x[term].to_numpy(dtype=float)
                if not np.isin(v, (0.0, 1.0)).all():
                    continue
                for group, rows in (("treated", keep & treat), ("control", keep & ~treat)):
                    k, n = int(v[rows].sum()), int(rows.sum())
                    if 0 < k < threshold or 0 < n - k < threshold:
                        hidden[term] = marker(threshold)
                        report.add("balance", term, sample, f"primary: {min(k, n - k)} {group} unit(s) "
                                                            f"< {threshold}")
                        break
            for factor in factors:
                levels = [t for t in x.columns if t.startswith(factor) and t != factor]
                lone = [t for t in levels if t in hidden]
                rest = [t for t in levels if t not in hidden]
                if len(lone) == 1 and rest:
                    other = min(rest, key=lambda t: float(x[t].to_numpy()[keep].sum()))
                    hidden[other] = SECONDARY
                    report.add("balance", other, sample, f"secondary: the levels of {factor!r} add up to one")
            for term, mark in hidden.items():
                for column in table.columns:
                    if column[0] == sample:
                        table.loc[term, column] = mark
        return table, report

    def summary(self) -> pd.DataFrame:
        """Sample sizes per group (all, matched, unmatched, discarded, effective sample size)."""
        return self.counts.rename(columns={"ess": "effective sample size"})

    def plot_balance(self, ax: Any = None, threshold: float = 0.1, released: Optional[int] = None) -> Any:
        """A love plot of absolute standardized mean differences; returns the Axes.

        ``released``: draw only the rows that :meth:`released` with this threshold shows
        (a level held by fewer units is left out, as its SMD would count them); the
        plot's title says how many were left out.
        """
        table = self.balance()
        if released is None:
            return love_plot(table, ax=ax, threshold=threshold)
        shown = self.released(released)[0]
        smd = [("all", "Std. Mean Diff."), ("matched", "Std. Mean Diff.")]
        keep = [not any(isinstance(shown.loc[k, c], str) for c in smd) for k in table.index]
        ax = love_plot(table.loc[keep], ax=ax, threshold=threshold)
        if not all(keep):
            ax.set_title(f"{ax.get_title()}\n({len(keep) - sum(keep)} level(s) of fewer than {released} units "
                         "not shown)")
        return ax

    def plot_distance(self, ax: Any = None, bins: int = 30) -> Any:
        """Score distributions of treated and controls, before and after matching; returns the Axes.

        Before matching: filled, translucent histograms; after matching (weighted):
        outlines on top, so a group whose units were all matched shows both. The
        legend sits beside the plot, off the bars.
        """
        import matplotlib.pyplot as plt

        if self.distance is None:
            raise SpecError("plot_distance needs a score (distance='logit' or a user score)")
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4))
        s = self.distance.to_numpy()
        w = self.weights.to_numpy()
        edges = np.histogram_bin_edges(s, bins=bins)
        ax.hist(s[self.treat], bins=edges, density=True, histtype="stepfilled", color="C0", alpha=0.25,
                label="treated, all")
        ax.hist(s[~self.treat], bins=edges, density=True, histtype="stepfilled", color="C1", alpha=0.25,
                label="control, all")
        ax.hist(s[self.treat], bins=edges, weights=w[self.treat], density=True, histtype="step", color="C0",
                linewidth=1.8, linestyle="--", label="treated, matched")
        ax.hist(s[~self.treat], bins=edges, weights=w[~self.treat], density=True, histtype="step", color="C1",
                linewidth=1.8, label="control, matched")
        score = "propensity score" if self.spec.get("distance") == "logit" else "score"
        ax.set_xlabel(score)
        ax.set_ylabel("density")
        ax.set_title(f"Distribution of the {score}, before and after matching")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
        return ax

    def to_json(self) -> str:
        """The specification, pairs, weights and unmatched units as JSON."""
        return json.dumps({"spec": self.spec, "pairs": self.pairs.astype({"treated": str, "control": str})
                           .to_dict(orient="records"),
                           "weights": {str(k): float(v) for k, v in self.weights.items()},
                           "unmatched": self.unmatched.astype({"id": str}).to_dict(orient="records")})

    def __repr__(self) -> str:
        c: Any = self.counts
        how = self.spec.get("method")
        if how == "nearest":
            how = (f"nearest {self.spec['ratio']}:1 on {self.spec['distance']}, "
                   f"{'with' if self.spec['replace'] else 'without'} replacement, order {self.spec['order']}")
        cal = f", caliper {self.spec['caliper']}" if self.spec.get("caliper") is not None else ""
        hz = f", horizon {self.spec['horizon']}" if self.spec.get("horizon") else ""
        return (f"MatchResult({how}{cal}{hz}: treated {c.loc['treated', 'matched']}/{c.loc['treated', 'all']} "
                f"matched, controls {c.loc['control', 'matched']}/{c.loc['control', 'all']} used)")

    def _repr_html_(self) -> str:
        smd = self.balance()[("matched", "Std. Mean Diff.")]
        # pandas accepts a format string for float_format; the stubs only a callable
        return (f"<p><b>utfall.MatchResult</b>: {repr(self)[12:-1]}</p>"
                + cast(str, self.counts.to_html(float_format="%.1f"))  # type: ignore[call-overload]
                + f"<p>max |SMD| after matching: {np.nanmax(np.abs(smd.to_numpy())):.3f}</p>")


class MatchSet(dict[str, Any]):
    """One :class:`MatchResult` per follow-up horizon (``result["2y"]``)."""

    def __repr__(self) -> str:
        inner = ",\n  ".join(f"{h!r}: {r!r}" for h, r in self.items())
        return f"MatchSet(\n  {inner}\n)"

    def _repr_html_(self) -> str:
        return "".join(f"<h4>horizon {h}</h4>" + r._repr_html_() for h, r in self.items())

    def summary(self) -> pd.DataFrame:
        """Counts per horizon and group."""
        return cast(pd.DataFrame, pd.concat({h: r.summary() for h, r in self.items()}, names=["horizon", "group"]))
