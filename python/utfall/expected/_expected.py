"""Expected outcome parts per participant, computed by the core (``src/expected/``).

See :mod:`utfall.expected` for the formula; this module only lays out the
comparison sets and the requests for the core and names the results.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
import pandas as pd

from .. import _core
from ._comparison import Comparison, part_columns


def expected_values(cohort, comparison: Comparison, horizon: str, full: pd.DataFrame, parts: list,
                    participants: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected outcome parts (and total, last column) of each participant.

    ``full`` is ``cohort.costs(horizon)``; ``participants`` the cohort positions.
    Returns ``(expected, n_comparison, comparison_ids)``; rows without
    comparison individuals are NaN with ``n_comparison`` 0.
    """
    offsets, members, set_of = comparison.sets(participants, len(cohort))
    complete = full["complete"].to_numpy(bool)[participants]
    observed = full["days_observed"].to_numpy().astype(np.int32)[participants]
    expected = _core.set_means(cohort._core, horizon, offsets, members, None, set_of, complete, observed,
                               np.asarray(part_columns(cohort, parts), dtype=np.int64))
    sizes = np.diff(offsets)[set_of]
    member_ids = cohort.ids[members].to_numpy()
    comparison_ids = np.empty(len(participants), dtype=object)
    for r, s in enumerate(set_of):
        comparison_ids[r] = tuple(member_ids[offsets[s]:offsets[s + 1]])
    return expected, sizes.astype(np.int64), comparison_ids
