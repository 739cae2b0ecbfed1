"""Discount rates: a constant, a schedule per year, or HM Treasury's Green Book schedule.

The rate of year ``s`` applies between the start of year ``s`` and the start of
year ``s + 1`` (years counted from the base year, 0 = the base year), and the
discount factor of year ``t`` is

- ``timing="start"`` (the default, the Green Book's convention: year 0 is not
  discounted): ``D_t = prod_{s < t} 1 / (1 + r_s)``, so ``D_t = (1 + r)^-t`` for a constant rate;
- ``timing="end"`` (every year's flows at its end): ``D_t = prod_{s <= t} 1 / (1 + r_s)``,
  so ``D_t = (1 + r)^-(t+1)``.

The Green Book (2022, table 8) discounts at 3.5 % for years 0-30, 3.0 % for
31-75, 2.5 % for 76-125, 2.0 % for 126-200, 1.5 % for 201-300 and 1.0 % beyond:
``D_30 = 1.035^-30`` and ``D_31 = 1.035^-30 / 1.03``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Union, cast

import numpy as np

from .. import _core, _typing
from ..errors import SpecError

#: The Green Book's schedule: rate from each year on.
GREEN_BOOK: Dict[int, float] = {0: 0.035, 30: 0.030, 75: 0.025, 125: 0.020, 200: 0.015, 300: 0.010}

DiscountRate = Union[float, str, Sequence[float], Mapping[int, float]]


def rates_per_year(discount_rate: Any, n_years: int) -> List[float]:
    """The rate of each of ``n_years`` years from a constant, ``"green book"``, a
    sequence (one rate per year) or a mapping ``{first year: rate}`` (a step schedule).

    >>> rates_per_year({0: 0.035, 2: 0.03}, 4)
    [0.035, 0.035, 0.03, 0.03]
    """
    if isinstance(discount_rate, str):
        if discount_rate.strip().lower().replace("_", " ") != "green book":
            raise SpecError(f"discount_rate: unknown schedule {discount_rate!r}; give a number, one rate per "
                            "year, {first year: rate} or 'green book'")
        discount_rate = GREEN_BOOK
    if isinstance(discount_rate, Mapping):
        steps = sorted((int(k), v) for k, v in discount_rate.items())
        if not steps or steps[0][0] != 0:
            raise SpecError("discount_rate: a schedule {first year: rate} must start at year 0")
        out = []
        for t in range(n_years):
            out.append(_rate([v for k, v in steps if k <= t][-1], t))
        return out
    if np.ndim(discount_rate) == 0:
        return [_rate(discount_rate, t) for t in range(n_years)]
    rates = list(discount_rate)
    if len(rates) != n_years:
        raise SpecError(f"discount_rate: {len(rates)} rates given for {n_years} years (horizon_years)")
    return [_rate(r, t) for t, r in enumerate(rates)]


def _rate(value: Any, year: int) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SpecError(f"discount_rate of year {year} must be a number, not {value!r}")
    r = float(value)
    if not np.isfinite(r) or r <= -1.0:
        raise SpecError(f"discount_rate of year {year} is {r:g}; a discount rate must be finite and above -100 % "
                        "(-1.0)")
    return r


def factors(rates: List[float], timing: str) -> np.ndarray:
    """Discount factors (see the module docstring)."""
    return _core.discount_factors(rates, cast(_typing.DiscountTiming, timing))


def describe(discount_rate: Any) -> Union[float, str, List[float], Dict[str, float]]:
    """A JSON form of the discount rate as given."""
    if isinstance(discount_rate, str):
        return discount_rate
    if isinstance(discount_rate, Mapping):
        return {str(int(k)): float(v) for k, v in discount_rate.items()}
    if np.ndim(discount_rate) == 0:
        return float(discount_rate)
    return [float(r) for r in discount_rate]


def parse(recorded: Any) -> DiscountRate:
    """The discount rate from its JSON form."""
    if isinstance(recorded, dict):
        return {int(k): float(v) for k, v in recorded.items()}
    return recorded  # type: ignore[no-any-return]
