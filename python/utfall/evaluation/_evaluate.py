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

from typing import Any, Mapping, Optional, Sequence, Union, cast

import numpy as np
import pandas as pd

from .._core import __version__
from .. import expected as ex
from .._seeds import Purpose, child_seed
from ..cohort import Cohort
from ..errors import SpecError
from . import _intervals as intervals
from ._engine import run
from ._notes import outside_counts, warn
from ._result import Evaluation
from ._spec import Spec, make_spec


def evaluate(cohort: Any, matching: Any = None, horizons: Sequence[str] = ("2y", "3y"), outcome: str = "cost",
             care_types: Optional[Sequence[str]] = None, intervention_cost: Any = None, bootstrap: Any = True,
             seed: Optional[int] = None, *, partial: str = "observed", adjust: Optional[Sequence[str]] = None,
             n_threads: Optional[int] = None, progress: bool = True) -> Evaluation:
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
        ``cohort.history(lookback)``); ``{"estimator": "model", "model":
        "two-part" | "tweedie", "covariates": [...], "lookback": ..., "var_power": 1.5}``:
        a GLM fitted on the eligible historical individuals predicts each
        participant's outcome (see :mod:`utfall.expected` ``model_expected``; the
        bootstrap resamples participants and the pool and refits the model in every
        replicate, percentile interval); or the pairs themselves (a DataFrame
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
    adjust : list of str, optional
        Covariates for the bias correction of matched sets (Abadie and Imbens 2011, as
        ``Matching::Match(BiasAdjust = TRUE)``, see :mod:`utfall.expected`): each
        participant's expected total is corrected by ``mu(x_i) - mean_c mu(x_c)``, ``mu``
        the weighted least-squares fit of the comparison individuals' outcomes on the
        covariates (columns of ``cohort.individuals`` or ``prior_*`` of the history over
        the matching's lookback). The parts per care type stay unadjusted; the columns
        ``expected_unadjusted`` and ``bias_correction`` show it. The bootstrap resamples
        the corrected differences (the regression is not refitted per replicate).
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
    spec = make_spec(matching, horizons, outcome, care_types, intervention_cost, bootstrap, seed, partial, adjust)
    return evaluate_spec(cohort, spec, n_threads=n_threads, progress=progress)


def evaluate_spec(cohort: Any, spec: Union[Spec, Mapping[str, Any]], n_threads: Optional[int] = None,
                  progress: bool = True) -> Evaluation:
    """The evaluation of a checked specification (a :class:`Spec` or its JSON form, as recorded)."""
    spec = Spec.from_json_data(cast(Mapping[str, Any], spec))
    if not isinstance(cohort, Cohort):
        raise SpecError(f"cohort must be a utfall.Cohort (see Cohort.from_frames), not {type(cohort).__name__}")
    per_horizon = run(cohort, spec, progress=progress, n_threads=n_threads)
    boot = spec.bootstrap
    if boot is not None:
        if boot.rematch:
            dists = intervals.rematch_distributions(cohort, spec, boot.n_resamples,
                                                    child_seed(spec.seed, Purpose.REMATCH, 0), progress)
        for j, (h, part) in enumerate(per_horizon.items()):
            cost = part["summary"]["intervention_cost"]
            cost = 0.0 if np.isnan(cost) else cost
            seed_h = child_seed(spec.seed, Purpose.SAVINGS_BOOTSTRAP, j)
            d = part["savings"]
            curves = part["cumulative_savings"]
            if part.get("clusters") is not None:
                # Full or subclass matching: resample whole subclasses (their participants share
                # controls); a subclass contributes the sum of its participants' savings.
                codes = part["clusters"]
                d = np.bincount(codes, weights=d)
                grouped = np.zeros((len(d), curves.shape[1]))
                np.add.at(grouped, codes, curves)
                curves = grouped
            method_label = "BCa" if boot.method == "bca" else boot.method
            if part.get("model") is not None:  # the model refitted in every replicate
                info, actual, included = part["model"]
                dist = ex.model_refit_distribution(spec.matching.to_json_data(), info, actual, included, h,
                                                   boot.n_resamples, seed_h)
                finite = dist[np.isfinite(dist)]
                tail = (1.0 - boot.confidence_level) / 2.0  # percentile interval, quantiles of type 7 (R's)
                low, high = (float(np.quantile(finite, tail)), float(np.quantile(finite, 1.0 - tail))) \
                    if len(finite) else (np.nan, np.nan)
                result = {"low": low, "high": high, "p_positive": float(np.mean(finite > 0)),
                          "p_cover": float(np.mean(finite > cost))}
                label = f"percentile {boot.confidence_level:.0%}, model refitted"
            elif boot.rematch:
                result = intervals.rematch_interval(
                    dists["plan"], dists[h], part["summary"]["savings_total"], j, method=boot.method,
                    confidence_level=boot.confidence_level, seed=child_seed(spec.seed, Purpose.REMATCH, 1),
                    intervention_cost=cost, progress=progress)
                label = f"{method_label} {boot.confidence_level:.0%}, rematched"
            elif len(d) >= 2:
                result = intervals.savings_interval(d, n_resamples=boot.n_resamples,
                                                    confidence_level=boot.confidence_level, method=boot.method,
                                                    seed=seed_h, intervention_cost=cost, n_threads=n_threads,
                                                    progress=progress)
                label = f"{method_label} {boot.confidence_level:.0%}"
            else:
                continue
            s = part["summary"]
            s.update(savings_low=result["low"], savings_high=result["high"], interval=label,
                     p_savings_positive=result["p_positive"], p_savings_cover_cost=result["p_cover"])
            if len(d) >= 2:
                low, high = intervals.savings_band(curves, n_resamples=boot.n_resamples,
                                                   confidence_level=boot.confidence_level, seed=seed_h,
                                                   n_threads=n_threads)
                part["trajectory"]["savings_low"] = low
                part["trajectory"]["savings_high"] = high
    individuals = pd.concat([p["individuals"] for p in per_horizon.values()])
    summary = pd.DataFrame([p["summary"] for p in per_horizon.values()]).set_index("horizon")
    trajectories = {h: p["trajectory"] for h, p in per_horizon.items()}
    comparisons = {h: p["comparison"] for h, p in per_horizon.items()}
    notes = {"outside_observation": outside_counts(cohort), "horizons": {h: p["notes"] for h, p in per_horizon.items()}}
    warn(notes, {h: p["summary"]["status"] for h, p in per_horizon.items()})
    return Evaluation(spec=spec, version=__version__, fingerprints=cohort.fingerprints(), individuals=individuals,
                      summary=summary, trajectories=trajectories, comparisons=comparisons, not_counted=notes,
                      content_fingerprints=cohort.content_fingerprints(), cohort=cohort,
                      curves={h: p["cumulative_savings"] for h, p in per_horizon.items()})
