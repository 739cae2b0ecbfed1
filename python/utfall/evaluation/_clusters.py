"""The bootstrap's clusters under full or subclass matching: the participants' subclasses.

Participants of one subclass share its controls, so the savings bootstrap resamples
whole subclasses (each contributes the sum of its participants' savings); the engine
and :meth:`Evaluation.savings_bootstrap` take the clusters from here, so both resample
the same units in the same order.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

#: The matching methods whose matched sets are subclasses sharing controls.
SUBCLASS_METHODS = ("full", "subclass")


def subclass_clusters(match: Any, ids: pd.Index) -> Optional[np.ndarray]:
    """The cluster code of each participant in ``ids`` (codes in order of first appearance)
    under full or subclass matching; None for other methods or without a match."""
    if match is None or match.subclass is None or match.spec.get("method") not in SUBCLASS_METHODS:
        return None
    codes: np.ndarray = pd.factorize(match.subclass.reindex(ids).to_numpy())[0].astype(np.int64)
    return codes
