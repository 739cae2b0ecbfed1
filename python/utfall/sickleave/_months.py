"""Calendar months as keys ``12 * year + month - 1`` (the core's ``dates::month_key``)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import pandas as pd

from ..errors import SpecError, data_error


def month_key(value: Any, table: str = "", column: str = "", row: Optional[int] = None) -> int:
    """The month of a date, a ``"2018-09"`` string or a pandas Period."""
    try:
        period = value if isinstance(value, pd.Period) else pd.Period(pd.Timestamp(value), freq="M")
    except (ValueError, TypeError) as exc:
        if table:
            raise data_error(table, column, row, f"cannot read {value!r} as a month") from None
        raise SpecError(f"cannot read {value!r} as a date or month ({exc})") from None
    if bool(pd.Series([period]).isna().iloc[0]):
        if table:
            raise data_error(table, column, row, "the month is missing")
        raise SpecError("a date is missing")
    return 12 * period.year + period.month - 1


def month_range(start: Any, end: Any) -> Tuple[int, int]:
    """First month key and number of months from the month of ``start`` to that of ``end``."""
    first, last = month_key(start), month_key(end)
    if last < first:
        raise SpecError(f"the period ends ({end}) before it starts ({start})")
    return first, last - first + 1


def period_months(first: int, n: int) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(year=first // 12, month=first % 12 + 1, freq="M"), periods=n, freq="M")


def whole_months(period: Any, name: str) -> Tuple[int, int]:
    """A period ``(first day, last day)`` that must cover whole calendar months."""
    try:
        a, b = (pd.Timestamp(p) for p in period)
    except (TypeError, ValueError):
        raise SpecError(f"{name} is a pair of dates (first day, last day), got {period!r}") from None
    if a.day != 1 or not b.is_month_end:
        raise SpecError(f"{name} {period!r} must run from the first day of a month to the last day of a month")
    return month_range(a, b)


def day_number(value: Any, name: str) -> int:
    try:
        return int((np.datetime64(pd.Timestamp(value).date(), "D")).astype(np.int64))
    except (TypeError, ValueError):
        raise SpecError(f"cannot read {name}={value!r} as a date") from None
