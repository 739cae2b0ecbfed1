"""The outcome of every comparison individual of every participant, over the participant's aligned window."""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ._comparison import Comparison, part_columns


def member_values(cohort: Any, comparison: Comparison, horizon: str, full: pd.DataFrame, parts: List[str],
                  participants: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per (participant, comparison individual): ``(row, member, value)``.

    ``row`` indexes ``participants``, ``member`` is the comparison individual's cohort
    position and ``value`` its outcome total over its own window aligned on its index
    date: the whole horizon when the participant's follow-up is complete, else the
    participant's observed days (the values whose mean is the participant's expected
    outcome, see :func:`expected_values`).
    """
    offsets, members, set_of = comparison.sets(participants, len(cohort))
    sizes = np.diff(offsets)[set_of]
    row = np.repeat(np.arange(len(participants), dtype=np.int64), sizes)
    member = np.concatenate([members[offsets[s]:offsets[s + 1]] for s in set_of]) if len(set_of) else members[:0]
    member = member.astype(np.int64)
    complete = full["complete"].to_numpy(bool)[participants][row]
    observed = full["days_observed"].to_numpy().astype(np.int32)[participants][row]
    # Each (participant, member) pair as a set of one, so the core prices each window.
    single = np.arange(len(member) + 1, dtype=np.int64)
    values = _core.set_means(cohort._core, horizon, single, member, None, np.arange(len(member), dtype=np.int64),
                             complete, observed, np.asarray(part_columns(cohort, parts), dtype=np.int64))
    return row, member, values[:, -1] if len(member) else np.zeros(0)
