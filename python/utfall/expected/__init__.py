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
    part_columns,
    sets_from_pairs,
    strata,
    stratum_codes,
    stratum_columns,
)
from ._adjust import bias_correction, covariate_frame
from ._expected import expected_values
from ._members import member_values
from ._model import model_expected, model_refit_distribution
from ._outcomes import OUTCOMES, OutcomeType, outcome_parts, outcome_type
from ._trajectory import curves, month_count, month_ends, payback_month

__all__ = [
    "OUTCOMES",
    "OutcomeType",
    "outcome_type",
    "Comparison",
    "bias_correction",
    "covariate_frame",
    "curves",
    "eligible_positions",
    "expected_values",
    "index_days",
    "matched",
    "member_values",
    "model_expected",
    "model_refit_distribution",
    "month_count",
    "month_ends",
    "outcome_parts",
    "part_columns",
    "payback_month",
    "sets_from_pairs",
    "strata",
    "stratum_codes",
    "stratum_columns",
]
