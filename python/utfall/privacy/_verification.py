"""What a check of a shared record verified, and what it could not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List


@dataclass
class Verification:
    """The outcome of checking a record that could not be re-run in full (an aggregate record without the key).

    Attributes
    ----------
    verified : list of str
        What was checked and held, one sentence each.
    not_verified : list of str
        What could not be checked, and what it would need.
    evaluation : Evaluation or None
        The re-run on the register, when one was possible.

    A number that did not hold is never listed: it raises a :class:`~utfall.ReproductionError`.
    """

    verified: List[str] = field(default_factory=list)
    not_verified: List[str] = field(default_factory=list)
    evaluation: Any = None

    @property
    def complete(self) -> bool:
        """Whether nothing was left unverified."""
        return not self.not_verified

    def __repr__(self) -> str:
        lines = ["Verification(", "  verified:"] + [f"    - {v}" for v in self.verified]
        lines += ["  not verified:"] + [f"    - {v}" for v in self.not_verified] + [")"]
        return "\n".join(lines)
