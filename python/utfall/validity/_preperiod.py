"""The pre-period check: participants against their comparison individuals before the index date."""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np
import pandas as pd

from .. import expected as ex
from .._seeds import Purpose, child_seed
from ..errors import SpecError
from ..resampling import bootstrap
from ._sets import needs_cohort


def _prior_columns(parts: List[str]) -> List[str]:
    """The history columns of the outcome parts (``cost_HVB`` -> ``prior_cost_HVB``)."""
    return [f"prior_{p}" for p in parts]


def pre_period(evaluation: Any, lookback: Any = "2y", horizon: Optional[str] = None, *, cohort: Any = None,
               n_resamples: int = 2000, confidence_level: float = 0.95) -> pd.DataFrame:
    """Participants against their comparison individuals on the outcome in the lookback
    before each own index date (the matched "pre-trend"), with a bootstrap interval.

    Parameters
    ----------
    evaluation : Evaluation
        With comparison sets (matched, given pairs or strata).
    lookback : str
        The pre-period ``[index - lookback, index)`` of each individual.
    horizon : str, optional
        Whose comparison sets to use (default: every horizon of the evaluation).
    n_resamples, confidence_level
        The BCa interval of the summed differences, participants (with their sets) resampled.

    Returns
    -------
    pandas.DataFrame
        Per horizon: ``pre_participants`` and ``pre_comparison`` (totals over the
        participants of their own and their comparison individuals' mean outcome before
        index), ``pre_difference`` = comparison - participants (same sign as savings),
        ``pre_low``, ``pre_high``, ``pre_percent`` (of the comparison total). An interval
        away from 0 is a warning sign: the groups differed before the intervention
        (unless the outcome's history was a matching covariate, which makes it small by
        construction).

    Examples
    --------
    >>> import utfall
    >>> c = utfall.synthetic.register(n_participants=30, n_historical=200, seed=3)
    >>> ev = utfall.evaluate(c, {"covariates": ["age", "sex"]}, horizons=["2y"], bootstrap=False, seed=3,
    ...                      progress=False)
    >>> list(utfall.validity.pre_period(ev, n_resamples=200).columns)[:3]
    ['lookback', 'pre_participants', 'pre_comparison']
    """
    cohort = needs_cohort(evaluation, cohort, "pre_period")
    spec = evaluation.spec
    parts = ex.outcome_parts(cohort, spec["outcome"], spec["care_types"])
    history = cohort.history(lookback)
    missing = [c for c in _prior_columns(parts) if c not in history.columns]
    if missing:
        raise SpecError(f"pre_period: the history has no columns {missing}")
    prior = history[_prior_columns(parts)].to_numpy(np.float64).sum(axis=1)
    participants = np.flatnonzero(cohort.participants)
    rows = []
    horizons = evaluation.horizons if horizon is None else [horizon]
    for j, h in enumerate(horizons):
        comparison = evaluation.comparisons.get(h)
        if comparison is None or comparison.estimator not in ("matched", "given", "stratum"):
            raise SpecError(f"pre_period: the evaluation at {h} has no comparison sets (estimator "
                            f"{spec['matching'].get('estimator')!r})")
        offsets, members, set_of = comparison.sets(participants, len(cohort))
        sums = np.add.reduceat(prior[members], offsets[:-1]) if len(members) else np.zeros(len(offsets) - 1)
        sizes = np.diff(offsets)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.nan)
        table = evaluation.individuals[evaluation.individuals["horizon"] == h]
        included = table["included"].to_numpy(bool)
        own, comp = prior[participants][included], means[set_of][included]
        d = comp - own
        row = {"horizon": h, "lookback": str(lookback), "pre_participants": float(own.sum()),
               "pre_comparison": float(comp.sum()), "pre_difference": float(d.sum()),
               "pre_percent": float(100 * d.sum() / comp.sum()) if comp.sum() else np.nan,
               "pre_low": np.nan, "pre_high": np.nan}
        if len(d) >= 2 and np.ptp(d) > 0:
            r = bootstrap(d, "sum", n_resamples=int(n_resamples), confidence_level=confidence_level, methods=("bca",),
                          seed=child_seed(evaluation.seed, Purpose.PRE_PERIOD, j), progress=False)
            iv = r.intervals.iloc[0]
            row["pre_low"], row["pre_high"] = float(iv["low"]), float(iv["high"])
        rows.append(row)
    return pd.DataFrame(rows).set_index("horizon")
