"""Turning a user's tables into columns the core understands.

pandas and polars DataFrames are accepted; a ``columns=`` mapping names the
user's own columns for each role, so nobody renames their register by hand.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._arrow import optional_arrow
from ._options import options
from .errors import DataError, SpecError, data_error


def to_pandas(frame: Any, table: str) -> pd.DataFrame:
    """A pandas DataFrame from a pandas one, an Arrow one (pyarrow, polars: :mod:`utfall._arrow`), a Parquet
    path, or a mapping of columns."""
    arrow = optional_arrow(frame, table)
    if arrow is not None:
        return arrow
    if isinstance(frame, pd.DataFrame):
        return frame
    if isinstance(frame, Mapping):
        return pd.DataFrame(dict(frame))
    raise data_error(table, "", None, "expected a pandas, polars or pyarrow table or a Parquet path, got "
                     f"{type(frame).__name__}")


def role_map(columns: Optional[Mapping[str, Any]], table: str) -> Dict[str, Any]:
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
    # copy=False: the columns stay separate blocks (consolidating them would copy every one).
    return pd.DataFrame(out, index=frame.index, copy=False).reset_index(drop=True)


#: The marker of an open end ("no end") in registers: an episode end or an end of data of 9999-12-31.
OPEN_END = _dt.date(9999, 12, 31)
#: The core's day number of a missing date (an ongoing episode, an unknown end of data).
MISSING_DAY = int(np.iinfo(np.int32).max)
_EPOCH = _dt.date(1970, 1, 1).toordinal()
#: Day numbers (since 1970-01-01) of 0001-01-01 and 9999-12-31: the range of every date at the boundary.
FIRST_DAY, LAST_DAY = _dt.date.min.toordinal() - _EPOCH, _dt.date.max.toordinal() - _EPOCH
_ISO = "ISO 8601 (YYYY-MM-DD)"

DateFormat = Union[None, str, Mapping[str, Any]]


def date_format_for(date_format: DateFormat, table: str, column: str) -> Optional[str]:
    """The format of one column: ``date_format`` is one format for every table, or
    ``{table: format}``, or ``{table: {column: format}}`` (None: ISO 8601)."""
    if date_format is None or isinstance(date_format, str):
        return date_format
    if not isinstance(date_format, Mapping):
        raise SpecError(f"date_format must be a strptime format such as '%d/%m/%Y', {{table: format}} or "
                        f"{{table: {{column: format}}}}, not {date_format!r}")
    chosen = date_format.get(table)
    if isinstance(chosen, Mapping):
        chosen = chosen.get(column)
    if chosen is not None and not isinstance(chosen, str):
        raise SpecError(f"date_format for table '{table}', column '{column}' must be a strptime format, not {chosen!r}")
    return chosen


def days(values: Any, table: str, column: str, ids: Optional[pd.Series] = None, allow_missing: bool = False,
         date_format: Optional[str] = None, open_end: bool = False) -> np.ndarray:
    """Dates as days since 1970-01-01 (int32): the one conversion of every date at the boundary.

    Exact for years 1 to 9999 whatever the input: ``datetime64`` of any unit
    (never through pandas' nanosecond Timestamps, which wrap after 2262), Python
    dates and datetimes, Timestamps, and strings. A timezone-aware value is the
    calendar date in its own time zone (a Stockholm midnight stays that day).
    Strings are read with one format for the whole column: ISO 8601 by default,
    else the ``strptime`` ``date_format``; a value that does not fit is a
    :class:`DataError` naming its row, never a guess. A number is not a date.
    With ``open_end``, the marker 9999-12-31 (:data:`OPEN_END`) means "no end"
    and is read as missing. A missing date gives :data:`MISSING_DAY` when
    ``allow_missing``, else a :class:`DataError`.
    """
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    where = (table, column, ids)
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = days(pd.Series(series.cat.categories.to_numpy(dtype=object), dtype=object), table, column,
                          None, True, date_format, open_end)
        codes = series.cat.codes.to_numpy()
        out = np.where(codes >= 0, categories[np.maximum(codes, 0)], MISSING_DAY).astype(np.int64)
    elif isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series.dtype):
        # (A zoned value's local wall-clock time, whose date is the calendar date in its zone.)
        ticks = (series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series).to_numpy()
        fast = _ticks_days(ticks, where, allow_missing, open_end, series)
        if fast is not None:
            return fast
        out = _datetime64_days(ticks, where)
    elif pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        row = int(np.flatnonzero(series.notna().to_numpy())[0]) if series.notna().any() else None
        if row is None:
            out = np.full(len(series), MISSING_DAY, dtype=np.int64)
        else:
            raise data_error(table, column, row, f"{series.iloc[row]!r} is a number, not a date; give dates or "
                             f"strings in {_ISO if date_format is None else repr(date_format)}", _id_at(ids, row))
    else:
        uniques: Union[pd.Index, np.ndarray]
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        except TypeError:  # unhashable values (lists, dicts): each is its own, and none is a date
            present = ~series.isna().to_numpy()
            codes = np.where(present, np.cumsum(present) - 1, -1)
            uniques = series.to_numpy(dtype=object)[present]
        parsed = np.array([_day_of(v, date_format) for v in uniques], dtype=np.int64)
        if (parsed == _BAD).any():
            row = int(np.flatnonzero(codes == np.flatnonzero(parsed == _BAD)[0])[0])
            raise data_error(table, column, row, _unreadable(series.iloc[row], date_format, table, column),
                             _id_at(ids, row))
        out = np.where(codes >= 0, parsed[np.maximum(codes, 0)] if len(parsed) else MISSING_DAY, MISSING_DAY)
    out = np.asarray(out, dtype=np.int64)
    if open_end:
        out[out == OPEN_END.toordinal() - _EPOCH] = MISSING_DAY
    missing = out == MISSING_DAY
    if missing.any() and not allow_missing:
        _missing_error(series, int(np.flatnonzero(missing)[0]), where, open_end)
    return out.astype(np.int32)


def _missing_error(series: pd.Series, row: int, where: Tuple[Any, ...], open_end: bool) -> None:
    table, column, ids = where
    problem = "the date is missing" if not open_end or pd.isna(series.iloc[row]) else (
        f"the date {OPEN_END} is the open-end marker (no end), which this column cannot take")
    raise data_error(table, column, row, problem, _id_at(ids, row))


def _ticks_days(values: np.ndarray, where: Tuple[Any, ...], allow_missing: bool, open_end: bool,
                series: pd.Series) -> Optional[np.ndarray]:
    """:func:`days` of a ``datetime64`` column of a unit of a day or finer, in one pass in the core
    (the same days, checks and errors as :func:`_datetime64_days` and the open-end and missing
    rules after it); None for coarser units (weeks, months, years)."""
    unit, step = np.datetime_data(values.dtype)
    per_day = _PER_DAY.get(unit)
    if per_day is None or step != 1:
        return None
    from . import _core

    out, outside, missing = _core.days_from_ticks(values.view(np.int64), per_day, FIRST_DAY, LAST_DAY,
                                                  OPEN_END.toordinal() - _EPOCH if open_end else None, MISSING_DAY)
    if outside is not None:
        _outside_error(values, outside, where)
    if missing is not None and not allow_missing:
        _missing_error(series, missing, where, open_end)
    result: np.ndarray = out
    return result


def day(value: Any, name: str, date_format: Optional[str] = None, open_end: bool = False) -> int:
    """One date argument (``data_end=``, a window bound) as days since 1970-01-01; see :func:`days`.

    Returns :data:`MISSING_DAY` for the open-end marker when ``open_end``."""
    if value is None or (np.ndim(value) == 0 and not isinstance(value, str) and pd.isna(value)):
        raise data_error("arguments", name, None, "the date is missing")
    if np.ndim(value) != 0:
        raise data_error("arguments", name, None, f"expected one date, not {type(value).__name__} {value!r}")
    return int(days(pd.Series([value], dtype=object), "arguments", name, None, open_end, date_format, open_end)[0])


_BAD = np.iinfo(np.int64).min


def _day_of(value: Any, date_format: Optional[str]) -> int:
    """Days since 1970 of one value; ``_BAD`` when it is not a date in the column's format."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if date_format is not None:
                return _dt.datetime.strptime(text, date_format).date().toordinal() - _EPOCH
            if len(text) == 10:
                return _dt.date.fromisoformat(text).toordinal() - _EPOCH
            if len(text) > 10 and text[10] in "T ":
                return _dt.datetime.fromisoformat(text).date().toordinal() - _EPOCH
        except ValueError:
            pass
        return int(_BAD)
    if isinstance(value, _dt.datetime):  # also pd.Timestamp: its wall-clock date in its own zone
        return value.date().toordinal() - _EPOCH
    if isinstance(value, _dt.date):
        return value.toordinal() - _EPOCH
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return MISSING_DAY
        number = int(value.astype("datetime64[D]").astype(np.int64))
        return number if FIRST_DAY <= number <= LAST_DAY else int(_BAD)
    return int(_BAD)


#: Ticks per day of the ``datetime64`` units finer than a day (coarser ones go through numpy's calendar).
_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
            "ns": 86_400_000_000_000}


def _datetime64_days(values: np.ndarray, where: Tuple[Any, ...]) -> np.ndarray:
    """``datetime64`` values of any unit as days (floor), NaT as missing; outside years 1-9999 is an error.

    A unit of a day or finer is an integer floor division of the ticks (what numpy's cast to
    ``datetime64[D]`` computes, a few times faster); weeks, months and years take the cast."""
    unit = np.datetime_data(values.dtype)[0]
    per_day = _PER_DAY.get(unit)
    if per_day is None or np.datetime_data(values.dtype)[1] != 1:
        out = values.astype("datetime64[D]").astype(np.int64)
        nat = np.isnat(values)
    else:
        ticks = values.view(np.int64)
        nat = ticks == np.iinfo(np.int64).min
        out = ticks // per_day if per_day != 1 else ticks.copy()
    outside = ~nat & ((out < FIRST_DAY) | (out > LAST_DAY))
    if outside.any():
        _outside_error(values, int(np.flatnonzero(outside)[0]), where)
    out[nat] = MISSING_DAY
    return out


def _outside_error(values: np.ndarray, row: int, where: Tuple[Any, ...]) -> None:
    table, column, ids = where
    # The day, whatever the column's unit (a Parquet file stores seconds as milliseconds).
    raise data_error(table, column, row, f"the date {values[row].astype('datetime64[D]')} is outside the years "
                     "1 to 9999", _id_at(ids, row))


def _unreadable(value: Any, date_format: Optional[str], table: str, column: str) -> str:
    if isinstance(value, str):
        fmt = _ISO if date_format is None else f"the format {date_format!r}"
        hint = ("; if the column is written another way, say how, e.g. "
                f"date_format={{'{table}': {{'{column}': '%d/%m/%Y'}}}}") if date_format is None else ""
        return f"cannot read {value!r} as a date in {fmt}{hint}"
    if isinstance(value, np.datetime64):
        return f"the date {value} is outside the years 1 to 9999"
    return f"cannot read {value!r} ({type(value).__name__}) as a date"


def numbers(values: pd.Series, table: str, column: str, ids: Optional[pd.Series] = None) -> np.ndarray:
    """Float64 values; raises naming the first row that is not a number."""
    series = pd.Series(values).reset_index(drop=True)
    if series.dtype == np.float64:  # already numbers (NaN stays NaN): the column itself, not a copy
        same: np.ndarray = series.to_numpy()
        return same
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
        return np.take(mapping, values.cat.codes.to_numpy())
    return index.get_indexer(values)  # type: ignore[arg-type]  # pandas takes array-likes


def label_codes_u32(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """:func:`label_codes` as the core's ``uint32`` codes (-1 wraps, as a cast of it does), without
    the int64 column in between; a categorical whose categories are the vocabulary in order is only
    its codes, cast."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        mapping = pd.Index(list(vocabulary)).get_indexer(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        if np.array_equal(mapping, np.arange(len(mapping))):
            return codes.astype(np.uint32)
        return np.take(np.append(mapping, -1).astype(np.uint32), codes)
    return label_codes(values, vocabulary).astype(np.uint32)


def first_unlabelled(values: pd.Series, vocabulary: Sequence[str]) -> Optional[int]:
    """The first row whose label is not in ``vocabulary`` (a missing one neither), or None."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        unknown = np.append(pd.Index(list(vocabulary)).get_indexer(values.cat.categories) < 0, True)
        codes = values.cat.codes.to_numpy()
        if not unknown[:-1].any() and not (codes < 0).any():
            return None
        rows = unknown[codes]
    else:
        rows = label_codes(values, vocabulary) < 0
    return int(np.flatnonzero(rows)[0]) if rows.any() else None


def kind_of(value: Any) -> str:
    """``number``, ``text`` or the type's name: the kinds of id that must not mix in one table."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return "number"
    return "text" if isinstance(value, str) else type(value).__name__


#: ``infer_dtype`` results whose values are all of one kind of id (see :func:`kind_of`).
_ONE_KIND = frozenset({"string", "integer", "floating", "mixed-integer-float", "boolean", "bytes", "decimal", "empty"})


def check_id_kinds(ids: Any, table: str) -> None:
    """One kind of id per table: int 1 and str '1' print alike and would silently be two individuals."""
    ids = pd.Series(ids).reset_index(drop=True)
    if ids.dtype != object or pd.api.types.infer_dtype(ids, skipna=False) in _ONE_KIND:
        # (infer_dtype runs in C: a million object ids in milliseconds, not one Python call each.)
        return
    kinds = ids.map(kind_of)
    if kinds.nunique() > 1:
        row = int(np.flatnonzero((kinds != kinds.iloc[0]).to_numpy())[0])
        raise data_error(table, "id", row, f"this id is a {kinds.iloc[row]}, but the id in row 0 "
                         f"({options.describe_id(ids.iloc[0])}) is a {kinds.iloc[0]}; give every id as the same type",
                         ids.iloc[row])


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


def to_dates(days_since_epoch: np.ndarray, missing: bool = False) -> np.ndarray:
    """int days since 1970-01-01 back to dates, as ``datetime64[s]`` (pandas' unit for them: taking
    ``datetime64[D]`` it would convert them once more); with ``missing``, :data:`MISSING_DAY` is NaT."""
    days = np.asarray(days_since_epoch)
    seconds: np.ndarray = np.multiply(days, 86400, dtype=np.int64)
    if missing:
        seconds[days == MISSING_DAY] = np.iinfo(np.int64).min  # NaT
    return seconds.view("datetime64[s]")


def first_repeated_id(ids: pd.Index, table: Optional[str] = None) -> Optional[int]:
    """The first row whose id equals an earlier row's (pandas' first ``duplicated()``), or None.
    With ``table``, ids of more than one kind are a DataError first (:func:`check_id_kinds`;
    ids that are all str, found so by the core, are of one kind and not looked at again).

    Arrow-backed text ids (pandas 3's default ``str``, ``string[pyarrow]``) are checked by
    the core in place, from Arrow's offsets and bytes (no Python object per id), and so
    are integer and date ids (NumPy-backed: their 64-bit integers) and ids that are all
    Python str (object dtype, pandas 2's default; their UTF-8 bytes); other ids by
    pandas' hash table.

    Examples
    --------
    >>> first_repeated_id(pd.Index(["a", "b", "a", "b"], dtype="str"))
    2
    >>> first_repeated_id(pd.Index([7, 3, 9, 3]))
    3
    >>> first_repeated_id(pd.RangeIndex(5)) is None
    True
    """
    if isinstance(ids, pd.RangeIndex):
        return None
    from . import _core

    chunk = _arrow_text(ids)
    if chunk is not None:
        _, offsets, data = chunk.buffers()
        width = np.int64 if chunk.type.equals(_large_string()) else np.int32
        o = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        row = _core.first_repeated_text(o, np.frombuffer(data, dtype=np.uint8) if data is not None
                                        else np.zeros(0, np.uint8))
        return None if row is None else int(row)
    if isinstance(ids.dtype, np.dtype) and ids.dtype.kind in "iumM":
        values = ids.to_numpy()
        bits = values.view(np.uint64) if values.dtype.itemsize == 8 else values.astype(np.int64).view(np.uint64)
        row = _core.first_repeated_integer(np.ascontiguousarray(bits))
        return None if row is None else int(row)
    if ids.dtype == object or getattr(ids.dtype, "storage", None) == "python":
        try:
            row = _core.first_repeated_str(ids.to_numpy(dtype=object))
            return None if row is None else int(row)
        except TypeError:
            pass  # not all str: pandas' equality (1 == 1.0 == True)
    if table is not None:
        check_id_kinds(ids, table)
    if not ids.has_duplicates:
        return None
    return int(np.flatnonzero(ids.duplicated())[0])


def _large_string() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.large_string()


def _arrow_text(ids: pd.Index) -> Any:
    """The ids' single Arrow string chunk without nulls, or None (not Arrow-backed text)."""
    array = ids.array
    if not hasattr(array, "__arrow_array__") or getattr(ids.dtype, "storage", None) != "pyarrow":
        return None
    import pyarrow as pa

    data = array.__arrow_array__()
    chunks = data.chunks if isinstance(data, pa.ChunkedArray) else [data]
    if len(chunks) != 1 or chunks[0].null_count or not (
            chunks[0].type.equals(pa.string()) or chunks[0].type.equals(pa.large_string())):
        return None
    return chunks[0]
