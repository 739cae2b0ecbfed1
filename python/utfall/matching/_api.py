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
- ``balance()`` reproduces ``summary(m, un = TRUE)`` (see :mod:`utfall.matching._balance`).

Deliberate differences: covariates that are constant or missing raise
:class:`~utfall.DataError` (MatchIt drops constant ones silently or fails later);
a propensity model with perfect separation or an aliased column raises
:class:`~utfall.ComputationError` (glm only warns or gives an ``NA``
coefficient); ``order="random"`` uses utfall's seeded generator, not R's.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import _core, _typing
from .._frames import check_id_kinds, to_pandas
from .._options import options
from .._seeds import new_seed
from ..cohort import Cohort, horizon_text
from ..errors import ComputationError, SpecError, UtfallWarning, check_limit, data_error
from ._design import covariate_frame
from ._problem import Options, Problem
from ._registry import METHODS
from ._result import MatchResult, MatchSet

def _solve(problem: Problem) -> MatchResult:
    """Checks the units common to every method, then runs the method of the registry."""
    n, n1 = problem.n, problem.n_treated
    if n1 == 0 or n1 == n:
        missing = "treated" if n1 == 0 else "control"
        where = (" (with a cohort, the controls are the historical individuals with complete follow-up at the "
                 "horizon)") if problem.table == "individuals" else ""
        raise ComputationError(f"matching needs both groups; the {problem.table} has {n1} treated and {n - n1} "
                               f"control units: no {missing} unit to match{where}")
    check_id_kinds(problem.index, problem.table)
    if problem.index.has_duplicates:
        dup = problem.index[problem.index.duplicated()][0]
        raise data_error(problem.table, "id", int(np.flatnonzero(problem.index == dup)[1]), "duplicate id", id=dup)
    method = METHODS.get(problem.options.method)
    if method is None:
        raise SpecError(f"method must be one of {', '.join(repr(m) for m in METHODS)}, "
                        f"not {problem.options.method!r}")
    result = method(problem)
    _warn_ratio_not_filled(result, problem.options.ratio)
    return result


def _warn_ratio_not_filled(result: MatchResult, ratio: int) -> None:
    """A :class:`UtfallWarning` naming the matched treated units with fewer than ``ratio`` controls."""
    if ratio <= 1 or not len(result.pairs):
        return
    counts = result.pairs.groupby("treated", sort=False).size()
    short = counts[counts < ratio]
    if len(short):
        shown = ", ".join(options.describe_id(i) for i in short.index[:5]) + (", ..." if len(short) > 5 else "")
        warnings.warn(f"the pool cannot fill ratio={ratio}: {len(short)} matched treated unit(s) have fewer "
                      f"controls ({shown})", UtfallWarning, stacklevel=4)


def _as_list(value: Union[None, str, Iterable[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def match(data: Any, treatment: Optional[str] = None, covariates: Union[None, str, Sequence[str]] = None,
          method: str = "nearest", distance: Any = "logit", ratio: int = 1, replace: bool = False,
          caliper: Optional[float] = None, std_caliper: bool = True, exact: Union[None, str, Sequence[str]] = None,
          order: Optional[_typing.MatchOrder] = None, seed: Optional[int] = None, *, id: Optional[str] = None,
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
        seed = new_seed()
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
    options = Options(method=method, distance=distance, ratio=int(ratio), replace=bool(replace), caliper=caliper,
                      std_caliper=bool(std_caliper), exact=exact, order=order, seed=seed, cutpoints=cutpoints,
                      progress=progress)
    if isinstance(data, Cohort):
        if treatment is not None:
            raise SpecError("with a Cohort the treated are its participants; leave treatment out")
        return _match_cohort(data, covariates, horizon, lookback, person, reuse, spec, options)
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
    return _solve(Problem(frame=frame, treat=t.to_numpy(dtype=float) == 1.0, index=ids.rename("id"),
                          covariates=covariates, options=options, spec=spec, table="data"))


def _match_cohort(cohort: Any, covariates: List[str], horizon: Any, lookback: Any, person: Optional[str],
                  reuse: str, spec: Dict[str, Any], options: Options) -> Any:
    individuals = cohort.individuals.reset_index(drop=True)
    frame = covariate_frame(cohort, covariates, lookback)
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
        results[sub_spec["horizon"]] = _solve(Problem(
            frame=frame[pool].reset_index(drop=True), treat=treat[pool], index=ids.rename("id"),
            covariates=covariates, options=options, spec=sub_spec, table="individuals",
            unit_id=None if unit_id is None else unit_id[pool], discarded_ids=pd.Index(frame["id"][~pool])))
    if not isinstance(horizon, (list, tuple)):
        return next(iter(results.values()))
    return results
