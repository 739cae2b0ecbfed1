"""Turning a user's tables into columns the core understands.

pandas and polars DataFrames are accepted; a ``columns=`` mapping names the
user's own columns for each role, so nobody renames their register by hand.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .errors import DataError, data_error


def to_pandas(frame: Any, table: str) -> pd.DataFrame:
    """A pandas DataFrame from a pandas or polars one (or anything pandas reads)."""
    if isinstance(frame, pd.DataFrame):
        return frame
    if type(frame).__module__.startswith("polars"):
        return frame.to_pandas()
    if isinstance(frame, Mapping):
        return pd.DataFrame(dict(frame))
    raise data_error(table, "", None, f"expected a pandas or polars DataFrame, got {type(frame).__name__}")


def role_map(columns: Optional[Mapping[str, Any]], table: str) -> dict:
    """The role -> user column mapping for ``table``.

    ``columns`` may map roles directly (``{"id": "lopnr"}``, applied to every
    table that has the role) or per table (``{"episodes": {"start": "from"}}``).
    """
    if not columns:
        return {}
    flat = {k: v for k, v in columns.items() if not isinstance(v, Mapping)}
    flat.update(columns.get(table, {}) or {})
    return flat


def select(
    frame: pd.DataFrame,
    table: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    columns: Optional[Mapping[str, Any]] = None,
) -> pd.DataFrame:
    """The role columns of ``frame`` renamed to their roles; raises on a missing one."""
    mapping = role_map(columns, table)
    out = {}
    for role in list(required) + list(optional):
        name = mapping.get(role, role)
        if name in frame.columns:
            out[role] = frame[name]
        elif role in required:
            raise data_error(
                table, str(name), None,
                f"the column '{name}' (role '{role}') is missing; the table has {list(frame.columns)}; "
                f"map your own names with columns={{'{table}': {{'{role}': 'your_column'}}}}",
            )
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def days(values: pd.Series, table: str, column: str, ids: Optional[pd.Series] = None, allow_missing: bool = False) -> np.ndarray:
    """Dates as days since 1970-01-01 (int32); missing gives ``INT32_MAX`` when allowed.

    Raises :class:`DataError` naming the first row that cannot be read as a date.
    """
    series = pd.Series(values).reset_index(drop=True)
    missing = series.isna()
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
    else:
        parsed = _parse_dates(series)
    bad = parsed.isna() & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise data_error(table, column, row, f"cannot read {series.iloc[row]!r} as a date", _id_at(ids, row))
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise data_error(table, column, row, "the date is missing", _id_at(ids, row))
    out = parsed.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    out[missing.to_numpy()] = np.iinfo(np.int32).max
    return out.astype(np.int32)


def _parse_dates(series: pd.Series) -> pd.Series:
    """ISO 8601 first (fast, unambiguous); what fails is tried element by element."""
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
    retry = parsed.isna() & series.notna()
    if retry.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed[retry] = pd.to_datetime(series[retry].astype(str), errors="coerce", format="mixed")
    return parsed


def numbers(values: pd.Series, table: str, column: str, ids: Optional[pd.Series] = None) -> np.ndarray:
    """Float64 values; raises naming the first row that is not a number."""
    series = pd.Series(values).reset_index(drop=True)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise data_error(table, column, row, f"cannot read {series.iloc[row]!r} as a number", _id_at(ids, row))
    return converted.to_numpy(dtype=np.float64)


def as_labels(values: pd.Series) -> pd.Series:
    """Values as text labels. A categorical column stays categorical (with text
    categories): converting millions of rows to strings would take seconds."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.rename_categories([str(c) for c in values.cat.categories])
    return values.astype(str)


def label_codes(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """The position of each label in ``vocabulary``; -1 when it is not there."""
    index = pd.Index(list(vocabulary))
    if isinstance(values.dtype, pd.CategoricalDtype):
        mapping = np.append(index.get_indexer(values.cat.categories), -1)
        return mapping[values.cat.codes.to_numpy()]
    return index.get_indexer(values)


def _id_at(ids: Optional[pd.Series], row: int) -> Any:
    if ids is None:
        return None
    value = ids.iloc[row]
    return value.item() if hasattr(value, "item") else value


def name_row(err: DataError, tables: Mapping[str, pd.DataFrame]) -> DataError:
    """Adds the individual's id to a core :class:`DataError` that names a row."""
    table = tables.get(err.table)
    if err.row is None or table is None or "id" not in table.columns or err.row >= len(table):
        return err
    return data_error(err.table, err.column, err.row, err.problem, _id_at(table["id"], err.row))


def to_dates(days_since_epoch: np.ndarray) -> np.ndarray:
    """int days since 1970-01-01 back to ``datetime64[D]``."""
    return np.asarray(days_since_epoch).astype("datetime64[D]")
