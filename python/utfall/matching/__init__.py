"""Matching a comparison group to the participants, as R's MatchIt does.

:func:`match` (also ``utfall.match``) takes a DataFrame or a
:class:`~utfall.Cohort` and returns a :class:`MatchResult` (a
:class:`MatchSet` of one result per horizon for historical matching).
"""

from ._api import match
from ._design import design
from ._result import MatchResult, MatchSet

__all__ = ["MatchResult", "MatchSet", "design", "match"]
