"""Readable numbers for people: thousands separators, MSEK/SEK, percentages, no "-0.0".

Shared by the displays (``summary()``), the demo and the report. English uses a
comma for thousands and a point for decimals; Swedish a no-break space and a
decimal comma (as the Swedish Language Council recommends).
"""

from __future__ import annotations

import math
from typing import Any, Optional

NBSP = "\u00a0"
MSEK = 1e6


def is_number(value: Any) -> bool:
    """A finite real number (not a bool, NaN, None or text)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, decimals: int = 0, language: str = "en") -> str:
    """``value`` with thousands separators and ``decimals`` decimals; a value that rounds to zero has no sign.

    Examples
    --------
    >>> number(-1234567.891, 1), number(-0.04, 1), number(1234.5, 1, "sv").replace("\u00a0", " ")
    ('-1,234,567.9', '0.0', '1 234,5')
    """
    x = float(value)
    if round(x, decimals) == 0:
        x = 0.0
    text = f"{x:,.{decimals}f}"
    if language == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def money(value: Any, unit: str = "MSEK", decimals: Optional[int] = None, language: str = "en",
          missing: str = "n/a", suffix: bool = True) -> str:
    """An amount in SEK shown in ``unit`` ("MSEK" or "SEK"): 1 decimal for MSEK, none for SEK.

    Examples
    --------
    >>> [text.replace(NBSP, " ") for text in (money(-5288123.0), money(88131.47, "SEK"), money(float("nan")))]
    ['-5.3 MSEK', '88,131 SEK', 'n/a']
    """
    if not is_number(value):
        return missing
    scale = MSEK if unit == "MSEK" else 1.0
    places = (1 if unit == "MSEK" else 0) if decimals is None else decimals
    shown = unit if language == "en" else {"MSEK": "mnkr", "SEK": "kr"}.get(unit, unit)
    text = number(float(value) / scale, places, language)
    return f"{text}{NBSP}{shown}" if suffix else text


def percent(value: Any, decimals: int = 0, language: str = "en", missing: str = "n/a") -> str:
    """A probability or share as a percentage.

    Examples
    --------
    >>> percent(0.4567), percent(0.4567, 1, "sv").replace("\u00a0", " ")
    ('46%', '45,7 %')
    """
    if not is_number(value):
        return missing
    text = number(100 * float(value), decimals, language)
    return f"{text}{NBSP}%" if language == "sv" else f"{text}%"


def money_unit(values: Any) -> str:
    """MSEK when the largest absolute amount is at least a million, else SEK."""
    finite = [abs(float(v)) for v in values if is_number(v)]
    return "MSEK" if finite and max(finite) >= MSEK else "SEK"
