"""Settling an outcomes contract: change scores, the payment mechanism, and payment under uncertainty.

- :func:`change_scores` (also ``utfall.change_scores``): individual change scores
  of outcomes measured before and after, their counts by status and reason, the
  net sum, the sign and signed-rank tests and a bootstrap interval of the sum.
- :class:`Contract` (also ``utfall.Contract``): a declarative payment mechanism
  (guarantee, tranches on named metrics, caps, maximum loss, rate cards) with
  an exact JSON form and an INDIGO export; ``Contract.norrkoping()`` ships
  Norrköping's terms; :meth:`Contract.settle_values` settles on given values.
- :meth:`Contract.settle` settles on an :class:`utfall.Evaluation` (and outcome
  measures): a :class:`Settlement` with each tranche, the total, the investor's
  return, the net cost and the :class:`PaymentRisk` over the bootstrap
  replicates; ``Settlement.to_json()`` is an audit record that
  :func:`utfall.reproduce` re-checks.
"""

from ..evaluation import register_record_check
from ._change_result import ChangeScores, MeasureResult
from ._change_scores import change_scores
from ._mechanism import Condition, Contract, Tranche
from ._record import FORMATS
from ._settle import PaymentRisk
from ._settlement import Settlement

for _format, _check in FORMATS.items():
    register_record_check(_format, _check)

__all__ = ["ChangeScores", "Condition", "Contract", "MeasureResult", "PaymentRisk", "Settlement", "Tranche",
           "change_scores"]
