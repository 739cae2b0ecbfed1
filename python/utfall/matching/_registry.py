"""The matching methods by name, as MatchIt dispatches ``matchit2<method>``.

A new method is a module in this folder with a function ``Problem -> MatchResult``
and one line here; :func:`utfall.match` and its error message take the names from
this table.
"""

from __future__ import annotations

from typing import Callable, Dict

from ._exact import cem, exact
from ._nearest import nearest
from ._problem import Problem
from ._result import MatchResult

METHODS: Dict[str, Callable[[Problem], MatchResult]] = {
    "nearest": nearest,
    "exact": exact,
    "cem": cem,
}
