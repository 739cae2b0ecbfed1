"""The matched sets behind an evaluation: each participant's actual outcome and its comparison individuals'."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import pandas as pd

from .. import expected as ex
from ..errors import SpecError


def needs_cohort(evaluation: Any, cohort: Any, what: str) -> Any:
    """The cohort of ``evaluation`` (or the one given), else a SpecError naming ``what``."""
    cohort = cohort if cohort is not None else getattr(evaluation, "cohort", None)
    if cohort is None:
        raise SpecError(f"{what}: this evaluation has no cohort attached (it was loaded from a record): "
                        f"pass cohort=, or re-run it with utfall.reproduce(record, cohort)")
    return cohort


def matched_sets(evaluation: Any, horizon: str, cohort: Any = None) -> Tuple[Any, ...]:
    """``(values, ids)``: one row per included participant, its actual outcome first, then
    its comparison individuals' outcomes over the aligned windows (NaN padding), and the
    participants' ids.

    Raises
    ------
    SpecError
        An estimator without comparison sets (the model-based one) or no cohort.
    """
    cohort = needs_cohort(evaluation, cohort, "rosenbaum_bounds")
    comparison = evaluation.comparisons.get(horizon)
    if comparison is None and evaluation.spec["matching"].get("estimator") in ("matched", "given", "stratum"):
        comparison = _recorded(evaluation, horizon, cohort)
    if comparison is None or getattr(comparison, "estimator", None) not in ("matched", "given", "stratum"):
        raise SpecError(f"rosenbaum_bounds: the evaluation at {horizon} has no matched sets "
                        f"(estimator {evaluation.spec['matching'].get('estimator')!r}); Rosenbaum bounds need "
                        f"matched sets or strata")
    spec = evaluation.spec
    parts = ex.outcome_parts(cohort, spec["outcome"], spec["care_types"])
    full = cohort.costs(horizon)
    participants = np.flatnonzero(cohort.participants)
    row, _, value = ex.member_values(cohort, comparison, horizon, full, parts, participants)
    table = evaluation.individuals[evaluation.individuals["horizon"] == horizon]
    included = table["included"].to_numpy(bool)
    keep = np.flatnonzero(included)
    if len(keep) < 2:
        raise SpecError(f"rosenbaum_bounds: fewer than two participants are included at {horizon}")
    sizes = np.bincount(row, minlength=len(participants))
    width = 1 + int(sizes[keep].max())
    values = np.full((len(keep), width), np.nan)
    values[:, 0] = table["actual"].to_numpy(np.float64)[keep]
    position = np.full(len(participants), -1)
    position[keep] = np.arange(len(keep))
    slot = np.zeros(len(participants), dtype=np.int64)
    for r, v in zip(row, value):
        p = position[r]
        if p >= 0:
            slot[r] += 1
            values[p, slot[r]] = v
    return values, table.index[keep]


def _recorded(evaluation: Any, horizon: str, cohort: Any) -> Any:
    """The comparison sets of a loaded record, from its ``comparison_ids``."""
    table = evaluation.individuals[evaluation.individuals["horizon"] == horizon]
    treated, control, slot = [], [], []
    for pid, members in zip(table.index, table["comparison_ids"]):
        for k, c in enumerate(members or ()):
            treated.append(pid)
            control.append(c)
            slot.append(k)
    pairs = pd.DataFrame({"treated": treated, "control": control, "slot": slot})
    full = cohort.costs(horizon)
    return ex.sets_from_pairs(cohort, pairs, ex.eligible_positions(cohort, full), "given", horizon)


def savings_orientation(values: np.ndarray, direction: str) -> np.ndarray:
    """Outcomes oriented so that "treated higher" means the hypothesis tested:
    ``-cost`` for savings (the participant costs less), ``cost`` for overspend."""
    return np.ascontiguousarray(-values if direction == "savings" else values)


def set_sizes(values: np.ndarray) -> Optional[int]:
    """The common number of units per set, or None when sizes differ."""
    counts = np.sum(~np.isnan(values), axis=1)
    return int(counts[0]) if len(counts) and (counts == counts[0]).all() else None
