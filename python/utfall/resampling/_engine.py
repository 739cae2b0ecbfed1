"""Bootstrap confidence intervals: a deterministic parallel engine in Rust.

Designs
-------
- one sample: an array, list or Series; every value a unit;
- paired: a DataFrame (or a tuple of equal-length arrays with ``design="paired"``):
  rows are resampled whole, so the columns stay paired;
- independent samples: a tuple of arrays (e.g. participants and the comparison
  pool), or one array with ``groups=`` labels; each sample is resampled
  separately, keeping its size;
- stratified: ``strata=`` labels; rows are resampled within each stratum;
- clustered: ``clusters=`` labels; whole clusters are drawn (e.g. a participant
  with their matched comparison individuals), as many as there are clusters
  (within each sample or stratum).

Built-in statistics (``T0, T1`` the sums of variable 0 and 1 over the
resampled rows, ``M0, M1`` their row counts; variable ``v`` is sample ``v``,
or column ``v`` of paired data):

==========================  ==========================================================
``"mean"``                  ``T0 / M0``
``"sum"``                   ``T0``
``"difference of means"``   ``T0/M0 - T1/M1`` (paired: the mean of the row differences)
``"difference of sums"``    ``T0 - T1`` (e.g. savings = sum(expected) - sum(actual))
``"ratio of sums"``         ``T0 / T1``
``"ratio of means"``        ``(T0/M0) / (T1/M1)``
``"quantile"`` (``q=``)     numpy's linear quantile of the resampled values
``"median"``                ``"quantile"`` with ``q=0.5``
``"top share"`` (``p=``)    share of the total held by the top ``p`` (interpolated Lorenz)
``"gini"``, ``"gini corrected"``, ``"hoover"``, ``"theil"``, ``"mean log deviation"``,
``"herfindahl"``            as in :func:`utfall.concentration`
==========================  ==========================================================

With clusters, a row-level statistic is computed over all rows of the drawn
clusters: ``"difference of sums"`` of ``(expected, actual)`` with matched sets
as clusters is the total savings over a resampled set of matched sets, and
``"difference of means"`` the savings per row (per participant when rows are
participants).

A Python callable is accepted too: it is called once per replicate with the
resampled data (an array; one array per sample, as positional arguments; or a
DataFrame), which is much slower than the built-ins (one Python call per
replicate, and one per unit for the BCa jackknife). It draws exactly the
resamples of the built-in mean, sum, difference and ratio statistics for the same
seed; the sorted built-ins (quantile, top share, Gini, ...) number the units in
sorted order, so their resamples differ from the callable's while being equally
valid and just as reproducible.

Intervals, quantile rule and conventions
----------------------------------------
``percentile``, ``basic``, ``normal`` (bias-corrected: ``t0 - bias -/+ z se``),
``bca`` (jackknife acceleration) and ``studentized`` (built-in totals statistics,
with the delta-method variance of each replicate) follow R boot's ``boot.ci``.
The default ``quantile_rule="r"`` is R boot's ``norm.inter`` (order statistic
``(B + 1) alpha``, interpolated on the normal scale), chosen as default because R
boot is the reference the published intervals (and Barber & Thompson's
recommendations for costs) use; ``quantile_rule="linear"`` is numpy's default, as
``scipy.stats.bootstrap`` uses. The BCa bias correction is
``z0 = Phi^-1(#{t* < t0} / B)`` (strictly below, as R and scipy) and the
acceleration ``a = sum U^3 / (6 (sum U^2)^1.5)`` from the jackknife values
``U = (n - 1)(mean(t_(i)) - t_(i))``, per sample as scipy does for several samples.
One deliberate difference from R: ``boot.ci`` estimates the influence values for
BCa by regression of the replicates on the resampling frequencies (``empinf``'s
default ``type = "reg"``), which carries Monte Carlo error; utfall uses the exact
jackknife (as scipy, and R's ``empinf(type = "jack")``), in O(n) closed form for
the built-ins. For the mean, sums and differences the two coincide as B grows.
"""

from __future__ import annotations

import hashlib
import warnings as _warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from .. import _core, _typing
from .._frames import to_pandas
from .._progress import run_batches
from .._seeds import seed_or_new
from .._validation import confidence_levels, interval_methods, label_codes
from ..errors import BootstrapWarning, SpecError, check_limit, data_error, not_finite
from ._result import BootstrapResult

__all__ = ["bootstrap", "BootstrapResult", "BootstrapWarning"]

LINEAR = _typing.values(_typing.LinearStatistic)
SORTED = ("quantile", "median", "top share", "top share integer", "gini", "gini corrected", "hoover", "theil",
          "mean log deviation", "herfindahl")
METHODS = _typing.values(_typing.IntervalMethod)
DESIGNS = _typing.values(_typing.Design)
#: Sorted statistics with strata, clusters or weights re-walk the data for each left-out unit
#: (O(n^2)): BCa beyond this many units is refused. One plain sample uses O(n) closed forms.
MAX_GENERIC_JACKKNIFE = 50_000


def _column(values: Any, name: str) -> np.ndarray:
    """A float64 column; raises naming the first NaN or infinite row."""
    try:
        x = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as e:
        raise data_error("data", name, None, f"is not numeric ({e})") from None
    if x.ndim != 1:
        raise data_error("data", name, None, f"must be one-dimensional, has shape {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise not_finite("data", name, row, x[row])
    return x


class _Data:
    """The user's data as columns and sample labels."""

    def __init__(self, data: Any, design: Optional[str], groups: Any, clusters: Any) -> None:
        self.frame: Optional[pd.DataFrame] = None
        self.names: List[str]
        self.samples: Optional[np.ndarray] = None
        self.sample_names: List[Any] = []
        if type(data).__module__.startswith("polars") and hasattr(data, "columns"):
            data = to_pandas(data, "data")
        if isinstance(data, pd.DataFrame):
            self.frame = data
            self.names = [str(c) for c in data.columns]
            self.columns = [_column(data[c], str(c)) for c in data.columns]
            self.design = "paired" if len(self.columns) > 1 else "one sample"
        elif isinstance(data, tuple):
            arrays = [_column(a, f"sample {i}") for i, a in enumerate(data)]
            same = len({len(a) for a in arrays}) == 1
            if design == "paired" or (design is None and clusters is not None and same):
                if not same:
                    raise data_error("data", "", None,
                                     f"paired columns must have equal lengths, got {[len(a) for a in arrays]}")
                self.names = [str(getattr(a, "name", None) or f"column {i}") for i, a in enumerate(data)]
                self.columns, self.design = arrays, "paired"
            else:
                self.columns = [np.concatenate(arrays)]
                self.names = ["values"]
                self.samples = np.repeat(np.arange(len(arrays), dtype=np.uint32), [len(a) for a in arrays])
                self.sample_names = list(range(len(arrays)))
                self.design = "independent samples"
        else:
            name = str(getattr(data, "name", None) or "values")
            self.columns, self.names, self.design = [_column(data, name)], [name], "one sample"
        if groups is not None:
            if self.samples is not None or len(self.columns) != 1:
                raise SpecError("groups= splits one array into samples; pass either a tuple of samples or groups=")
            self.samples, self.sample_names = label_codes(groups, "groups", len(self.columns[0]))
            self.design = "independent samples"
        self.n_rows = len(self.columns[0])

    def fingerprint(self, *labels: Optional[np.ndarray]) -> str:
        h = hashlib.sha256()
        for part in list(self.columns) + [self.samples, *labels]:
            if part is not None:
                h.update(np.ascontiguousarray(part).tobytes())
        return h.hexdigest()[:16]


def _statistic_spec(statistic: str, args: Dict[str, Any]) -> List[Tuple[str, float]]:
    name = statistic.lower().replace("_", " ").strip()
    if name == "median":
        return [("quantile", 0.5)]
    if name == "quantile":
        return [("quantile", float(args.pop("q")))] if "q" in args else _missing("q", name)
    if name in ("top share", "top share integer"):
        return [(name, float(args.pop("p")))] if "p" in args else _missing("p", name)
    if name in LINEAR or name in SORTED:
        return [(name, 0.0)]
    raise SpecError(f"unknown statistic {statistic!r}; choose from {', '.join(LINEAR + SORTED)}, or pass a callable")


def _missing(arg: str, name: str) -> Any:
    raise SpecError(f"the statistic {name!r} needs {arg}=, e.g. utfall.bootstrap(x, {name!r}, {arg}=0.2)")


def _auto_batch(n_rows: int, n_resamples: int, sorted_stat: bool) -> int:
    """About 0.05-0.1 s of work per batch, so Ctrl-C and the progress bar respond."""
    work = n_rows * (4 if sorted_stat else 1)
    return int(max(16, min(n_resamples, 20_000_000 // max(work, 1))))


def bootstrap(data: Any, statistic: Union[str, Callable[..., float]] = "mean", *, design: Optional[str] = None,
              groups: Any = None, strata: Any = None, clusters: Any = None, n_resamples: int = 9999,
              confidence_level: Union[float, Sequence[float]] = 0.95,
              methods: Union[str, Sequence[str]] = ("percentile", "basic", "normal", "bca"),
              quantile_rule: str = "r", seed: Optional[int] = None, threshold: Any = None,
              keep_distribution: bool = False, batch_size: Optional[int] = None,
              n_threads: Optional[int] = None, progress: bool = True, **statistic_args: Any) -> BootstrapResult:
    """Bootstrap a statistic and its confidence intervals.

    Parameters
    ----------
    data : array-like, Series, tuple of arrays, or DataFrame
        One sample; several independent samples (tuple); paired columns (DataFrame).
    statistic : str or callable
        A built-in (see the module docstring for exact definitions) or a callable.
    design : {"one sample", "paired", "independent samples", "stratified", "clustered"}, optional
        Inferred from ``data``, ``groups``, ``strata`` and ``clusters``. A tuple of
        arrays is read as independent samples, except with ``clusters=`` (or
        ``design="paired"``), when equal-length arrays are paired columns of the same
        rows, e.g. ``(expected, actual)`` per participant with matched sets as clusters.
        For independent samples with clusters give ``design="independent samples"``
        and cluster labels for the concatenated rows.
    groups, strata, clusters : array-like or str, optional
        Labels per row: independent samples, strata, clusters resampled whole; with a
        DataFrame, a column name (that column is then not a value column).
    n_resamples : int
        The number of replicates B (at most 100,000,000, ``utfall._core.MAX_RESAMPLES``).
        Replicates that are not finite (a ratio whose resampled denominator is 0, a sum
        beyond the range of floating point, a callable returning NaN) are left out of
        the intervals and counted in a :class:`BootstrapWarning`; with fewer than two
        finite replicates every interval is NaN.
    confidence_level : float or sequence of float
    methods : sequence of {"percentile", "basic", "normal", "bca", "studentized"}
    quantile_rule : {"r", "linear"}
        ``"r"``: R boot's ``norm.inter`` (default); ``"linear"``: numpy's, as scipy.
    seed : int, optional
        The run's seed; drawn from the OS entropy when None and recorded in the result.
    threshold : float or sequence, optional
        Report ``prob_exceeds``, the share of replicates above it.
    keep_distribution : bool
        Keep the replicates in ``result.distribution``.
    batch_size, n_threads : int, optional
        Replicates per batch and threads; neither changes the result. ``n_threads`` is
        at most 4 times the cores (``utfall._core.MAX_THREADS``); pools of a given size
        are built once and reused. Ctrl-C stops any batch within a fraction of a second.
    progress : bool
        Show a progress bar when the run takes more than about a second.
    **statistic_args
        ``q=`` for ``"quantile"``, ``p=`` for ``"top share"``, or keyword arguments of a callable.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    DataError
        NaN or infinite values, fewer than two observations (or clusters) in a sample.
    SpecError
        An unknown statistic, method or rule, a statistic that does not fit the data,
        a size above its limit (``n_resamples``, ``batch_size``, ``n_threads``).

    Examples
    --------
    >>> import utfall
    >>> r = utfall.bootstrap([10, 12, 12.5, 12.5, 13.9, 15, 21, 22, 23, 34, 50, 81, 89, 121, 134, 213],
    ...                      n_resamples=2000, seed=1, progress=False)
    >>> round(r.estimate, 3)
    53.994
    >>> list(r.intervals["method"])
    ['percentile', 'basic', 'normal', 'bca']
    """
    levels, methods = confidence_levels(confidence_level), interval_methods(methods)
    if quantile_rule not in ("r", "linear"):
        raise SpecError(f"unknown quantile_rule {quantile_rule!r}; "
                        "choose 'r' (R boot, default) or 'linear' (numpy, as scipy)")
    if int(n_resamples) < 2:
        raise SpecError(f"n_resamples must be at least 2, got {n_resamples}")
    n_resamples = check_limit("n_resamples", int(n_resamples), _core.MAX_RESAMPLES)
    if batch_size is not None:
        batch_size = min(check_limit("batch_size", int(batch_size), _core.MAX_RESAMPLES), n_resamples)
    if n_threads is not None:
        n_threads = check_limit("n_threads", int(n_threads), _core.MAX_THREADS)
    if design is not None and design not in DESIGNS:
        raise SpecError(f"unknown design {design!r}; choose from {', '.join(DESIGNS)} (or leave it to be inferred)")
    seed = seed_or_new(seed)
    data, groups, strata, clusters = _label_columns(data, groups, strata, clusters)
    d = _Data(data, design, groups, clusters)
    _check_design(design, d, strata, clusters)
    strata_codes = label_codes(strata, "strata", d.n_rows)[0] if strata is not None else None
    cluster_codes = label_codes(clusters, "clusters", d.n_rows)[0] if clusters is not None else None
    design_name = design or ("clustered" if clusters is not None else "stratified" if strata is not None else d.design)
    spec: Dict[str, Any] = {
        "function": "utfall.bootstrap", "utfall_version": _core.__version__,
        "statistic": statistic if isinstance(statistic, str) else getattr(statistic, "__qualname__", repr(statistic)),
        "statistic_args": {k: v for k, v in statistic_args.items() if isinstance(v, (int, float, str, bool))},
        "design": design_name, "n_rows": d.n_rows, "columns": d.names,
        "samples": [str(s) for s in d.sample_names] or None, "strata": strata is not None,
        "clusters": clusters is not None,
        "n_resamples": n_resamples, "confidence_level": levels, "methods": methods, "quantile_rule": quantile_rule,
        "seed": seed, "data_fingerprint": d.fingerprint(strata_codes, cluster_codes),
    }
    want_variance = "studentized" in methods
    variances: Optional[np.ndarray] = None
    if callable(statistic):
        t, t0, acceleration = _run_callable(statistic, statistic_args, d, strata_codes, cluster_codes, seed,
                                            n_resamples, "bca" in methods, progress)
        variance0: Optional[float] = None
        name = spec["statistic"]
    else:
        stat = _statistic_spec(statistic, statistic_args)
        if statistic_args:
            raise SpecError(f"unexpected arguments for {statistic!r}: {sorted(statistic_args)}")
        plan = _core.BootstrapPlan(d.columns, stat, samples=d.samples, strata=strata_codes, clusters=cluster_codes)
        estimates, var0 = plan.estimate()
        t0 = estimates[0]
        want_variance = want_variance and plan.has_variance
        sorted_stat = stat[0][0] not in LINEAR
        acceleration = float("nan")
        if "bca" in methods:
            if not plan.closed_form_jackknife and plan.n_units > MAX_GENERIC_JACKKNIFE:
                raise SpecError(f"BCa for {statistic!r} needs a jackknife of O(n^2) work at n = {plan.n_units}; "
                                f"use methods without 'bca' above {MAX_GENERIC_JACKKNIFE} units")
            acceleration = plan.accelerations(n_threads)[0]
        t = np.empty(n_resamples)
        variances = np.empty(n_resamples) if want_variance else None

        def step(start: int, count: int) -> None:
            values, var = plan.run(seed, start, count, want_variance, n_threads)
            t[start:start + count] = values[:, 0]
            if variances is not None:
                variances[start:start + count] = var

        batch = int(batch_size) if batch_size else _auto_batch(d.n_rows, n_resamples, sorted_stat)
        run_batches(step, n_resamples, max(1, batch), progress, f"bootstrap {statistic}")
        variance0 = var0 if want_variance else None
        name = stat[0][0] if stat[0][0] != "quantile" else f"quantile {stat[0][1]:g}"
    return _result(t, t0, acceleration, variances, variance0, levels, methods, quantile_rule, seed, threshold,
                   keep_distribution, spec, name)


def _label_columns(data: Any, groups: Any, strata: Any, clusters: Any) -> Tuple[Any, Any, Any, Any]:
    """Label arguments given as column names of a DataFrame: taken out of the value columns."""
    names = [v for v in (groups, strata, clusters) if isinstance(v, str)]
    if not names:
        return data, groups, strata, clusters
    if type(data).__module__.startswith("polars") and hasattr(data, "columns"):
        data = to_pandas(data, "data")
    if not isinstance(data, pd.DataFrame):
        raise SpecError(f"labels given by column name ({names}) need a DataFrame as data")
    for name in names:
        if name not in data.columns:
            raise data_error("data", name, None, f"the column '{name}' is missing; the table has {list(data.columns)}")
    pick: Callable[[Any], Any] = lambda v: data[v] if isinstance(v, str) else v  # noqa: E731
    return data.drop(columns=names), pick(groups), pick(strata), pick(clusters)


def _check_design(design: Optional[str], d: _Data, strata: Any, clusters: Any) -> None:
    """An explicit ``design`` must agree with the data and labels given."""
    problem = {
        "stratified": "needs strata=" if strata is None else None,
        "clustered": "needs clusters=" if clusters is None else None,
        "paired": "needs a DataFrame or a tuple of equal-length arrays" if d.design != "paired" else None,
        "independent samples": "needs a tuple of arrays or groups=" if d.samples is None else None,
        "one sample": "needs a single array" if len(d.columns) > 1 or d.samples is not None else None,
    }.get(design or "")
    if problem:
        raise SpecError(f"design={design!r} {problem}")


def _histogram(finite: np.ndarray, t0: float) -> Any:
    """60 bins of the replicates for plotting; one bin when their range is too
    narrow for 60 finite-width bins (e.g. values a denormal apart)."""
    if not len(finite):
        return np.zeros(1), np.array([t0, t0])
    try:
        return np.histogram(finite, bins=60)
    except ValueError:
        return np.array([len(finite)]), np.array([finite.min(), finite.max()])


def _result(t: np.ndarray, t0: float, acceleration: float, variances: Optional[np.ndarray], variance0: Optional[float],
            levels: List[float], methods: List[str], rule: str, seed: int, threshold: Any, keep: bool,
            spec: Dict[str, Any], name: str) -> BootstrapResult:
    # methods and rule are validated strings (interval_methods, the quantile rule check)
    s = _core.bootstrap_summary(t, t0, acceleration, levels, methods, rule,  # type: ignore[arg-type]
                                variances, variance0)
    for w in s["warnings"]:
        _warnings.warn(w, BootstrapWarning, stacklevel=3)
    intervals = pd.DataFrame(s["intervals"], columns=["method", "level", "low", "high"])
    finite = t[np.isfinite(t)]
    histogram = _histogram(finite, t0)
    prob: Any = None
    if threshold is not None:
        thr = np.atleast_1d(np.asarray(threshold, dtype=float))
        p = np.mean(finite[:, None] > thr[None, :], axis=0)
        prob = float(p[0]) if np.ndim(threshold) == 0 else pd.Series(p, index=thr, name="prob_exceeds")
    return BootstrapResult(estimate=t0, standard_error=s["standard_error"], bias=s["bias"], intervals=intervals,
                           distribution=t if keep else None, histogram=histogram, threshold=threshold,
                           prob_exceeds=prob, seed=seed, n_resamples=len(t), acceleration=acceleration,
                           z0=s["z0"], spec=spec, warnings=s["warnings"], statistic_name=name)


def _run_callable(fn: Callable[..., Any], args: Dict[str, Any], d: _Data, strata: Optional[np.ndarray],
                  clusters: Optional[np.ndarray], seed: int, n_resamples: int, bca: bool,
                  progress: bool) -> Tuple[np.ndarray, float, float]:
    """Replicates of a Python statistic over the engine's own resamples (slow: one call each)."""
    design = _core.BootstrapDesign(d.n_rows, samples=d.samples, strata=strata, clusters=clusters)

    def call(rows: np.ndarray) -> float:
        if d.frame is not None:
            value = fn(d.frame.iloc[rows].reset_index(drop=True), **args)
        elif d.samples is not None:
            labels = d.samples[rows]
            value = fn(*[d.columns[0][rows[labels == s]] for s in range(len(d.sample_names))], **args)
        elif len(d.columns) > 1:
            value = fn(*[c[rows] for c in d.columns], **args)
        else:
            value = fn(d.columns[0][rows], **args)
        if np.ndim(value) != 0:
            raise SpecError(f"the statistic must return one number, got shape {np.shape(value)}")
        return float(value)

    all_rows = np.arange(d.n_rows)
    t0 = call(all_rows)
    t = np.empty(n_resamples)

    def step(start: int, count: int) -> None:
        for r in range(start, start + count):
            t[r] = call(design.resample_rows(seed, r).astype(np.intp))

    run_batches(step, n_resamples, 100, progress, "bootstrap (Python statistic)")
    acceleration = float("nan")
    if bca:
        rows, offsets = design.units()
        loo = np.empty(len(offsets) - 1)
        for u in range(len(loo)):
            keep = np.ones(d.n_rows, dtype=bool)
            keep[rows[offsets[u]:offsets[u + 1]]] = False
            loo[u] = call(np.flatnonzero(keep))
        acceleration = _core.jackknife_acceleration(loo, design.segments())
    return t, t0, acceleration
