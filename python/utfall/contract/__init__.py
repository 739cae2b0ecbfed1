"""Settling an outcomes contract: change scores, the payment mechanism, and payment under uncertainty.

- :func:`change_scores` (also ``utfall.change_scores``): individual change scores
  of outcomes measured before and after, their counts by status and reason, the
  net sum, the sign and signed-rank tests and a bootstrap interval of the sum.
- :class:`Contract` (also ``utfall.Contract``): a declarative payment mechanism
  (guarantee, tranches on named metrics, caps, maximum loss, rate cards) with
  an exact JSON form and an INDIGO export; ``Contract.norrkoping()`` ships
  Norrköping's terms; :meth:`Contract.settle_values` settles on given values.
"""

from ._change_result import ChangeScores, MeasureResult
from ._change_scores import change_scores
from ._mechanism import Condition, Contract, Tranche

__all__ = ["ChangeScores", "Condition", "Contract", "MeasureResult", "Tranche", "change_scores"]
