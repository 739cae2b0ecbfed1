"""Matching a comparison group to the participants, as R's MatchIt 4.7 does.

:func:`match` takes a DataFrame (one row per unit) or a :class:`~utfall.Cohort`
(historical matching) and returns a :class:`MatchResult` (or a
:class:`MatchSet` with one result per follow-up horizon).

Agreement with MatchIt (``matchit(..., method = "nearest")``, estimand ATT)
--------------------------------------------------------------------------
- ``distance="logit"`` (``"glm"``): the fitted probabilities of
  ``glm(treat ~ covariates, family = binomial)``, by the same IRLS iterations;
  string and categorical covariates enter as indicators of every level but the
  first (R's treatment contrasts; levels sorted as ``factor`` does).
- ``distance="mahalanobis"``: covariates standardised, pooled within-group
  covariance (a generalized inverse when it is singular); ``"euclidean"``,
  ``"scaled_euclidean"`` as MatchIt's; a factor enters with every level coded
  ``1/sqrt(2)``, as MatchIt codes it; or any array of scores of your own.
- Greedy matching: treated units in ``order`` (default: ``"largest"`` score
  first for scores, data order for covariate distances, data order always with
  replacement, as MatchIt) each take the closest available control(s); ties are
  resolved as MatchIt's C++ resolves them (by its outward walk over the units
  sorted by distance, equal values in data order). ``ratio > 1`` without
  replacement matches in rounds (all first controls, then all second ones).
- ``caliper`` is in standard deviations of the distance over all units when
  ``std_caliper`` (MatchIt's ``std.caliper = TRUE``).
- Weights (ATT): matched treated 1; a control ``sum over the treated it serves
  of 1/k``, rescaled so the control weights sum to the number of controls used.
- ``balance()`` reproduces ``summary(m, un = TRUE)`` (see :mod:`utfall.balance`).

Deliberate differences: covariates that are constant or missing raise
:class:`~utfall.DataError` (MatchIt drops constant ones silently or fails later);
a propensity model with perfect separation or an aliased column raises
:class:`~utfall.ComputationError` (glm only warns or gives an ``NA``
coefficient); ``order="random"`` uses utfall's seeded generator, not R's.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from ._frames import to_pandas
from .balance import balance_table, love_plot
from .strata import coarsen, subclass_matching
from .errors import ComputationError, SpecError, check_limit, data_error, not_finite

_SCORE_NAMES = {"logit": "logit", "glm": "logit"}
_COVARIATE_DISTANCES = ("mahalanobis", "euclidean", "scaled_euclidean")
_REASONS = {0: "no control in the exact stratum", 1: "no control within the caliper",
            2: "no control left (all used by earlier treated units)"}


# ---------------------------------------------------------------------------- design
def _levels(column: pd.Series) -> list:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    return sorted(column.dropna().unique().tolist())


def _is_factor(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def _check_column(frame: pd.DataFrame, name: str, ids: pd.Index, table: str) -> pd.Series:
    if name not in frame.columns:
        raise SpecError(f"covariate {name!r} is not a column of the {table} (columns: {list(frame.columns)})")
    col = frame[name]
    if col.dtype.kind in "fiub":
        # Plain numpy numbers: one pass each for min and max (a NaN makes them NaN).
        values = col.to_numpy(dtype=float)
        lo, hi = values.min(), values.max()
        if np.isinf(lo) or np.isinf(hi):
            row = int(np.flatnonzero(np.isinf(values))[0])
            raise not_finite(table, name, row, values[row], id=ids[row])
        if not np.isnan(lo):
            if lo == hi:
                raise data_error(table, name, None, f"the covariate is constant ({col.iloc[0]!r}) and cannot "
                                 "balance anything; drop it")
            return col
    missing = col.isna().to_numpy()
    if missing.all():
        raise data_error(table, name, None, "the covariate is missing for every unit")
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise data_error(table, name, row, f"missing value ({int(missing.sum())} rows in all); impute or drop "
                         "these units before matching", id=ids[row])
    if _is_factor(col):
        constant = col.nunique() < 2
    else:
        values = col.to_numpy(dtype=float)
        constant = values.min() == values.max()
    if constant:
        raise data_error(table, name, None, f"the covariate is constant ({col.iloc[0]!r}) and cannot balance "
                         "anything; drop it")
    return col


def design(frame: pd.DataFrame, covariates: Sequence[str], ids: pd.Index, table: str = "data",
           all_levels: bool = False, level_value: float = 1.0) -> pd.DataFrame:
    """Numeric model columns, with factors as R's ``model.matrix`` names them.

    With ``all_levels`` every level gets an indicator (MatchIt's balance table;
    for covariate distances MatchIt codes them ``1/sqrt(2)``: ``level_value``);
    otherwise the first level is the reference (treatment contrasts).

    Examples
    --------
    >>> d = pd.DataFrame({"age": [20, 30, 40], "race": ["white", "black", "hispan"]})
    >>> list(design(d, ["age", "race"], pd.Series([1, 2, 3])).columns)
    ['age', 'racehispan', 'racewhite']
    """
    return pd.DataFrame(_design_columns(frame, covariates, ids, table, all_levels, level_value),
                        index=frame.index, copy=False)


def _design_columns(frame: pd.DataFrame, covariates: Sequence[str], ids: pd.Index, table: str,
                    all_levels: bool = False, level_value: float = 1.0) -> dict:
    """The columns of :func:`design` as a dict of contiguous float arrays (no DataFrame,
    whose single block would copy a million-row design once more)."""
    out = {}
    for name in covariates:
        col = _check_column(frame, name, ids, table)
        if _is_factor(col):
            levels = _levels(col)
            for level in (levels if all_levels else levels[1:]):
                out[f"{name}{level}"] = (col == level).to_numpy(dtype=float) * level_value
        else:
            out[name] = np.ascontiguousarray(col.to_numpy(dtype=float))
    return out


def _strata(frame: pd.DataFrame, columns: Sequence[str], ids: pd.Index, table: str) -> np.ndarray:
    for c in columns:
        if c not in frame.columns:
            raise SpecError(f"exact column {c!r} is not a column of the {table}")
        if frame[c].isna().any():
            row = int(np.flatnonzero(frame[c].isna().to_numpy())[0])
            raise data_error(table, c, row, "missing value in an exact-matching column", id=ids[row])
        if frame[c].dtype.kind == "f" and np.isinf(frame[c].to_numpy()).any():
            row = int(np.flatnonzero(np.isinf(frame[c].to_numpy()))[0])
            raise not_finite(table, c, row, frame[c].iloc[row], id=ids[row])
    return frame.groupby(list(columns), sort=True, observed=True).ngroup().to_numpy().astype(np.uint32)


# ---------------------------------------------------------------------------- results
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
        ``id`` and ``reason`` of every treated unit without a control.
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
                 spec: dict, discarded_ids: Optional[pd.Index] = None,
                 subclass: Optional[np.ndarray] = None) -> None:
        self.ids = ids
        self.treat = treat
        self.pairs = pairs
        self.weights = pd.Series(weights, index=ids, name="weight")
        self.distance = None if score is None else pd.Series(score, index=ids, name="distance")
        self.unmatched = unmatched
        self.spec = spec
        self.subclass = None if subclass is None else pd.Series(subclass, index=ids, name="subclass")
        self._covariates = balance_covariates
        self.discarded_ids = pd.Index([] if discarded_ids is None else discarded_ids, name="id")
        self._balance: Optional[pd.DataFrame] = None

    @property
    def matched_ids(self) -> pd.Index:
        return self.ids[self.weights.to_numpy() > 0]

    @property
    def counts(self) -> pd.DataFrame:
        w = self.weights.to_numpy()
        rows = {}
        for name, g in (("treated", self.treat), ("control", ~self.treat)):
            wg = w[g]
            used = wg > 0
            ess = float(wg.sum() ** 2 / np.sum(wg ** 2)) if used.any() else 0.0
            disc = len(self.discarded_ids) if name == "control" else 0
            rows[name] = {"all": int(g.sum()) + disc, "matched": int(used.sum()),
                          "unmatched": int(g.sum() - used.sum()), "discarded": disc, "ess": ess}
        table = pd.DataFrame.from_dict(rows, orient="index")[["all", "matched", "unmatched", "discarded", "ess"]]
        return table.astype({"all": int, "matched": int, "unmatched": int, "discarded": int, "ess": float})

    @property
    def ess(self) -> pd.Series:
        """Effective sample sizes after matching, ``(sum w)^2 / sum w^2`` per group."""
        return self.counts["ess"]

    def _pair_rows(self) -> tuple:
        pos = pd.Series(np.arange(len(self.ids)), index=self.ids)
        return (pos.loc[self.pairs["treated"]].to_numpy(), pos.loc[self.pairs["control"]].to_numpy())

    def balance(self, sample: str = "both") -> pd.DataFrame:
        """Covariate balance, MatchIt's ``summary(m, un = TRUE)`` (see :mod:`utfall.balance`).

        ``sample``: ``"all"`` (before matching), ``"matched"`` or ``"both"``
        (columns indexed by sample, then statistic).
        """
        if self._balance is None:
            x = self._covariates()
            if self.distance is not None:
                x = pd.concat([pd.DataFrame({"distance": self.distance.to_numpy()}, index=x.index), x], axis=1)
            before = balance_table(x, self.treat, None)
            after = balance_table(x, self.treat, self.weights.to_numpy(), self._pair_rows())
            self._balance = pd.concat({"all": before, "matched": after}, axis=1)
        if sample == "both":
            return self._balance.copy()
        if sample in ("all", "matched"):
            return self._balance[sample].copy()
        raise SpecError(f"sample must be 'all', 'matched' or 'both', not {sample!r}")

    def summary(self) -> pd.DataFrame:
        """Sample sizes per group (all, matched, unmatched, discarded, effective sample size)."""
        return self.counts.rename(columns={"ess": "effective sample size"})

    def plot_balance(self, ax=None, threshold: float = 0.1):
        """A love plot of absolute standardized mean differences; returns the Axes."""
        return love_plot(self.balance(), ax=ax, threshold=threshold)

    def plot_distance(self, ax=None, bins: int = 30):
        """Score distributions of treated and controls, before and after matching; returns the Axes."""
        import matplotlib.pyplot as plt

        if self.distance is None:
            raise SpecError("plot_distance needs a score (distance='logit' or a user score)")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        s = self.distance.to_numpy()
        w = self.weights.to_numpy()
        edges = np.histogram_bin_edges(s, bins=bins)
        ax.hist(s[self.treat], bins=edges, density=True, histtype="step", color="C0", linestyle="--",
                label="treated, all")
        ax.hist(s[~self.treat], bins=edges, density=True, histtype="step", color="C1", linestyle="--",
                label="control, all")
        ax.hist(s[self.treat], bins=edges, weights=w[self.treat], density=True, histtype="step", color="C0",
                label="treated, matched")
        ax.hist(s[~self.treat], bins=edges, weights=w[~self.treat], density=True, histtype="step", color="C1",
                label="control, matched")
        ax.set_xlabel("propensity score" if self.spec.get("distance") == "logit" else "score")
        ax.set_ylabel("density")
        ax.legend(frameon=False)
        return ax

    def to_json(self) -> str:
        """The specification, pairs, weights and unmatched units as JSON."""
        return json.dumps({"spec": self.spec, "pairs": self.pairs.astype({"treated": str, "control": str})
                           .to_dict(orient="records"),
                           "weights": {str(k): float(v) for k, v in self.weights.items()},
                           "unmatched": self.unmatched.astype({"id": str}).to_dict(orient="records")})

    def __repr__(self) -> str:
        c = self.counts
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
        return (f"<p><b>utfall.MatchResult</b>: {repr(self)[12:-1]}</p>" + self.counts.to_html(float_format="%.1f")
                + f"<p>max |SMD| after matching: {np.nanmax(np.abs(smd.to_numpy())):.3f}</p>")


class MatchSet(dict):
    """One :class:`MatchResult` per follow-up horizon (``result["2y"]``)."""

    def __repr__(self) -> str:
        inner = ",\n  ".join(f"{h!r}: {r!r}" for h, r in self.items())
        return f"MatchSet(\n  {inner}\n)"

    def _repr_html_(self) -> str:
        return "".join(f"<h4>horizon {h}</h4>" + r._repr_html_() for h, r in self.items())

    def summary(self) -> pd.DataFrame:
        """Counts per horizon and group."""
        return pd.concat({h: r.summary() for h, r in self.items()}, names=["horizon", "group"])


# ---------------------------------------------------------------------------- matching
def _progress_callback(progress: bool, total_hint: int):
    if not progress or total_hint < 20_000:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total_hint, desc="matching", unit="treated")

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar


def _match_frame(frame: pd.DataFrame, treat: np.ndarray, ids: pd.Index, covariates: Sequence[str],
                 method: str, distance: Any, ratio: int, replace: bool, caliper: Optional[float],
                 std_caliper: bool, exact: Sequence[str], order: Optional[str], seed: Optional[int],
                 unit_id: Optional[np.ndarray], cutpoints: Optional[Mapping[str, Any]], progress: bool,
                 spec: dict, table: str, discarded_ids: Optional[pd.Index] = None) -> MatchResult:
    n = len(frame)
    n1 = int(treat.sum())
    if n1 == 0 or n1 == n:
        raise ComputationError(f"matching needs both groups; the {table} has {n1} treated units of {n}")
    index = ids.rename("id")
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise data_error(table, "id", int(np.flatnonzero(index == dup)[1]), "duplicate id", id=dup)
    balance_cols = list(covariates) + [c for c in exact if c not in covariates]

    def balance_x() -> pd.DataFrame:
        return design(frame, balance_cols, ids, table, all_levels=True)
    if method in ("exact", "cem"):
        cols = list(exact) if method == "exact" and exact else list(covariates)
        if not cols:
            raise SpecError(f"method={method!r} needs covariates (or exact=) to stratify on")
        if method == "exact":
            strata = _strata(frame, cols, ids, table)
        else:
            coarse = coarsen(frame, cols, cutpoints, ids, table)
            strata = coarse.groupby(cols, sort=True, observed=True).ngroup().to_numpy()
        w, pairs, unmatched_ids, subclass = subclass_matching(strata, treat, index)
        if not (w[treat] > 0).any():
            raise ComputationError(f"{method} matching matched no treated unit: no stratum holds both groups")
        unmatched = pd.DataFrame({"id": unmatched_ids, "reason": _REASONS[0]})
        return MatchResult(ids=index, treat=treat, pairs=pairs, weights=w, score=None, unmatched=unmatched,
                           balance_covariates=balance_x, spec=spec, discarded_ids=discarded_ids,
                           subclass=subclass)
    if method != "nearest":
        raise SpecError(f"method must be 'nearest', 'exact' or 'cem', not {method!r}")
    score = coords = key = None
    if isinstance(distance, str) and distance in _SCORE_NAMES:
        if not covariates:
            raise SpecError("a propensity score needs covariates")
        x = _design_columns(frame, covariates, ids, table)
        names = ["(Intercept)"] + list(x)
        columns = [np.ones(n)] + list(x.values())
        _, score, _, _ = _core.fit_logit(columns, treat, names)
        spec["distance"] = "logit"
    elif isinstance(distance, str) and distance in _COVARIATE_DISTANCES:
        if caliper is not None:
            raise SpecError("a caliper applies to a score; with a covariate distance use exact= or a score")
        if not covariates:
            raise SpecError(f"distance={distance!r} needs covariates")
        # As MatchIt: every level of a factor, coded 1/sqrt(2), so two levels are 1 apart.
        x = design(frame, covariates, ids, table, all_levels=True, level_value=float(np.sqrt(0.5)))
        coords, key, _ = _core.whiten(np.ascontiguousarray(x.to_numpy(dtype=float)), treat, np.ones(n, bool),
                                      distance, list(x.columns))
        if coords.shape[1] == 1:
            # One covariate: MatchIt matches on it as on a score (in data order).
            score, coords, key = np.ascontiguousarray(coords[:, 0]), None, None
            order = order or "data"
    elif isinstance(distance, str):
        raise SpecError(f"distance must be 'logit' ('glm'), 'mahalanobis', 'euclidean', 'scaled_euclidean' or an "
                        f"array of scores, not {distance!r}")
    else:
        score = np.asarray(distance, dtype=float)
        if score.shape != (n,):
            raise SpecError(f"a user score needs one value per row ({n}), got shape {score.shape}")
        spec["distance"] = "user"
    cal_abs = None
    if caliper is not None and score is not None:
        if not caliper > 0:
            raise SpecError(f"caliper must be a positive number, got {caliper!r}")
        cal_abs = float(caliper) * (float(np.std(score, ddof=1)) if std_caliper else 1.0)
    strata = _strata(frame, exact, ids, table) if exact else None
    callback, bar = _progress_callback(progress, n1 * ratio)
    try:
        treated, controls, dists, reasons, weights, order_used = _core.nearest_match(
            treat, score=score, coords=coords, sort_key=key, exact=strata, unit_id=unit_id, ratio=int(ratio),
            replace=bool(replace), caliper=cal_abs, order_name=order, seed=int(seed or 0), progress=callback)
    finally:
        if bar is not None:
            bar.close()
    spec["order"] = order_used
    spec["caliper_absolute"] = cal_abs
    has = controls >= 0
    t_rows = np.repeat(treated[:, None], controls.shape[1], axis=1)[has]
    slots = np.broadcast_to(np.arange(1, controls.shape[1] + 1), controls.shape)[has]
    order_rows = np.lexsort((slots, t_rows))
    t_rows, slots = t_rows[order_rows], slots[order_rows]
    pairs = pd.DataFrame({"treated": index[t_rows], "control": index[controls[has][order_rows]],
                          "slot": slots, "distance": dists[has][order_rows]})
    if not len(pairs):
        why = "; ".join(sorted({_REASONS[int(r)] for r in reasons if r >= 0}))
        raise ComputationError(f"no treated unit was matched ({why}); widen the caliper or relax exact=")
    unmatched = pd.DataFrame({"id": [index[treated[i]] for i in range(len(treated)) if reasons[i] >= 0],
                              "reason": [_REASONS[int(r)] for r in reasons if r >= 0]})
    # A score is reported (and balanced) only when it is one: not the whitened covariate
    # that stands in for a one-covariate distance.
    reported = score if spec["distance"] in ("logit", "user") else None
    return MatchResult(ids=index, treat=treat, pairs=pairs, weights=weights, score=reported, unmatched=unmatched,
                       balance_covariates=balance_x, spec=spec, discarded_ids=discarded_ids)


def _as_list(value: Union[None, str, Iterable[str]]) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def match(data: Any, treatment: Optional[str] = None, covariates: Union[None, str, Sequence[str]] = None,
          method: str = "nearest", distance: Any = "logit", ratio: int = 1, replace: bool = False,
          caliper: Optional[float] = None, std_caliper: bool = True, exact: Union[None, str, Sequence[str]] = None,
          order: Optional[str] = None, seed: Optional[int] = None, *, id: Optional[str] = None,
          horizon: Any = None, lookback: Any = None, person: Optional[str] = None, reuse: str = "allowed",
          cutpoints: Optional[Mapping[str, Any]] = None, progress: bool = True) -> Any:
    """Matches controls (historical individuals) to treated units (participants).

    Parameters
    ----------
    data : DataFrame or Cohort
        One row per unit, or a :class:`~utfall.Cohort` whose participants are
        the treated and whose historical individuals are the candidates.
    treatment : str
        The 0/1 (or boolean) treatment column of a DataFrame.
    covariates : list of str
        Model covariates. With a Cohort: columns of ``cohort.individuals`` or of
        ``cohort.history(lookback)`` (e.g. ``"prior_care_days_HVB"``,
        ``"prior_placements"``), measured before each individual's own index date.
    method : {"nearest", "exact", "cem"}
        Nearest neighbour; exact matching on ``exact`` (or the covariates);
        coarsened exact matching on the covariates (numeric columns cut into
        ``ceil(log2(n) + 1)`` equal-width bins (Sturges) unless ``cutpoints``
        gives a number of bins or the inner cut points per column).
    distance : {"logit", "glm", "mahalanobis", "euclidean", "scaled_euclidean"} or array
        The propensity score (``glm`` logit), a covariate distance, or your own score.
    ratio : int
        Controls per treated unit (k:1), at most 1,000 (``utfall._core.MAX_RATIO``).
    replace : bool
        Whether a control may serve several treated units.
    caliper : float, optional
        Largest allowed score difference, in standard deviations of the score
        over all units when ``std_caliper`` (MatchIt's default) or on the score's scale.
    exact : str or list of str, optional
        Columns a control must share with its treated unit.
    order : {"largest", "smallest", "closest", "data", "random"}, optional
        The order in which treated units choose (default: MatchIt's):
        highest score first, lowest first, closest pair first (re-matching a
        unit whose control was taken), data order, or a seeded random order.
    seed : int, optional
        The seed of ``order="random"``; recorded in ``result.spec``.
    id : str, optional
        The id column (default: ``"id"`` if present, else the index).
    horizon : str or list, optional
        With a Cohort: only historical individuals whose follow-up covers the
        horizon from their own index date are candidates; a list gives a
        :class:`MatchSet` with one matching per horizon.
    lookback : str, optional
        With a Cohort: the window of ``history`` covariates (all earlier data when None).
    person : str, optional
        With a Cohort: a column of ``individuals`` naming the person behind
        several candidate rows (several index episodes of one person).
    reuse : {"allowed", "never"}
        With ``person``: ``"never"`` uses each person at most once, whichever
        of their rows is matched (MatchIt's ``unit.id``).
    progress : bool
        Show a progress bar on large matchings.

    Returns
    -------
    MatchResult or MatchSet

    Examples
    --------
    >>> import pandas as pd, utfall
    >>> d = pd.DataFrame({"treat": [1, 1, 0, 0, 0, 0], "age": [30, 40, 32, 44, 39, 29],
    ...                   "prior": [2, 0, 1, 0, 3, 2]})
    >>> m = utfall.match(d, "treat", ["age"], distance="mahalanobis")
    >>> m.pairs[["treated", "control"]].values.tolist()
    [[0, 5], [1, 4]]
    >>> m.weights.tolist()
    [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    """
    from .cohort import Cohort

    reuse_options = ("allowed", "never")
    if reuse not in reuse_options:
        raise SpecError(f"reuse must be one of {reuse_options}, not {reuse!r}")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, np.integer)) or ratio < 1:
        raise SpecError(f"ratio must be a positive integer, got {ratio!r}")
    check_limit("ratio", int(ratio), _core.MAX_RATIO)
    covariates = _as_list(covariates)
    exact = _as_list(exact)
    if seed is None and order == "random":
        # Draw one and record it, so that the random order can be repeated.
        seed = int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SpecError(f"seed must be a non-negative integer, not {seed!r}")
    spec = {"method": method, "distance": distance if isinstance(distance, str) else "user",
            "covariates": covariates, "ratio": int(ratio), "replace": bool(replace),
            "caliper": None if caliper is None else float(caliper),
            "std_caliper": bool(std_caliper), "exact": exact, "order": order,
            "seed": None if seed is None else int(seed),
            "cutpoints": {k: (v if isinstance(v, (int, np.integer)) else list(map(float, v)))
                          for k, v in (cutpoints or {}).items()},
            "version": _core.__version__}
    common = dict(method=method, distance=distance, ratio=int(ratio), replace=replace, caliper=caliper,
                  std_caliper=std_caliper, exact=exact, order=order, seed=seed, cutpoints=cutpoints,
                  progress=progress)
    if isinstance(data, Cohort):
        if treatment is not None:
            raise SpecError("with a Cohort the treated are its participants; leave treatment out")
        return _match_cohort(data, covariates, horizon, lookback, person, reuse, spec, common)
    if horizon is not None or person is not None:
        raise SpecError("horizon= and person= apply to a Cohort; with a DataFrame filter the rows yourself")
    frame = to_pandas(data, "data")
    if id is not None and id not in frame.columns:
        raise SpecError(f"id={id!r} is not a column of the data")
    id_col = id or ("id" if "id" in frame.columns else None)
    ids = pd.Index(frame[id_col]) if id_col is not None else frame.index
    frame = frame.reset_index(drop=True)
    if treatment is None or treatment not in frame.columns:
        raise SpecError(f"treatment must name a column of the data, got {treatment!r}")
    t = frame[treatment]
    numbers = t.to_numpy(dtype=float) if t.dtype.kind in "fiub" else None
    if numbers is None or not ((numbers == 0.0) | (numbers == 1.0)).all():
        if t.isna().any():
            row = int(np.flatnonzero(t.isna().to_numpy())[0])
            raise data_error("data", treatment, row, "missing treatment")
        values = set(pd.unique(t.astype(float)))
        if not values <= {0.0, 1.0}:
            raise data_error("data", treatment, None,
                             f"the treatment must be 0/1 or boolean, found {sorted(values)}")
    spec.update(treatment=treatment, id=id_col)
    return _match_frame(frame, t.to_numpy(dtype=float) == 1.0, ids, covariates, unit_id=None, spec=spec,
                        table="data", **common)


def _match_cohort(cohort: Any, covariates: list, horizon: Any, lookback: Any, person: Optional[str],
                  reuse: str, spec: dict, common: dict) -> Any:
    from .cohort import horizon_text

    individuals = cohort.individuals.reset_index(drop=True)
    history = cohort.history(lookback).reset_index(drop=True)
    frame = individuals.copy()
    for c in covariates:
        if c not in frame.columns:
            if c in history.columns:
                frame[c] = history[c].to_numpy()
            else:
                raise SpecError(f"covariate {c!r} is neither a column of cohort.individuals nor of "
                                f"cohort.history(): {list(history.columns)}")
    treat = cohort.participants
    unit_id = None
    if person is not None:
        if person not in individuals.columns:
            raise SpecError(f"person={person!r} is not a column of cohort.individuals")
        codes = pd.factorize(individuals[person], use_na_sentinel=False)[0].astype(np.uint32)
        unit_id = codes if reuse == "never" else None
    spec.update(lookback=None if lookback is None else horizon_text(lookback), person=person, reuse=reuse)
    horizons = horizon if isinstance(horizon, (list, tuple)) else [horizon]
    results = MatchSet()
    for h in horizons:
        if h is None:
            pool = np.ones(len(frame), dtype=bool)
        else:
            pool = treat | cohort.costs(h)["complete"].to_numpy(dtype=bool)
        ids = pd.Index(frame["id"][pool])
        sub_spec = dict(spec, horizon=None if h is None else horizon_text(h))
        results[sub_spec["horizon"]] = _match_frame(
            frame[pool].reset_index(drop=True), treat[pool], ids, covariates,
            unit_id=None if unit_id is None else unit_id[pool], spec=sub_spec, table="individuals",
            discarded_ids=pd.Index(frame["id"][~pool]), **common)
    if not isinstance(horizon, (list, tuple)):
        return next(iter(results.values()))
    return results
