"""The report the contract parties read: one self-contained, printable HTML file per evaluation.

:func:`report` (also ``Evaluation.report``) writes it; :data:`TERMS` is the one
table of its Swedish and English labels, :func:`term` looks one up.
"""

from ..evaluation import register_reporter
from ._render import render, report
from ._terms import LANGUAGES, TERMS, term

register_reporter(report)

__all__ = ["LANGUAGES", "TERMS", "render", "report", "term"]
