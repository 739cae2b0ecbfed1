"""Seeds: one convention for drawing them and one for deriving them.

Every random procedure of utfall takes a seed and records it. A seed the
caller leaves out is drawn from the operating system's entropy by
:func:`new_seed` (63 bits, so that it is a non-negative int64 everywhere it is
stored). The seeds of the parts of an evaluation are derived from its seed by
:func:`child_seed` with a named :class:`Purpose`, so that matching at horizon
``j`` and the bootstrap of horizon ``j`` never share a stream, whatever the
thread count or the order of the work.
"""

from __future__ import annotations

import enum
from typing import Any, Optional

import numpy as np

from .errors import SpecError

#: Seeds are unsigned 64-bit integers in the core.
SEED_LIMIT = 2**64


class Purpose(enum.IntEnum):
    """What a derived seed is for (its value is the first spawn key; never renumber)."""

    MATCHING = 0
    SAVINGS_BOOTSTRAP = 1
    REMATCH = 2
    PLACEBO = 3
    PRE_PERIOD = 4
    CHANGE_SCORES = 10  # (values 3-9 left to other purposes being added on other branches)
    CONTRACT_OUTCOMES = 11
    SYNTHETIC_OUTCOMES = 12
    SOCIOECONOMIC_DRAWS = 20  # draws of the distributions of a social investment calculation


def new_seed() -> int:
    """A fresh 63-bit seed from the operating system's entropy (recorded in the result)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


def check_seed(seed: Any, name: str = "seed") -> Optional[int]:
    """``seed`` as an int in ``[0, 2**64)``, or None; anything else is a :class:`SpecError`.

    >>> check_seed(7)
    7
    >>> check_seed(2.5)
    Traceback (most recent call last):
    ...
    utfall.errors.SpecError: seed must be a whole number in [0, 2**64), not 2.5
    """
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < SEED_LIMIT:
        raise SpecError(f"{name} must be a whole number in [0, 2**64), not {seed!r}")
    return int(seed)


def seed_or_new(seed: Any, name: str = "seed") -> int:
    """The checked seed, or a new one when None."""
    checked = check_seed(seed, name)
    return new_seed() if checked is None else checked


def child_seed(seed: int, purpose: Purpose, index: int) -> int:
    """The seed of one unit of work: ``SeedSequence(seed, spawn_key=(purpose, index))``, 63 bits.

    >>> child_seed(2016, Purpose.MATCHING, 0) == child_seed(2016, Purpose.MATCHING, 0)
    True
    """
    state = np.random.SeedSequence(seed, spawn_key=(int(purpose), index)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))
