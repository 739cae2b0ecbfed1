"""The outcome evaluation: actual against expected, per participant and horizon.

:func:`evaluate` is the one reproducible call behind a contract's payment:
for each horizon it compares every participant's actual outcome over
``[index, index + horizon)`` with the outcome expected from historical
comparison individuals over their own aligned windows (see
:mod:`utfall.expected`), sums the savings, puts bootstrap intervals on them
(:mod:`utfall.evaluation._intervals`) and follows the cumulative curves month by month
(:func:`utfall.expected.curves`). The result, an :class:`Evaluation`, records its
full specification, seed, utfall version and input fingerprints, so that
:func:`utfall.reproduce` can re-run it digit for digit.

Savings are ``expected - actual`` (positive: the participants cost less than
expected). For the Norrköping contract at 2 years: expected 101.6 MSEK, actual
109.1 MSEK, savings -7.5 MSEK against an intervention cost of 7.5 MSEK, so the
break-even actual cost was 101.6 - 7.5 = 94.1 MSEK.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from .._core import __version__
from .._seeds import Purpose, child_seed
from . import _intervals as intervals
from ._engine import run
from ._result import Evaluation
from ._spec import make_spec


def evaluate(cohort, matching: Any = None, horizons: Sequence = ("2y", "3y"), outcome: str = "cost",
             care_types: Optional[Sequence[str]] = None, intervention_cost: Any = None, bootstrap: Any = True,
             seed: Optional[int] = None, *, partial: str = "observed", n_threads: Optional[int] = None,
             progress: bool = True) -> Evaluation:
    """Actual against expected outcome per participant, at each horizon.

    Parameters
    ----------
    cohort : Cohort
    matching : dict or DataFrame
        How expected outcomes are estimated. A dict of :func:`utfall.match`
        arguments (``{"covariates": [...], "ratio": 1, ...}``): matching is
        redone at each horizon on the pool eligible there; ``{"estimator":
        "stratum", "exact": [columns], "lookback": None}``: the mean over all
        eligible historical individuals in the participant's exact stratum
        (columns of ``cohort.individuals`` or ``prior_*`` of
        ``cohort.history(lookback)``); or the pairs themselves (a DataFrame
        with ``treated``, ``control``, optional ``slot``, or ``{horizon: pairs}``).
    horizons : sequence of str or int
        Follow-up lengths (``"2y"``, ``"36m"``, ``"730d"``).
    outcome : {"cost", "care_days"}
    care_types : list of str, optional
        Count only these care types (without them: every care type and, for
        cost, the ledger).
    intervention_cost : float or mapping id -> float, optional
        The cost of the intervention (a total, or per participant, summed over
        the included ones), for net savings, break-even and payback.
    bootstrap : bool, int or dict
        ``{"n_resamples": 2000, "method": "bca", "confidence_level": 0.95,
        "rematch": False}`` (an int sets n_resamples; False: no intervals).
    seed : int, optional
        The seed of everything random (drawn and recorded when None).
    partial : {"observed", "complete"}
        Participants whose horizon is not yet complete are compared over the
        window observed (``"observed"``, the result is *preliminary*) or left out.
    n_threads : int, optional
        Threads of the bootstrap engine; results do not depend on it.
    progress : bool
        Show progress bars.

    Returns
    -------
    Evaluation

    Notes
    -----
    Per participant ``i``: ``savings_i = expected_i - actual_i``; per horizon
    ``S = sum_i savings_i`` over included participants, net savings ``S - C``
    and break-even actual cost ``sum_i expected_i - C`` for intervention cost ``C``.

    Examples
    --------
    >>> import pandas as pd, utfall
    >>> people = pd.DataFrame({"id": ["p", "h1", "h2"], "group": ["participant", "historical", "historical"],
    ...                        "index_date": ["2017-01-01", "2013-01-01", "2013-06-01"], "sex": ["f", "f", "f"]})
    >>> eps = pd.DataFrame({"id": ["p", "h1", "h2"], "start": ["2017-01-01", "2013-01-01", "2013-06-01"],
    ...                     "end": ["2017-01-11", "2013-01-21", "2013-07-01"], "care_type": "HVB"})
    >>> tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [1000.0]})
    >>> c = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")
    >>> ev = utfall.evaluate(c, {"estimator": "stratum", "exact": ["sex"]}, horizons=["1y"], bootstrap=False, seed=1)
    >>> ev.individuals.loc["p", ["actual", "expected", "savings"]].tolist()
    [10000.0, 25000.0, 15000.0]
    """
    spec = make_spec(matching, horizons, outcome, care_types, intervention_cost, bootstrap, seed, partial)
    return evaluate_spec(cohort, spec, n_threads=n_threads, progress=progress)


def evaluate_spec(cohort, spec: dict, n_threads: Optional[int] = None, progress: bool = True) -> Evaluation:
    per_horizon = run(cohort, spec, progress=progress, n_threads=n_threads)
    boot = spec["bootstrap"]
    if boot is not None:
        if boot["rematch"]:
            dists = intervals.rematch_distributions(cohort, spec, boot["n_resamples"],
                                                    child_seed(spec["seed"], Purpose.REMATCH, 0), progress)
        for j, (h, part) in enumerate(per_horizon.items()):
            cost = part["summary"]["intervention_cost"]
            cost = 0.0 if np.isnan(cost) else cost
            seed_h = child_seed(spec["seed"], Purpose.SAVINGS_BOOTSTRAP, j)
            d = part["savings"]
            if boot["rematch"]:
                low, high = intervals.percentile_interval(dists[h], boot["confidence_level"])
                finite = dists[h][np.isfinite(dists[h])]
                result = {"low": low, "high": high, "p_positive": float(np.mean(finite > 0)),
                          "p_cover": float(np.mean(finite > cost))}
                label = f"percentile {boot['confidence_level']:.0%}, rematched"
            elif len(d) >= 2:
                result = intervals.savings_interval(d, n_resamples=boot["n_resamples"],
                                                    confidence_level=boot["confidence_level"], method=boot["method"],
                                                    seed=seed_h, intervention_cost=cost, n_threads=n_threads,
                                                    progress=progress)
                label = f"{'BCa' if boot['method'] == 'bca' else boot['method']} {boot['confidence_level']:.0%}"
            else:
                continue
            s = part["summary"]
            s.update(savings_low=result["low"], savings_high=result["high"], interval=label,
                     p_savings_positive=result["p_positive"], p_savings_cover_cost=result["p_cover"])
            if len(d) >= 2:
                low, high = intervals.savings_band(part["cumulative_savings"], n_resamples=boot["n_resamples"],
                                                   confidence_level=boot["confidence_level"], seed=seed_h,
                                                   n_threads=n_threads)
                part["trajectory"]["savings_low"] = low
                part["trajectory"]["savings_high"] = high
    individuals = pd.concat([p["individuals"] for p in per_horizon.values()])
    summary = pd.DataFrame([p["summary"] for p in per_horizon.values()]).set_index("horizon")
    trajectories = {h: p["trajectory"] for h, p in per_horizon.items()}
    comparisons = {h: p["comparison"] for h, p in per_horizon.items()}
    return Evaluation(spec=spec, version=__version__, fingerprints=cohort.fingerprints(), individuals=individuals,
                      summary=summary, trajectories=trajectories, comparisons=comparisons)
