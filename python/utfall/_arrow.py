"""Arrow input: pyarrow tables, polars frames, Arrow-backed pandas columns and Parquet files.

Anything that speaks the Arrow PyCapsule protocol (``__arrow_c_stream__``: a
pyarrow ``Table`` or ``RecordBatchReader``, a polars ``DataFrame``, DuckDB and
others) is read through the Arrow C data interface by ``pyarrow.table``, which
takes the producer's buffers without copying them; its columns then become
pandas columns the same way for every producer, so that a cohort built from
polars, pyarrow, Parquet or pandas has the same validated tables, the same
fingerprints and the same costs:

- ``date32`` and ``date64`` become ``datetime64[ms]`` (exact over years 1-9999,
  and far beyond, so that a date outside them is reported, not wrapped);
- ``timestamp[unit, tz]`` keep their unit and time zone (the boundary then takes
  the calendar date in the column's own zone);
- ``string``, ``large_string``, ``string_view`` become pandas' string columns
  (Arrow-backed: no Python objects), dictionaries become categoricals;
- numbers and booleans are viewed without copying where Arrow and numpy agree
  (no nulls), nulls become NaN/None as pandas has them.

pyarrow is optional at run time: it is imported only when such an input arrives
(the ``utfall[arrow]`` extra installs it), and numpy-backed pandas frames never
need it.

Memory: what Arrow allocates (a Parquet file's decoded table, the copies ``to_pandas``
makes of columns with nulls or of several chunks, the date columns the cohort drops
before its core runs) comes from Arrow's own allocator (mimalloc), which keeps freed
pages for its next allocation; numpy and the core allocate elsewhere and never reuse
them. So a table read from Parquet is converted with ``self_destruct`` (each Arrow
column freed once converted) and :func:`release_freed` hands freed pages back to the
system after each conversion and before the core groups the rows.

Why pyarrow and not a Rust Arrow crate (``arrow-array`` with its ``ffi`` feature, or
``pyo3-arrow``): the validated tables the cohort keeps (for fingerprints, subsets,
pickling and the evaluation's covariates) are pandas frames, so every column becomes a
pandas column anyway, and pyarrow is what pandas uses for Arrow memory; a tz-aware
timestamp needs a time-zone database to give its local calendar date, which pyarrow
has and the Rust side would need ``chrono-tz`` for; and the Arrow crates would add
minutes to every build of the extension (a build takes 3-10 minutes on the project's
2-core machines already) and megabytes to the wheel, for a reader that must stay
optional. Parquet is read by pyarrow for the same reasons (the ``parquet`` crate brings
its compression codecs into every build and wheel).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional

import pandas as pd

from .errors import data_error


def _load() -> Any:
    import pyarrow  # type: ignore[import-untyped]

    return pyarrow


def _pyarrow(table: str, what: str) -> Any:
    try:
        pyarrow = _load()
    except ImportError:
        raise data_error(table, "", None, f"{what} needs pyarrow, which is not installed: "
                         "pip install 'utfall[arrow]' (or pyarrow)") from None
    return pyarrow


def speaks_arrow(frame: Any) -> bool:
    """True for a non-pandas object with the Arrow C stream protocol (pyarrow, polars, ...)."""
    return hasattr(frame, "__arrow_c_stream__") and not isinstance(frame, (pd.DataFrame, pd.Series))


def is_path(frame: Any) -> bool:
    """True for a file path (``str`` or ``os.PathLike``): a Parquet file to read."""
    return isinstance(frame, (str, os.PathLike))


def release_freed() -> None:
    """Hands the memory Arrow's allocator holds freed back to the system (see the module's
    "Memory"); nothing when pyarrow was never imported."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()


def read_parquet(path: Any, table: str) -> pd.DataFrame:
    """A Parquet file (or a folder of them) read with pyarrow, memory-mapped, as :func:`arrow_to_pandas` has it;
    the decoded table is freed column by column as it is converted (nobody else holds it)."""
    pa = _pyarrow(table, "reading Parquet")
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        arrow = pq.read_table(os.fspath(path), memory_map=True)
    except (OSError, pa.ArrowException) as err:
        raise data_error(table, "", None, f"cannot read the Parquet file {os.fspath(path)!r}: {err}") from None
    return arrow_to_pandas(arrow, table, own=True)


def from_arrow(frame: Any, table: str) -> pd.DataFrame:
    """A pandas DataFrame from an object with ``__arrow_c_stream__``, through the Arrow C data interface."""
    pa = _pyarrow(table, f"reading a {type(frame).__module__.split('.')[0]} {type(frame).__name__}")
    try:
        arrow = pa.table(frame)
    except (TypeError, ValueError, pa.ArrowException) as err:
        raise data_error(table, "", None, f"cannot read the {type(frame).__name__} as an Arrow table: {err}") from None
    return arrow_to_pandas(arrow, table)


def arrow_to_pandas(arrow: Any, table: str, own: bool = False) -> pd.DataFrame:
    """The columns of a pyarrow Table as pandas columns (see the module's conventions), without consolidating
    them into blocks (which would copy every column once more). With ``own`` (a table nobody else holds),
    each Arrow column is freed as soon as it is converted; the table is unusable afterwards."""
    names = [str(n) for n in arrow.column_names]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise data_error(table, dup, None, f"the column '{dup}' appears twice")
    # A table made from pandas keeps the pandas index as a column (``__index_level_0__``):
    # the index is no data here (pandas input drops it too).
    keep = [n for n in names if not (n.startswith("__index_level_") and n.endswith("__"))]
    if len(keep) != len(names):
        arrow = arrow.select(keep)
    frame: pd.DataFrame = arrow.to_pandas(date_as_object=False, split_blocks=True, ignore_metadata=True,
                                          self_destruct=own)
    return frame


def arrow_backed(frame: pd.DataFrame) -> bool:
    """True when a pandas frame has a column with an Arrow dtype (``pd.ArrowDtype``, e.g. ``date32[pyarrow]``)."""
    return any(isinstance(t, pd.ArrowDtype) for t in frame.dtypes)


def pandas_arrow_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A pandas frame whose ``pd.ArrowDtype`` columns are read as Arrow columns (the others are kept as they are)."""
    pa = _pyarrow(table, "an Arrow-backed pandas column")
    out: Dict[Any, Any] = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.ArrowDtype):
            chunked = pa.chunked_array(column.array.__arrow_array__())
            converted = arrow_to_pandas(pa.table({"c": chunked}), table)["c"]
            out[name] = converted.set_axis(frame.index)
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index, copy=False)


def optional_arrow(frame: Optional[Any], table: str) -> Optional[pd.DataFrame]:
    """The pandas frame of an Arrow object, a Parquet path or an Arrow-backed pandas frame; None for other input.
    What the conversion freed goes back to the system (:func:`release_freed`)."""
    if speaks_arrow(frame):
        out = from_arrow(frame, table)
    elif is_path(frame):
        out = read_parquet(frame, table)
    elif isinstance(frame, pd.DataFrame) and arrow_backed(frame):
        out = pandas_arrow_columns(frame, table)
    else:
        return None
    release_freed()
    return out
