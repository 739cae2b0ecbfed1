"""The audit record of an evaluation as exact JSON data, and the comparison of two evaluations.

Exactness: floats are written with Python's shortest round-trip ``repr``, so
reading one back gives the same 64 bits; NaN and infinities, which JSON lacks,
are the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Dates are ISO
strings and ids keep their type (int or str).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from .._options import options
from ..errors import SpecError
from ._schema import declare

FORMAT = "utfall.evaluation/3"
#: Formats :func:`utfall.load_evaluation` reads (version 1 lacks ``not_counted`` and ``content_fingerprints``;
#: version 3 adds ``disclosure`` and the declared ``contents``, and the aggregate record).
FORMATS = ("utfall.evaluation/1", "utfall.evaluation/2", FORMAT)
#: The two kinds of record (see :mod:`utfall.evaluation._disclosure`).
DISCLOSURES = ("aggregate", "full")
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# ---------------------------------------------------------------------- values
def _plain(value: Any) -> Any:
    """A JSON-ready copy of a scalar, tuple or nested structure."""
    if hasattr(value, "to_json_data"):  # a typed specification (._spec) or one of its parts
        value = value.to_json_data()
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _column(series: pd.Series) -> Dict[str, Any]:
    kind = str(series.dtype)
    if kind.startswith("datetime64"):
        values = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
    elif kind.startswith("float"):
        values = [_plain(float(v)) for v in series.to_numpy()]
    else:
        values = [_plain(v) for v in series.tolist()]
    return {"name": series.name, "dtype": kind, "values": values}


def _table(frame: pd.DataFrame) -> Dict[str, Any]:
    index = frame.index.to_series()
    index.name = frame.index.name
    return {"index": _column(index), "columns": [_column(frame[c]) for c in frame.columns]}


def _series(column: Dict[str, Any]) -> pd.Series:
    kind, values = column["dtype"], column["values"]
    if kind.startswith("datetime64"):
        # Through numpy, not pandas' nanosecond Timestamps, which wrap after 2262.
        unit = kind[kind.index("[") + 1:kind.index("]")] if "[" in kind else "ns"
        series = pd.Series(np.array([("NaT" if v is None else v) for v in values], dtype=f"datetime64[{unit}]"))
    elif kind.startswith("float"):
        series = pd.Series([_SPECIAL.get(v, v) if isinstance(v, str) else v for v in values], dtype=kind)
    elif kind == "object":
        series = pd.Series([tuple(v) if isinstance(v, list) else v for v in values], dtype=object)
    else:
        series = pd.Series(values, dtype=kind)
    series.name = column["name"]
    return series


def frame(table: Dict[str, Any]) -> pd.DataFrame:
    index = pd.Index(_series(table["index"]), name=table["index"]["name"])
    frame = pd.DataFrame(index=index)
    for c in table["columns"]:
        series = _series(c)
        series.index = index
        frame[c["name"]] = series
    return frame


# ---------------------------------------------------------------------- records
def record(evaluation: Any) -> Dict[str, Any]:
    """The full audit record of an evaluation as plain JSON data (every id, date and number)."""
    return declare({
        "format": FORMAT,
        "disclosure": "full",
        "utfall_version": evaluation.version,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": evaluation.seed,
        "specification": _plain(evaluation.spec),
        "fingerprints": dict(evaluation.fingerprints),
        "content_fingerprints": (None if evaluation.content_fingerprints is None
                                 else dict(evaluation.content_fingerprints)),
        "not_counted": _plain(evaluation.not_counted),
        "results": results(evaluation),
        **({"validity": _plain(evaluation.checks)} if getattr(evaluation, "checks", None) else {}),
    })


def results(evaluation: Any) -> Dict[str, Any]:
    return {
        "summary": _table(evaluation.summary(readable=False)),
        "individuals": _table(evaluation.individuals),
        "trajectories": {h: _table(evaluation.trajectory(h)) for h in evaluation.horizons},
    }


def to_json(evaluation: Any, path: Any = None, indent: Optional[int] = None, disclosure: str = "aggregate",
            key: Any = None, threshold: int = 5) -> str:
    """The audit record as JSON text (standard JSON: no NaN literals); also written to ``path``.

    ``disclosure="aggregate"`` (the default) needs the data holder's ``key`` (see
    :mod:`utfall.evaluation._disclosure`); ``"full"`` is the data holder's own record."""
    if disclosure not in DISCLOSURES:
        raise SpecError(f"disclosure must be 'aggregate' (to share) or 'full' (the data holder's own record), "
                        f"not {disclosure!r}")
    data = record(evaluation)
    if disclosure == "aggregate":
        if key is None:
            raise SpecError("to_json: a record to share (disclosure='aggregate', the default) needs the data "
                            "holder's secret key=..., under which ids become pseudonyms: make one with "
                            "utfall.privacy.new_key() and keep it; disclosure='full' writes the data holder's own "
                            "record with every id and date instead")
        from ._disclosure import aggregate_record
        data = aggregate_record(data, key, threshold)
    elif key is not None:
        raise SpecError("to_json: key= is for the aggregate record; a full record holds the raw ids")
    text = json.dumps(data, indent=indent, allow_nan=False, ensure_ascii=False)
    if path is not None:
        # Write beside the target and rename: an interrupted write leaves no half-written record.
        target = os.fspath(path)
        partial = f"{target}.partial"
        try:
            with open(partial, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    return text


def _row_name(name: str, table: Dict[str, Any], row: int) -> str:
    """A row of a recorded table as a message names it: an individual's id as ``utfall.options`` says."""
    value = table["index"]["values"][row]
    if name == "individuals":
        return options.describe_id(value)
    return f"{table['index'].get('name') or 'index'} {value!r}"


def differences(a: Any, b: Any, limit: int = 10) -> List[str]:
    """Where two evaluations' numbers differ (bit for bit), as sentences; empty when identical."""
    return result_differences(results(a), results(b), limit)


def result_differences(ra: Dict[str, Any], rb: Dict[str, Any], limit: int = 10) -> List[str]:
    """Where two records' ``results`` differ (bit for bit), as sentences; empty when identical."""
    found = []
    tables = [("summary", ra["summary"], rb["summary"]), ("individuals", ra["individuals"], rb["individuals"])]
    tables += [(f"trajectory {h}", ra["trajectories"].get(h), rb["trajectories"].get(h))
               for h in sorted(set(ra["trajectories"]) | set(rb["trajectories"]))]
    for name, ta, tb in tables:
        if ta is None or tb is None:
            found.append(f"{name}: present in only one evaluation")
            continue
        if ta["index"]["values"] != tb["index"]["values"]:
            found.append(f"{name}: the rows differ")
            continue
        cols_a = {c["name"]: c["values"] for c in ta["columns"]}
        cols_b = {c["name"]: c["values"] for c in tb["columns"]}
        if list(cols_a) != list(cols_b):
            found.append(f"{name}: the columns differ ({list(cols_a)} vs {list(cols_b)})")
            continue
        for col, va in cols_a.items():
            vb = cols_b[col]
            for row, (x, y) in enumerate(zip(va, vb)):
                if x != y:
                    found.append(f"{name}, column '{col}', row {row} ({_row_name(name, ta, row)}): "
                                 f"recorded {x!r}, now {y!r}")
                    break
            if len(found) >= limit:
                return found
    return found
