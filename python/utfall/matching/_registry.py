"""The matching methods by name, as MatchIt dispatches ``matchit2<method>``.

A new method is a module in this folder with a function ``Problem -> MatchResult``
(with ``estimands`` and ``accepts`` attributes when it offers more than the ATT or
takes the shared options), one line in :data:`METHODS` and one in
:data:`METHOD_OPTIONS`; :func:`utfall.match` and its error messages take the names
from these tables.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Callable, Dict, Tuple

from ..errors import SpecError
from ._exact import cem, exact
from ._full import full
from ._nearest import nearest
from ._optimal import optimal
from ._problem import Options, Problem
from ._result import MatchResult
from ._subclass import subclassification

METHODS: Dict[str, Callable[[Problem], MatchResult]] = {
    "nearest": nearest,
    "exact": exact,
    "cem": cem,
    "optimal": optimal,
    "full": full,
    "subclass": subclassification,
}

#: The options of :func:`utfall.match` each method uses, among those :func:`check_options`
#: checks (the shared ones: calipers, antiexact, mahvars, discard, reestimate, s_weights, are
#: declared by each method's ``accepts`` and checked in :func:`utfall.match`; the estimands by
#: its ``estimands``).
METHOD_OPTIONS: Dict[str, Tuple[str, ...]] = {
    "nearest": ("ratio", "replace", "exact", "order"),
    "exact": ("exact",),
    "cem": ("cutpoints",),
    "optimal": ("ratio", "exact"),
    "full": ("exact", "min_controls", "max_controls"),
    "subclass": ("subclass", "min_n"),
}

_CHECKED = ("ratio", "replace", "exact", "order", "cutpoints", "subclass", "min_n", "min_controls", "max_controls")


def check_options(options: Options) -> None:
    """A :class:`~utfall.SpecError` naming an option that ``options.method`` does not use."""
    used = METHOD_OPTIONS[options.method]
    defaults = {f.name: f.default for f in fields(Options) if f.name in _CHECKED}
    for name in _CHECKED:
        value = getattr(options, name)
        unset = not value if name == "exact" else value == defaults[name]
        if name not in used and not unset:
            takers = [m for m, u in METHOD_OPTIONS.items() if name in u]
            raise SpecError(f"{name}={value!r} does not apply to method={options.method!r} "
                            f"(it applies to {', '.join(map(repr, takers))})")
