"""Expected outcomes per participant from comparison individuals over aligned windows.

A :class:`Comparison` says who is compared with whom at one horizon (matched
sets, given pairs or exact strata); :func:`expected_values` averages the
comparison individuals' outcomes over windows aligned on each participant's
own index date and truncated to its observed follow-up; :func:`curves` gives
the cumulative expected and actual outcome month by month.
"""

from ._comparison import (
    Comparison,
    eligible_positions,
    index_days,
    matched,
    outcome_parts,
    part_columns,
    sets_from_pairs,
    strata,
)
from ._expected import expected_values
from ._trajectory import curves, month_count, month_ends, payback_month

__all__ = [
    "Comparison",
    "curves",
    "eligible_positions",
    "expected_values",
    "index_days",
    "matched",
    "month_count",
    "month_ends",
    "outcome_parts",
    "part_columns",
    "payback_month",
    "sets_from_pairs",
    "strata",
]
