"""The outcome evaluation: actual against expected, per participant and horizon.

Imports run one way: ``_spec`` (the checked specification) -> ``_engine`` (one
evaluation without intervals) -> ``_intervals`` (bootstrap of the savings) ->
``_evaluate`` (:func:`evaluate`) -> ``_result`` (:class:`Evaluation`, with the
record of ``_record``) -> ``_audit`` (:func:`load_evaluation`,
:func:`reproduce`) and ``_batch`` (:func:`evaluate_many`).
"""

from ._audit import load_evaluation, register_record_check, reproduce
from ._batch import evaluate_many
from ._display import SummaryFrame
from ._evaluate import evaluate
from ._result import Evaluation, provide_validity, register_reporter
from ._spec import make_spec

__all__ = ["Evaluation", "SummaryFrame", "evaluate", "evaluate_many", "load_evaluation", "make_spec",
           "provide_validity", "register_record_check", "register_reporter", "reproduce"]
