"""The sick-leave outcomes contract: absence registers, risk groups, the
trend-adjusted expected sick days and the value of the saving.

Seeds 000-002 describe a social outcomes contract for fewer short-term sick
days among municipal employees (Botkyrka and Örnsköldsvik, 44 MSEK over three
years, the providers carrying 50-75 % of the risk). This subpackage holds the
absence register (:class:`Register`), the contract's valuation
(:func:`evaluate`, seed 001 slide 22), the value of a sick day
(:func:`value_of_a_day`) and a calibrated synthetic register
(:func:`synthetic_register`).
"""

from __future__ import annotations

from . import _audit  # noqa: F401  (registers the record check of utfall.reproduce)
from ._batch import evaluate_many
from ._demo import run_demo
from ._evaluation import SickLeaveEvaluation, evaluate
from ._register import Register
from ._synthetic import synthetic_register
from ._value import ValueOfADay, value_of_a_day

__all__ = ["Register", "SickLeaveEvaluation", "ValueOfADay", "evaluate", "evaluate_many", "run_demo",
           "synthetic_register", "value_of_a_day"]
