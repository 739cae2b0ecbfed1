"""The matching methods by name, as MatchIt dispatches ``matchit2<method>``.

A new method is a module in this folder with a function ``Problem -> MatchResult``,
one line in :data:`METHODS` and one in :data:`METHOD_OPTIONS` (the options of
:func:`utfall.match` it uses); :func:`utfall.match` and its error messages take the
names from these tables.
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

#: The options each method uses, and the estimands it offers (MatchIt's).
METHOD_OPTIONS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "nearest": (("ratio", "replace", "caliper", "exact", "order"), ("ATT",)),
    "exact": (("exact",), ("ATT",)),
    "cem": (("cutpoints",), ("ATT",)),
    "optimal": (("ratio", "caliper", "exact"), ("ATT", "ATC")),
    "full": (("caliper", "exact", "min_controls", "max_controls"), ("ATT", "ATC", "ATE")),
    "subclass": (("subclass", "min_n"), ("ATT", "ATC", "ATE")),
}

#: Options checked against :data:`METHOD_OPTIONS`; the others (distance, seed, progress,
#: std_caliper) mean the same to every method or are ignored where they do not apply.
_CHECKED = ("ratio", "replace", "caliper", "exact", "order", "cutpoints", "subclass", "min_n", "min_controls",
            "max_controls")


def check_options(options: Options) -> None:
    """A :class:`~utfall.SpecError` naming an option that ``options.method`` does not use,
    or an estimand it does not offer."""
    used, estimands = METHOD_OPTIONS[options.method]
    defaults = {f.name: f.default for f in fields(Options) if f.name in _CHECKED}
    defaults["exact"] = []
    for name in _CHECKED:
        value = getattr(options, name)
        if name not in used and value != defaults[name] and not (name == "exact" and not value):
            takers = [m for m, (u, _) in METHOD_OPTIONS.items() if name in u]
            raise SpecError(f"{name}={value!r} does not apply to method={options.method!r} "
                            f"(it applies to {', '.join(map(repr, takers))})")
    if options.estimand not in estimands:
        raise SpecError(f"estimand must be one of {', '.join(map(repr, estimands))} with "
                        f"method={options.method!r}, not {options.estimand!r}")
