"""The outcome types an evaluation can compare, by name: which window totals they sum, their unit.

A new outcome type is one entry here (and its name in :data:`utfall._typing.Outcome`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from ..cohort import Cohort
from ..errors import SpecError


@dataclass(frozen=True)
class OutcomeType:
    """``parts(care_types, categories, all_types)``: the columns of ``Cohort.costs`` summed."""

    name: str
    unit: str
    label: str
    parts: Callable[[List[str], List[str], bool], List[str]]


def _cost_parts(types: List[str], categories: List[str], every_type: bool) -> List[str]:
    # The total cost: care of each type, plus the ledger when no care types are chosen.
    return [f"cost_{t}" for t in types] + ([f"ledger_{c}" for c in categories] if every_type else [])


OUTCOMES: Dict[str, OutcomeType] = {
    "cost": OutcomeType("cost", "SEK", "social-services cost", _cost_parts),
    "care_days": OutcomeType("care_days", "days", "care days",
                             lambda types, categories, every_type: [f"care_days_{t}" for t in types]),
}


def outcome_type(name: str) -> OutcomeType:
    """The registered outcome ``name``; a SpecError lists the known ones."""
    if name not in OUTCOMES:
        raise SpecError(f"outcome must be one of {', '.join(repr(o) for o in OUTCOMES)}, not {name!r}")
    return OUTCOMES[name]


def outcome_parts(cohort: Cohort, outcome: str, care_types: Optional[Sequence[str]]) -> List[str]:
    """The columns of :meth:`Cohort.costs` whose sum is the outcome.

    ``outcome="cost"``: the cost of each chosen care type, plus every ledger
    category when ``care_types`` is None (the total cost). ``outcome="care_days"``:
    the care days of each chosen care type.
    """
    if isinstance(care_types, str):
        care_types = [care_types]
    chosen = list(cohort.care_types) if care_types is None else list(care_types)
    unknown = [t for t in chosen if t not in cohort.care_types]
    if unknown:
        raise SpecError(f"care_types: unknown care type(s) {unknown}; the cohort has {cohort.care_types}")
    return outcome_type(outcome).parts(chosen, list(cohort.categories), care_types is None)
