"""The arguments of the cohort's queries: dates of windows, their order, users' column names."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd

from .._frames import days, role_map
from ..errors import data_error


def as_days(dates: Any, n: int) -> np.ndarray:
    """Dates (datetime64, strings, Timestamps) or ints (days since 1970) as int32 days."""
    array = np.asarray(dates)
    if np.issubdtype(array.dtype, np.integer):
        limits = np.iinfo(np.int32)
        outside = (array < limits.min) | (array >= limits.max)
        if np.any(outside):
            row = int(np.flatnonzero(np.atleast_1d(outside))[0])
            raise data_error("window", "date", row, f"{np.atleast_1d(array)[row]} days since 1970 is not a date")
        out = array.astype(np.int32)
    else:
        out = days(pd.Series(np.atleast_1d(array)), "window", "date")
    return np.broadcast_to(out, (n,)).astype(np.int32)


def check_windows(start: np.ndarray, end: np.ndarray) -> None:
    """Raises naming the first window that ends before it starts."""
    reversed_ = np.asarray(end) < np.asarray(start)
    if reversed_.any():
        row = int(np.flatnonzero(reversed_)[0])
        raise data_error("window", "end", row, "the window ends before it starts")


def user_name(columns: Optional[Mapping[str, Any]], table: str, role: str) -> str:
    return role_map(columns, table).get(role, role)
