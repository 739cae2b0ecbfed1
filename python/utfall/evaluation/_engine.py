"""The evaluation engine: per horizon, comparison, expected and actual outcomes, summary and trajectory.

:func:`run` does the work of one evaluation without intervals; it is called
once by :func:`utfall.evaluate` and once per replicate by the rematching
bootstrap (:mod:`._intervals`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from .. import expected as ex
from .._options import options
from .._seeds import Purpose, child_seed
from ..errors import SpecError
from ._clusters import subclass_clusters
from ._notes import NO_PARTICIPANTS, horizon_notes
from ._spec import CostSpec, Spec


def run(cohort: Any, spec: Spec, progress: bool, n_threads: Optional[int]) -> Dict[str, Any]:
    """Per horizon: individuals, summary (without intervals), trajectory, savings vector."""
    parts = ex.outcome_parts(cohort, spec.outcome, None if spec.care_types is None else list(spec.care_types))
    matching = spec.matching
    history = None
    if matching.estimator == "stratum" and any(str(c).startswith("prior_") for c in matching.get("exact")):
        history = cohort.history(matching.lookback)
    participants = np.flatnonzero(cohort.participants)
    if len(participants) == 0:
        raise SpecError("the cohort has no participants to evaluate")
    out = {}
    steps = list(enumerate(spec.horizons))
    if progress and len(steps) > 1:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="horizons", leave=False, delay=1.0)  # type: ignore[assignment]  # a tqdm of the list
    for j, h in steps:
        full = cohort.costs(h)
        eligible = ex.eligible_positions(cohort, full)
        if matching.estimator == "matched":
            comparison = ex.matched(cohort, h, dict(matching.arguments),
                                    child_seed(spec.seed, Purpose.MATCHING, j), eligible, progress)
        elif matching.estimator == "given":
            comparison = ex.sets_from_pairs(cohort, pd.DataFrame(matching.get("pairs")[h]), eligible, "given", h)
        elif matching.estimator == "model":
            # The pool as one stratum: its mean curve gives the months' shape of the model's expected totals.
            stratum_of = np.full(len(cohort), -1, dtype=np.int64)
            stratum_of[np.concatenate([participants, eligible])] = 0
            comparison = ex.Comparison("stratum", stratum_of=stratum_of, members=[eligible])
        else:
            comparison = ex.strata(cohort, matching.get("exact"), matching.lookback, eligible, history)
        out[h] = _horizon(cohort, spec, h, full, comparison, parts, participants)
    return out


def _horizon(cohort: Any, spec: Spec, h: str, full: pd.DataFrame, comparison: Any, parts: List[str],
             participants: np.ndarray) -> Dict[str, Any]:
    expected, n_comparison, comparison_ids = ex.expected_values(cohort, comparison, h, full, parts, participants)
    correction, model_info = None, None
    if spec.matching.estimator == "model":
        eligible = ex.eligible_positions(cohort, full)
        prediction, model_info = ex.model_expected(cohort, spec.matching.to_json_data(), h, full, parts, participants,
                                                   eligible)
        unadjusted = expected[:, -1].copy()
        correction = prediction - unadjusted
        expected[:, :-1] = np.nan  # the model predicts the total only
        expected[:, -1] = prediction
    elif spec.adjust:
        correction = ex.bias_correction(cohort, comparison, h, full, parts, participants, list(spec.adjust),
                                        spec.matching.lookback)
        unadjusted = expected[:, -1].copy()
        expected[:, -1] = unadjusted + correction
    own = full.iloc[participants]
    actual = np.column_stack([own[parts].to_numpy(np.float64), own[parts].to_numpy(np.float64).sum(axis=1)])
    complete = own["complete"].to_numpy()
    has_comparison = n_comparison > 0
    included = has_comparison & (complete if spec.partial == "complete" else True)

    table = pd.DataFrame({"horizon": h}, index=own.index)
    for col in ("window_start", "window_end", "days_observed", "complete"):
        table[col] = own[col]
    table["included"] = included
    table["n_comparison"] = n_comparison
    table["actual"] = actual[:, -1]
    table["expected"] = expected[:, -1]
    table["savings"] = expected[:, -1] - actual[:, -1]
    if correction is not None and spec.matching.estimator != "model":
        # the parts stay unadjusted; the total carries the correction
        table["expected_unadjusted"] = unadjusted
        table["bias_correction"] = correction
    if len(parts) > 1:
        for k, name in enumerate(parts):
            table[f"actual_{name}"] = actual[:, k]
            table[f"expected_{name}"] = expected[:, k]
    table["comparison_ids"] = comparison_ids

    d = table["savings"].to_numpy()[included]
    n, n_complete, n_inc = len(participants), int(complete.sum()), int(included.sum())
    cost = _intervention_cost(spec.intervention_cost, table.index[included], table.index)
    notes = horizon_notes(table.index, n_comparison, complete, spec.partial, spec.matching.ratio)
    # Nobody included: the totals are undefined, not zero.
    exp_total = float(np.sum(table["expected"].to_numpy()[included])) if n_inc else np.nan
    act_total = float(np.sum(table["actual"].to_numpy()[included])) if n_inc else np.nan
    if n_inc == 0:
        status = NO_PARTICIPANTS
    elif n_complete == n:
        status = "final"
    elif spec.partial == "observed":
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

    months = ex.month_count(h)
    inc_pos = participants[included]
    A, E, observed = ex.curves(cohort, _restrict(comparison, inc_pos), full, parts, inc_pos, months,
                                       actual[included, -1],
                                       expected[included, -1] if correction is None else unadjusted[included])
    if correction is not None:  # spread the correction over the months in proportion to the curve
        base = unadjusted[included]
        E = E * np.where(base != 0, expected[included, -1] / np.where(base != 0, base, 1), 1.0)[:, None]
    cum_savings = E - A
    traj = pd.DataFrame({"month": np.arange(1, months + 1), "expected": E.sum(axis=0), "actual": A.sum(axis=0)})
    if n_inc == 0:
        traj[["expected", "actual"]] = np.nan
    traj["savings"] = traj["expected"] - traj["actual"]
    traj["savings_low"] = np.nan
    traj["savings_high"] = np.nan
    traj["n_observed"] = observed.sum(axis=0)
    traj = traj.set_index("month")
    if cost is not None and n_inc:
        month = ex.payback_month(traj["savings"].to_numpy(), cost)
        summary["payback_month"] = np.nan if month is None else float(month)  # NaN: not within the horizon
    return {"individuals": table, "summary": summary, "trajectory": traj, "comparison": comparison,
            "savings": d, "cumulative_savings": cum_savings, "notes": notes,
            "clusters": subclass_clusters(getattr(comparison, "match", None), table.index[included]),
            "model": None if model_info is None else (model_info, actual[:, -1], included)}


def _restrict(comparison: Any, positions: np.ndarray) -> Any:
    """The comparison of the participants at ``positions`` only (sets keep their order)."""
    if comparison.estimator == "stratum":
        return comparison
    keep = np.isin(comparison.treated, positions)
    return ex.Comparison(comparison.estimator, treated=comparison.treated[keep], control=comparison.control[keep])


def _intervention_cost(cost: Optional[CostSpec], included_ids: pd.Index,
                       participants: pd.Index) -> Optional[float]:
    if cost is None or cost.per_participant is None:
        return None if cost is None else cost.amount
    per = dict(cost.per_participant)
    missing = [i for i in included_ids if i not in per]
    if missing:
        raise SpecError(f"intervention_cost: no cost given for {len(missing)} participant(s): "
                        f"{', '.join(options.describe_id(i) for i in missing[:5])}")
    unknown = [k for k in per if k not in participants]
    if unknown:
        raise SpecError(f"intervention_cost: {len(unknown)} id(s) are not participants of the cohort: "
                        f"{', '.join(options.describe_id(i) for i in unknown[:5])}")
    return float(sum(per[i] for i in included_ids))
