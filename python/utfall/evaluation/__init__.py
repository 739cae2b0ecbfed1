"""The outcome evaluation: actual against expected, per participant and horizon.

Imports run one way: ``_spec`` (the checked specification) -> ``_engine`` (one
evaluation without intervals) -> ``_intervals`` (bootstrap of the savings) ->
``_evaluate`` (:func:`evaluate`) -> ``_result`` (:class:`Evaluation`, with the
record of ``_record``) -> ``_audit`` (:func:`load_evaluation`,
:func:`reproduce`) and ``_batch`` (:func:`evaluate_many`).
"""

from ._audit import load_evaluation, reproduce
from ._batch import evaluate_many
from ._evaluate import evaluate
from ._result import Evaluation
from ._spec import make_spec

__all__ = ["Evaluation", "evaluate", "evaluate_many", "load_evaluation", "make_spec", "reproduce"]
