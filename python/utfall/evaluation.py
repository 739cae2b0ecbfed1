"""The outcome evaluation: actual against expected, per participant and horizon.

:func:`evaluate` is the one reproducible call behind a contract's payment:
for each horizon it compares every participant's actual outcome over
``[index, index + horizon)`` with the outcome expected from historical
comparison individuals over their own aligned windows (see
:mod:`utfall.expected`), sums the savings, puts bootstrap intervals on them
(:mod:`utfall.intervals`) and follows the cumulative curves month by month
(:mod:`utfall.trajectory`). The result, an :class:`Evaluation`, records its
full specification, seed, utfall version and input fingerprints, so that
:func:`utfall.reproduce` can re-run it digit for digit.

Savings are ``expected - actual`` (positive: the participants cost less than
expected). For the Norrköping contract at 2 years: expected 101.6 MSEK, actual
109.1 MSEK, savings -7.5 MSEK against an intervention cost of 7.5 MSEK, so the
break-even actual cost was 101.6 - 7.5 = 94.1 MSEK.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import expected as ex
from . import intervals, trajectory
from .cohort import horizon_text
from .errors import SpecError
from .evaluation_result import Evaluation

DEFAULT_BOOTSTRAP = {"n_resamples": 2000, "method": "bca", "confidence_level": 0.95, "rematch": False}


def child_seed(seed: int, purpose: int, index: int) -> int:
    """The seed of one unit of work: ``SeedSequence(seed, spawn_key=(purpose, index))``, 63 bits."""
    state = np.random.SeedSequence(seed, spawn_key=(purpose, index)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def _normal_matching(matching: Any, horizons: list) -> dict:
    """The matching specification as plain JSON data with an ``estimator`` key."""
    if matching is None:
        raise SpecError("matching: give the arguments of utfall.match as a dict (e.g. {'covariates': [...]}), "
                        "{'estimator': 'stratum', 'exact': [...]}, or the pairs (a DataFrame or {horizon: pairs})")
    if isinstance(matching, str):
        if matching == "stratum":
            raise SpecError("matching: the stratum estimator needs its strata: {'estimator': 'stratum', 'exact': [columns]}")
        raise SpecError(f"matching: unknown estimator {matching!r}")
    if isinstance(matching, pd.DataFrame) or hasattr(matching, "pairs"):
        matching = {h: matching for h in horizons}
    if isinstance(matching, Mapping) and matching and all(
            isinstance(v, pd.DataFrame) or hasattr(v, "pairs") for v in matching.values()):
        pairs = {}
        for h, table in matching.items():
            table = table.pairs if hasattr(table, "pairs") else table
            cols = [c for c in ("treated", "control", "slot") if c in table.columns]
            pairs[horizon_text(h)] = {c: table[c].tolist() for c in cols}
        missing = [h for h in horizons if h not in pairs]
        if missing:
            raise SpecError(f"matching: no pairs given for horizon(s) {missing}")
        return {"estimator": "given", "pairs": pairs}
    if not isinstance(matching, Mapping):
        raise SpecError(f"matching: expected a dict or pairs, not {type(matching).__name__}")
    spec = dict(matching)
    estimator = spec.pop("estimator", None) or ("stratum" if spec.get("method") == "stratum" else "matched")
    if estimator == "stratum":
        spec.pop("method", None)
        extra = set(spec) - {"exact", "lookback"}
        if extra:
            raise SpecError(f"matching: the stratum estimator takes exact= and lookback=, not {sorted(extra)}")
        exact = spec.get("exact")
        return {"estimator": "stratum", "exact": [exact] if isinstance(exact, str) else list(exact or []),
                "lookback": spec.get("lookback")}
    if estimator != "matched":
        raise SpecError(f"matching: estimator must be 'matched' or 'stratum', not {estimator!r}")
    if "horizon" in spec:
        raise SpecError("matching: leave out horizon=; evaluate matches at each of its horizons")
    return {"estimator": "matched", **{k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.items()}}


def _normal_bootstrap(bootstrap: Any) -> Optional[dict]:
    if bootstrap is None or bootstrap is False or bootstrap == 0:
        return None
    if bootstrap is True:
        return dict(DEFAULT_BOOTSTRAP)
    if isinstance(bootstrap, (int, np.integer)):
        return dict(DEFAULT_BOOTSTRAP, n_resamples=int(bootstrap))
    if not isinstance(bootstrap, Mapping):
        raise SpecError(f"bootstrap: a number of resamples or a dict, not {bootstrap!r}")
    unknown = set(bootstrap) - set(DEFAULT_BOOTSTRAP)
    if unknown:
        raise SpecError(f"bootstrap: unknown option(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_BOOTSTRAP)}")
    spec = dict(DEFAULT_BOOTSTRAP, **bootstrap)
    if spec["method"] not in ("bca", "percentile", "basic", "normal", "studentized"):
        raise SpecError(f"bootstrap: method must be 'bca', 'percentile', 'basic', 'normal' or 'studentized', "
                        f"not {spec['method']!r}")
    if int(spec["n_resamples"]) < 2:
        raise SpecError("bootstrap: n_resamples must be at least 2")
    if not 0 < float(spec["confidence_level"]) < 1:
        raise SpecError("bootstrap: confidence_level must lie between 0 and 1")
    return {"n_resamples": int(spec["n_resamples"]), "method": spec["method"],
            "confidence_level": float(spec["confidence_level"]), "rematch": bool(spec["rematch"])}


def _normal_cost(cost: Any) -> Union[None, float, dict]:
    if cost is None:
        return None
    if isinstance(cost, (pd.Series, Mapping)):
        # Pairs, not a JSON object: ids keep their type (an int id stays an int).
        pairs = [[k.item() if hasattr(k, "item") else k, float(v)] for k, v in dict(cost).items()]
        if any(not np.isfinite(v) or v < 0 for _, v in pairs):
            raise SpecError("intervention_cost: every cost must be a non-negative number")
        return {"per_participant": pairs}
    value = float(cost)
    if not np.isfinite(value) or value < 0:
        raise SpecError(f"intervention_cost must be a non-negative number, not {cost!r}")
    return value


def make_spec(matching=None, horizons=("2y", "3y"), outcome="cost", care_types=None, intervention_cost=None,
              bootstrap=True, seed=None, partial="observed") -> dict:
    """The normalised, JSON-ready specification of an evaluation (see :func:`evaluate`)."""
    if isinstance(horizons, (str, int)):
        horizons = [horizons]
    hs = [horizon_text(h) for h in horizons]
    if not hs or len(set(hs)) != len(hs):
        raise SpecError(f"horizons: give one or more distinct horizons, not {horizons!r}")
    if partial not in ("observed", "complete"):
        raise SpecError(f"partial must be 'observed' (compare over the observed window) or 'complete' "
                        f"(complete follow-up only), not {partial!r}")
    if outcome not in ("cost", "care_days"):
        raise SpecError(f"outcome must be 'cost' or 'care_days', not {outcome!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
    match_spec, boot_spec = _normal_matching(matching, hs), _normal_bootstrap(bootstrap)
    if boot_spec is not None and boot_spec["rematch"] and match_spec["estimator"] == "given":
        raise SpecError("bootstrap: rematch=True redoes the matching, which needs matching arguments or strata, "
                        "not fixed pairs")
    return {"matching": match_spec, "horizons": hs, "outcome": outcome,
            "care_types": [care_types] if isinstance(care_types, str) else (None if care_types is None else list(care_types)),
            "intervention_cost": _normal_cost(intervention_cost), "bootstrap": boot_spec,
            "seed": int(seed), "partial": partial}


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
    return _evaluate_spec(cohort, spec, n_threads=n_threads, progress=progress)


def _evaluate_spec(cohort, spec: dict, n_threads: Optional[int] = None, progress: bool = True) -> Evaluation:
    from ._core import __version__

    per_horizon = _run(cohort, spec, progress=progress, n_threads=n_threads)
    boot = spec["bootstrap"]
    if boot is not None:
        if boot["rematch"]:
            dists = intervals.rematch_distributions(cohort, spec, boot["n_resamples"],
                                                    child_seed(spec["seed"], 2, 0), progress)
        for j, (h, part) in enumerate(per_horizon.items()):
            cost = part["summary"]["intervention_cost"]
            cost = 0.0 if np.isnan(cost) else cost
            seed_h = child_seed(spec["seed"], 1, j)
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


def _run(cohort, spec: dict, progress: bool, n_threads: Optional[int]) -> dict:
    """Per horizon: individuals, summary (without intervals), trajectory, savings vector."""
    parts = ex.outcome_parts(cohort, spec["outcome"], spec["care_types"])
    matching = spec["matching"]
    history = None
    if matching["estimator"] == "stratum" and any(str(c).startswith("prior_") for c in matching["exact"]):
        history = cohort.history(matching.get("lookback"))
    participants = np.flatnonzero(cohort.participants)
    if len(participants) == 0:
        raise SpecError("the cohort has no participants to evaluate")
    out = {}
    steps = list(enumerate(spec["horizons"]))
    if progress and len(steps) > 1:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="horizons", leave=False, delay=1.0)
    for j, h in steps:
        full = cohort.costs(h)
        eligible = ex.eligible_positions(cohort, full)
        if matching["estimator"] == "matched":
            comparison = ex.matched(cohort, h, {k: v for k, v in matching.items() if k != "estimator"},
                                    child_seed(spec["seed"], 0, j), eligible, progress)
        elif matching["estimator"] == "given":
            comparison = ex.sets_from_pairs(cohort, pd.DataFrame(matching["pairs"][h]), eligible, "given", h)
        else:
            comparison = ex.strata(cohort, matching["exact"], matching.get("lookback"), eligible, history)
        out[h] = _horizon(cohort, spec, h, full, comparison, parts, participants)
    return out


def _horizon(cohort, spec: dict, h: str, full: pd.DataFrame, comparison, parts: list, participants: np.ndarray) -> dict:
    expected, n_comparison, comparison_ids = ex.expected_values(cohort, comparison, full, parts, participants)
    own = full.iloc[participants]
    actual = np.column_stack([own[parts].to_numpy(np.float64), own[parts].to_numpy(np.float64).sum(axis=1)])
    complete = own["complete"].to_numpy()
    has_comparison = n_comparison > 0
    included = has_comparison & (complete if spec["partial"] == "complete" else True)

    table = pd.DataFrame({"horizon": h}, index=own.index)
    for col in ("window_start", "window_end", "days_observed", "complete"):
        table[col] = own[col]
    table["included"] = included
    table["n_comparison"] = n_comparison
    table["actual"] = actual[:, -1]
    table["expected"] = expected[:, -1]
    table["savings"] = expected[:, -1] - actual[:, -1]
    if len(parts) > 1:
        for k, name in enumerate(parts):
            table[f"actual_{name}"] = actual[:, k]
            table[f"expected_{name}"] = expected[:, k]
    table["comparison_ids"] = comparison_ids

    d = table["savings"].to_numpy()[included]
    n, n_complete, n_inc = len(participants), int(complete.sum()), int(included.sum())
    cost = _intervention_cost(spec["intervention_cost"], table.index[included])
    exp_total = float(np.sum(table["expected"].to_numpy()[included]))
    act_total = float(np.sum(table["actual"].to_numpy()[included]))
    if n_complete == n:
        status = "final"
    elif spec["partial"] == "observed":
        status = f"preliminary, {n_complete} of {n} complete"
    else:
        status = f"preliminary, {n_complete} of {n} complete (incomplete left out)"
    summary = {
        "horizon": h, "status": status, "n_participants": n, "n_complete": n_complete, "n_included": n_inc,
        "n_without_comparison": int((~has_comparison).sum()),
        "expected_total": exp_total, "actual_total": act_total, "savings_total": exp_total - act_total,
        "expected_mean": exp_total / n_inc if n_inc else np.nan, "actual_mean": act_total / n_inc if n_inc else np.nan,
        "savings_mean": (exp_total - act_total) / n_inc if n_inc else np.nan,
        "intervention_cost": np.nan if cost is None else cost,
        "net_savings": np.nan if cost is None else exp_total - act_total - cost,
        "break_even_actual": np.nan if cost is None else exp_total - cost,
        "savings_low": np.nan, "savings_high": np.nan, "interval": "",
        "p_savings_positive": np.nan, "p_savings_cover_cost": np.nan, "payback_month": np.nan,
    }

    months = trajectory.month_count(h)
    inc_pos = participants[included]
    A, E, observed = trajectory.curves(cohort, _restrict(comparison, inc_pos), full, parts, inc_pos, months,
                                       actual[included, -1], expected[included, -1])
    cum_savings = E - A
    traj = pd.DataFrame({"month": np.arange(1, months + 1), "expected": E.sum(axis=0), "actual": A.sum(axis=0)})
    traj["savings"] = traj["expected"] - traj["actual"]
    traj["savings_low"] = np.nan
    traj["savings_high"] = np.nan
    traj["n_observed"] = observed.sum(axis=0)
    traj = traj.set_index("month")
    if cost is not None:
        month = trajectory.payback_month(traj["savings"].to_numpy(), cost)
        summary["payback_month"] = np.nan if month is None else float(month)  # NaN: not within the horizon
    return {"individuals": table, "summary": summary, "trajectory": traj, "comparison": comparison,
            "savings": d, "cumulative_savings": cum_savings}


def _restrict(comparison, positions: np.ndarray):
    """The comparison of the participants at ``positions`` only (sets keep their order)."""
    if comparison.estimator == "stratum":
        return comparison
    keep = np.isin(comparison.treated, positions)
    return ex.Comparison(comparison.estimator, treated=comparison.treated[keep], control=comparison.control[keep])


def _intervention_cost(cost: Union[None, float, dict], included_ids: pd.Index) -> Optional[float]:
    if cost is None or isinstance(cost, float):
        return cost
    per = dict((k, v) for k, v in cost["per_participant"])
    missing = [i for i in included_ids if i not in per]
    if missing:
        raise SpecError(f"intervention_cost: no cost given for participant(s) {missing[:5]}")
    return float(sum(per[i] for i in included_ids))

