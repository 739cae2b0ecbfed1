"""Matching a comparison group to the participants, as R's MatchIt 4.7 does.

:func:`match` takes a DataFrame (one row per unit) or a :class:`~utfall.Cohort`
(historical matching) and returns a :class:`MatchResult` (or a
:class:`MatchSet` with one result per follow-up horizon).

Agreement with MatchIt (``matchit(..., method = "nearest")``)
-------------------------------------------------------------
- ``distance="logit"`` (``"glm"``): the fitted probabilities of
  ``glm(treat ~ covariates, family = binomial)``, by the same IRLS iterations;
  string and categorical covariates enter as indicators of every level but the
  first (R's treatment contrasts; levels sorted as ``factor`` does). With
  ``s_weights`` the fit is weighted (MatchIt's ``quasibinomial`` glm with
  ``weights = s.weights``).
- ``distance="mahalanobis"``: covariates standardised, pooled within-group
  covariance (a generalized inverse when it is singular); ``"euclidean"``,
  ``"scaled_euclidean"`` as MatchIt's; a factor enters with every level coded
  ``1/sqrt(2)``, as MatchIt codes it; or any array of scores of your own.
- Greedy matching: focal units in ``order`` (default: ``"largest"`` score
  first for scores, ``"smallest"`` for the ATC, data order for covariate
  distances, data order always with replacement, as MatchIt) each take the
  closest available control(s); ties are resolved as MatchIt's C++ resolves
  them (by its outward walk over the units sorted by distance, equal values in
  data order). ``ratio > 1`` without replacement matches in rounds (all first
  controls, then all second ones).
- ``caliper``: a number is the score's caliper (MatchIt's unnamed entry); a
  dict adds calipers on named numeric covariates (``{"distance": 0.25, "age":
  5}`` is ``caliper = c(0.25, age = 5)``). Each entry is in standard
  deviations (``sd()`` over the units ``discard`` keeps) when its
  ``std_caliper`` is True (``std_caliper={"distance": True, "age": False}`` is
  ``std.caliper = c(TRUE, FALSE)``). A pair outside a covariate caliper is
  skipped in MatchIt's walk at the same point (after the score caliper and the
  ratio checks), so the pairs are MatchIt's.
- ``antiexact``: a pair must differ on each column (MatchIt's ``antiexact``),
  skipped in the walk like a covariate caliper.
- ``mahvars``: with a score, match on the Mahalanobis distance of these columns
  (MatchIt's pooled within-group covariance over the kept units) among the
  controls within the score caliper; the order (largest score first) and the
  caliper come from the score, and the walk is MatchIt's ``find_control_mahcovs``
  (along the first whitened column, the same stopping rule and tie rule).
- ``discard``: MatchIt's ``discard()`` on the score (``"both"``: outside
  ``[max(min_t, min_c), min(max_t, max_c)]``; ``"control"``: controls outside
  the treated range; ``"treated"``: treated outside the control range);
  discarded units stay in the walk order (so ties resolve as MatchIt's) but are
  never matched, have weight 0 and are counted in ``counts["discarded"]``.
  ``reestimate=True`` refits the propensity model on the kept units and
  replaces their scores (MatchIt's ``reestimate``).
- ``estimand="ATC"``: the controls are the focal units (each gets ``ratio``
  treated matches), as MatchIt's recoding of the treatment; weights: matched
  controls 1, treated ``sum 1/k`` rescaled to their count; the balance table
  standardises by the controls' standard deviation. ``"ATE"`` raises a
  :class:`~utfall.SpecError` (MatchIt's nearest neighbour has none).
- ``s_weights``: as MatchIt's ``s.weights``: in the propensity model, multiplied
  into every balance statistic (means, standard deviations, variance ratios,
  eCDFs) and into the effective sample sizes; ``weights`` stays the matching
  weight (``m$weights``).
- Weights (ATT): matched treated 1; a control ``sum over the treated it serves
  of 1/k``, rescaled so the control weights sum to the number of controls used.
- ``balance()`` reproduces ``summary(m, un = TRUE)`` (see
  :mod:`utfall.matching._balance`), with the antiexact, mahvars and caliper
  columns among its rows, as MatchIt's ``X``.

Deliberate differences: covariates that are constant or missing raise
:class:`~utfall.DataError` (MatchIt drops constant ones silently or fails later);
a propensity model with perfect separation or an aliased column raises
:class:`~utfall.ComputationError` (glm only warns or gives an ``NA``
coefficient); ``order="random"`` uses utfall's seeded generator, not R's.
A caliper may name only a model covariate or a ``mahvars`` column (MatchIt takes
any numeric column of ``data``): what is restricted is then also balanced and
reported. ``mahvars`` needs a score caliper (without one the score plays no part
in the matching: use ``distance="mahalanobis"``). Calipers must be positive
(MatchIt's negative calipers, "at least this far apart", are not offered), and
an antiexact column with a single level, which forbids every pair, is a
:class:`~utfall.SpecError`. MatchIt tightens the score caliper when a named
covariate is an exact affine function of the score, and walks ``mahvars`` along
a caliper covariate when one is an affine function of a ``mahvars`` column;
utfall does neither (both change only the walk order, so at most the choice
among equal distances). ``s_weights`` with a covariate distance or ``mahvars``
(MatchIt weights their covariance matrix) is a :class:`~utfall.SpecError` for
now. A ``discard`` that leaves a group empty is a :class:`~utfall.SpecError`
(MatchIt fails later). With ``estimand="ATC"`` the ``pairs`` keep their groups'
names (``treated``, ``control``), the ``slot`` counts the matches of each
control, and ``unmatched`` lists the controls without a match.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from .. import _core, _typing
from .._validation import one_of
from .._frames import first_repeated_id, to_pandas
from .._options import options
from .._seeds import new_seed
from ..cohort import Cohort, horizon_text
from ..errors import ComputationError, SpecError, UtfallWarning, check_limit, data_error
from ._design import covariate_frame
from ._problem import Options, Problem
from ._registry import METHODS, check_options
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
    if problem.table != "individuals":
        # (A cohort's ids were checked when it was built; a pool of them has no repeat.)
        row = first_repeated_id(problem.index, problem.table)  # (and one kind of id)
        if row is not None:
            raise data_error(problem.table, "id", row, "duplicate id", id=problem.index[row])
    method = METHODS.get(problem.options.method)
    if method is None:
        raise SpecError(f"method must be one of {', '.join(repr(m) for m in METHODS)}, "
                        f"not {problem.options.method!r}")
    opt = problem.options
    given = {"caliper": opt.caliper is not None or bool(opt.covariate_calipers), "antiexact": bool(opt.antiexact),
             "mahvars": bool(opt.mahvars), "discard": opt.discard != "none", "reestimate": opt.reestimate,
             "s_weights": problem.s_weights is not None}
    refused = [k for k, v in given.items() if v and k not in getattr(method, "accepts", ())]
    if refused:
        raise SpecError(f"method={opt.method!r} does not take {', '.join(r + '=' for r in refused)} "
                        f"(they apply to nearest-neighbour matching)")
    check_options(opt)
    supported = getattr(method, "estimands", ("ATT",))
    if problem.options.estimand not in supported:
        hint = " (MatchIt's nearest-neighbour matching offers no ATE: use method='full' or 'subclass')" \
            if problem.options.estimand == "ATE" and problem.options.method == "nearest" else ""
        raise SpecError(f"estimand={problem.options.estimand!r} is not offered by method="
                        f"{problem.options.method!r}, which estimates {' or '.join(supported)}{hint}")
    result = method(problem)
    _warn_ratio_not_filled(result, problem.options.ratio, problem.options.estimand)
    return result


def _warn_ratio_not_filled(result: MatchResult, ratio: int, estimand: str = "ATT") -> None:
    """A :class:`UtfallWarning` naming the matched focal units with fewer than ``ratio`` matches."""
    if ratio <= 1 or not len(result.pairs):
        return
    counts = result.pairs.groupby("control" if estimand == "ATC" else "treated", sort=False).size()
    short = counts[counts < ratio]
    if len(short):
        shown = ", ".join(options.describe_id(i) for i in short.index[:5]) + (", ..." if len(short) > 5 else "")
        warnings.warn(f"the pool cannot fill ratio={ratio}: {len(short)} matched treated unit(s) have fewer "
                      f"controls ({shown})", UtfallWarning, stacklevel=4)


def _calipers(caliper: Any, std_caliper: Any, covariates: List[str], mahvars: List[str]
              ) -> Tuple[Optional[float], bool, Dict[str, float], Dict[str, bool]]:
    """``caliper=`` and ``std_caliper=`` as (score caliper, its flag, covariate calipers, their flags)."""
    if caliper is None or isinstance(caliper, (int, float, np.integer, np.floating)) and not isinstance(caliper, bool):
        entries: Dict[str, Any] = {} if caliper is None else {"distance": caliper}
    elif isinstance(caliper, Mapping):
        entries = dict(caliper)
    else:
        raise SpecError(f"caliper must be a number (the score's) or a dict of numbers by covariate "
                        f"(key 'distance': the score), not {caliper!r}")
    for name, width in entries.items():
        if not isinstance(name, str):
            raise SpecError(f"caliper keys are covariate names or 'distance', not {name!r}")
        if name != "distance" and name not in covariates and name not in mahvars:
            raise SpecError(f"caliper on {name!r}: not a covariate of the model (covariates: {covariates}"
                            + (f", mahvars: {mahvars}" if mahvars else "") + ")")
        if isinstance(width, bool) or not isinstance(width, (int, float, np.integer, np.floating)) \
                or not np.isfinite(width) or not width > 0:
            raise SpecError(f"caliper on {name!r} must be a positive number, got {width!r}")
    if isinstance(std_caliper, (bool, np.bool_)):
        flags = {k: bool(std_caliper) for k in entries}
    elif isinstance(std_caliper, Mapping):
        for k, v in std_caliper.items():
            if k not in entries:
                raise SpecError(f"std_caliper key {k!r} has no caliper (caliper keys: {list(entries)})")
            if not isinstance(v, (bool, np.bool_)):
                raise SpecError(f"std_caliper[{k!r}] must be True or False, not {v!r}")
        flags = {k: bool(std_caliper.get(k, True)) for k in entries}
    else:
        raise SpecError(f"std_caliper must be True/False or a dict of them by caliper key, not {std_caliper!r}")
    score = entries.pop("distance", None)
    return (None if score is None else float(score), flags.pop("distance", True),
            {k: float(v) for k, v in entries.items()}, flags)


def _sampling_weights(s_weights: Any, frame: pd.DataFrame, table: str, ids: pd.Index) -> Optional[np.ndarray]:
    """``s_weights=`` (a column name or one number per row) as a checked float array."""
    if s_weights is None:
        return None
    if isinstance(s_weights, str):
        if s_weights not in frame.columns:
            raise SpecError(f"s_weights={s_weights!r} is not a column of the {table}")
        column, values = s_weights, frame[s_weights]
        if values.dtype.kind not in "fiu":
            raise data_error(table, column, None, f"sampling weights must be numbers, got {values.dtype}")
        w = values.to_numpy(dtype=float)
    else:
        column = "s_weights"
        w = np.asarray(s_weights, dtype=float)
        if w.shape != (len(frame),):
            raise SpecError(f"s_weights needs one value per row ({len(frame)}), got shape {w.shape}")
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise data_error(table, column, row, f"a sampling weight must be a non-negative number, got {w[row]}",
                         id=ids[row])
    if not (w > 0).any():
        raise data_error(table, column, None, "every sampling weight is zero")
    return np.ascontiguousarray(w)


def _as_list(value: Union[None, str, Iterable[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def match(data: Any, treatment: Optional[str] = None, covariates: Union[None, str, Sequence[str]] = None,
          method: str = "nearest", distance: Any = "logit", ratio: int = 1, replace: bool = False,
          caliper: Union[None, float, Mapping[str, float]] = None,
          std_caliper: Union[bool, Mapping[str, bool]] = True, exact: Union[None, str, Sequence[str]] = None,
          order: Optional[_typing.MatchOrder] = None, seed: Optional[int] = None, *, id: Optional[str] = None,
          horizon: Any = None, lookback: Any = None, person: Optional[str] = None, reuse: str = "allowed",
          cutpoints: Optional[Mapping[str, Any]] = None, progress: bool = True,
          antiexact: Union[None, str, Sequence[str]] = None, mahvars: Union[None, str, Sequence[str]] = None,
          discard: str = "none", reestimate: bool = False, estimand: _typing.Estimand = "ATT",
          s_weights: Any = None, subclass: Optional[int] = None, min_n: Optional[int] = None,
          min_controls: Optional[float] = None, max_controls: Optional[float] = None) -> Any:
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
    method : {"nearest", "exact", "cem", "optimal", "full", "subclass"}
        Nearest neighbour; exact matching on ``exact`` (or the covariates);
        coarsened exact matching on the covariates (numeric columns cut into
        ``ceil(log2(n) + 1)`` equal-width bins (Sturges) unless ``cutpoints``
        gives a number of bins or the inner cut points per column); optimal
        pair or k:1 matching (least total distance, :mod:`._optimal`); full
        matching (:mod:`._full`); subclassification on the score (:mod:`._subclass`).
    distance : {"logit", "glm", "mahalanobis", "euclidean", "scaled_euclidean"} or array
        The propensity score (``glm`` logit), a covariate distance, or your own score.
    ratio : int
        Controls per treated unit (k:1), at most 1,000 (``utfall._core.MAX_RATIO``).
    replace : bool
        Whether a control may serve several treated units.
    caliper : float or dict, optional
        Largest allowed score difference, in standard deviations of the score
        over the units kept by ``discard`` when ``std_caliper`` (MatchIt's
        default) or on the score's scale. A dict sets calipers per covariate
        too: the key ``"distance"`` is the score's caliper, any other key a
        numeric model covariate (or ``mahvars`` column) whose absolute
        difference within a pair may not exceed it. MatchIt's ``caliper =
        c(0.25, age = 5), std.caliper = c(TRUE, FALSE)`` is
        ``caliper={"distance": 0.25, "age": 5}, std_caliper={"distance": True, "age": False}``.
    std_caliper : bool or dict
        Whether a caliper is in standard deviations; one flag for all entries or
        one per ``caliper`` key (missing keys: True, MatchIt's default).
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
    antiexact : str or list of str, optional
        Columns on which a control must *differ* from its treated unit.
    mahvars : str or list of str, optional
        Match on the Mahalanobis distance of these columns among the controls
        within the score caliper (the score is still estimated on
        ``covariates`` and gives the caliper, the common support and the
        matching order); needs ``caliper={"distance": ...}``.
    discard : {"none", "treated", "control", "both"}
        Drop units outside the common support of the score before matching
        (MatchIt's rule: outside the range of the other group's scores, or of
        the overlap for ``"both"``); reported in ``counts["discarded"]``.
    reestimate : bool
        With ``discard``: fit the propensity model again on the kept units.
    estimand : {"ATT", "ATC"}
        The focal group matched to: the treated (ATT) or the controls (ATC,
        each control gets treated matches; default order then ``"smallest"``).
        Nearest-neighbour matching has no ATE (a :class:`~utfall.SpecError`).
    s_weights : str or array, optional
        Sampling weights: a column name or one non-negative number per unit.
        The propensity model is weighted by them and every balance statistic
        and effective sample size multiplies them into the matching weights;
        ``weights`` stays MatchIt's matching weight (as ``m$weights``).
    subclass, min_n : int, optional
        ``method="subclass"``: the number of subclasses (MatchIt's default 6)
        and the least number of units of each group in a subclass (default 1).
    min_controls, max_controls : float, optional
        ``method="full"``: the least and most controls per treated unit in a
        subclass (MatchIt's defaults 0 and infinity; below 1: treated per control).
        Optimal matching offers the ATT and ATC, full and subclass the ATE too.

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
    antiexact_cols, mahvars_cols = _as_list(antiexact), _as_list(mahvars)
    score_caliper, score_std, cov_calipers, cov_std = _calipers(caliper, std_caliper, covariates, mahvars_cols)
    one_of(discard, _typing.Discard, "discard")
    one_of(estimand, _typing.Estimand, "estimand")
    if not isinstance(reestimate, (bool, np.bool_)):
        raise SpecError(f"reestimate must be True or False, not {reestimate!r}")
    for name in mahvars_cols:
        if name in exact:
            raise SpecError(f"mahvars column {name!r} is also an exact column")
    if mahvars_cols and score_caliper is None:
        raise SpecError("mahvars= matches on Mahalanobis distance among the controls within the score caliper; "
                        "give one with caliper={'distance': ...} (without a caliper use distance='mahalanobis')")
    if seed is None and order == "random":
        # Draw one and record it, so that the random order can be repeated.
        seed = new_seed()
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SpecError(f"seed must be a non-negative integer, not {seed!r}")
    spec = {"method": method, "distance": distance if isinstance(distance, str) else "user",
            "covariates": covariates, "ratio": int(ratio), "replace": bool(replace),
            "caliper": score_caliper if not cov_calipers else {**({"distance": score_caliper}
                                                                  if score_caliper is not None else {}),
                                                               **cov_calipers},
            "std_caliper": score_std if not cov_calipers else {**({"distance": score_std}
                                                                  if score_caliper is not None else {}),
                                                               **cov_std},
            "exact": exact, "order": order,
            "antiexact": antiexact_cols, "mahvars": mahvars_cols, "discard": discard,
            "reestimate": bool(reestimate), "estimand": estimand,
            "s_weights": s_weights if isinstance(s_weights, str) or s_weights is None else "given",
            "seed": None if seed is None else int(seed),
            "cutpoints": {k: (v if isinstance(v, (int, np.integer)) else list(map(float, v)))
                          for k, v in (cutpoints or {}).items()},
            "version": _core.__version__}
    options = Options(method=method, distance=distance, ratio=int(ratio), replace=bool(replace),
                      caliper=score_caliper, std_caliper=score_std, exact=exact, order=order, seed=seed,
                      cutpoints=cutpoints, progress=progress, covariate_calipers=cov_calipers,
                      covariate_std_caliper=cov_std, antiexact=antiexact_cols, mahvars=mahvars_cols,
                      discard=discard, reestimate=bool(reestimate), estimand=estimand, subclass=subclass,
                      min_n=min_n, min_controls=min_controls, max_controls=max_controls)
    for name, value in (("subclass", subclass), ("min_n", min_n), ("min_controls", min_controls),
                        ("max_controls", max_controls)):
        if value is not None:
            spec[name] = value
    if isinstance(data, Cohort):
        if treatment is not None:
            raise SpecError("with a Cohort the treated are its participants; leave treatment out")
        return _match_cohort(data, covariates, horizon, lookback, person, reuse, spec, options, s_weights)
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
    treated = None if numbers is None else numbers == 1.0
    # (Every value 0 or 1: the ones and the zeros count up to all of them.)
    if treated is None or np.count_nonzero(treated) + np.count_nonzero(numbers == 0.0) != len(treated):
        if t.isna().any():
            row = int(np.flatnonzero(t.isna().to_numpy())[0])
            raise data_error("data", treatment, row, "missing treatment")
        values = set(pd.unique(t.astype(float)))
        if not values <= {0.0, 1.0}:
            raise data_error("data", treatment, None,
                             f"the treatment must be 0/1 or boolean, found {sorted(values)}")
        treated = t.to_numpy(dtype=float) == 1.0
    spec.update(treatment=treatment, id=id_col)
    return _solve(Problem(frame=frame, treat=treated, index=ids.rename("id"),
                          covariates=covariates, options=options, spec=spec, table="data",
                          s_weights=_sampling_weights(s_weights, frame, "data", ids)))


def _match_cohort(cohort: Any, covariates: List[str], horizon: Any, lookback: Any, person: Optional[str],
                  reuse: str, spec: Dict[str, Any], options: Options, s_weights: Any = None) -> Any:
    individuals = cohort.individuals.reset_index(drop=True)
    extra = [c for c in options.mahvars + list(options.covariate_calipers) + options.antiexact if c not in covariates]
    frame = covariate_frame(cohort, covariates + extra, lookback)
    weights = _sampling_weights(s_weights, frame, "individuals", pd.Index(frame["id"]))
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
            unit_id=None if unit_id is None else unit_id[pool], discarded_ids=pd.Index(frame["id"][~pool]),
            s_weights=None if weights is None else weights[pool]))
    if not isinstance(horizon, (list, tuple)):
        return next(iter(results.values()))
    return results
