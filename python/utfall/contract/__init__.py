"""Settling an outcomes contract: change scores, the payment mechanism, and payment under uncertainty.

- :func:`change_scores` (also ``utfall.change_scores``): individual change scores
  of outcomes measured before and after, their counts by status and reason, the
  net sum, the sign and signed-rank tests and a bootstrap interval of the sum.
"""

from ._change_result import ChangeScores, MeasureResult
from ._change_scores import change_scores

__all__ = ["ChangeScores", "MeasureResult", "change_scores"]
