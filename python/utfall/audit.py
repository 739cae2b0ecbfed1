"""The audit trail of an evaluation: write it, read it back, re-run it.

An evaluation decides a payment, so an independent validator must be able to
reproduce it digit for digit. :meth:`Evaluation.to_json` records the full
specification, the seed, the utfall version, a SHA-256 fingerprint of every
input table and every result number; :func:`load_evaluation` reads it back and
:func:`reproduce` re-runs it on the validator's copy of the data, raising
:class:`utfall.ReproductionError` when the data or any number differ.

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
import warnings
from typing import Any, Optional

import numpy as np
import pandas as pd

from .errors import ReproductionError
from .evaluation_result import Evaluation

FORMAT = "utfall.evaluation/1"
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# ---------------------------------------------------------------------- values
def _plain(value: Any) -> Any:
    """A JSON-ready copy of a scalar, tuple or nested structure."""
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


def _column(series: pd.Series) -> dict:
    kind = str(series.dtype)
    if kind.startswith("datetime64"):
        values = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
    elif kind.startswith("float"):
        values = [_plain(float(v)) for v in series.to_numpy()]
    else:
        values = [_plain(v) for v in series.tolist()]
    return {"name": series.name, "dtype": kind, "values": values}


def _table(frame: pd.DataFrame) -> dict:
    index = frame.index.to_series()
    index.name = frame.index.name
    return {"index": _column(index), "columns": [_column(frame[c]) for c in frame.columns]}


def _series(column: dict) -> pd.Series:
    kind, values = column["dtype"], column["values"]
    if kind.startswith("datetime64"):
        series = pd.Series(pd.to_datetime(values)).astype(kind)
    elif kind.startswith("float"):
        series = pd.Series([_SPECIAL.get(v, v) if isinstance(v, str) else v for v in values], dtype=kind)
    elif kind == "object":
        series = pd.Series([tuple(v) if isinstance(v, list) else v for v in values], dtype=object)
    else:
        series = pd.Series(values, dtype=kind)
    series.name = column["name"]
    return series


def _frame(table: dict) -> pd.DataFrame:
    index = pd.Index(_series(table["index"]), name=table["index"]["name"])
    frame = pd.DataFrame(index=index)
    for c in table["columns"]:
        series = _series(c)
        series.index = index
        frame[c["name"]] = series
    return frame


# ---------------------------------------------------------------------- records
def record(evaluation: Evaluation) -> dict:
    """The audit record of an evaluation as plain JSON data."""
    return {
        "format": FORMAT,
        "utfall_version": evaluation.version,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": evaluation.seed,
        "specification": _plain(evaluation.spec),
        "fingerprints": dict(evaluation.fingerprints),
        "results": _results(evaluation),
    }


def _results(evaluation: Evaluation) -> dict:
    return {
        "summary": _table(evaluation.summary(readable=False)),
        "individuals": _table(evaluation.individuals),
        "trajectories": {h: _table(evaluation.trajectory(h)) for h in evaluation.horizons},
    }


def to_json(evaluation: Evaluation, path: Any = None, indent: Optional[int] = None) -> str:
    """The audit record as JSON text (standard JSON: no NaN literals); also written to ``path``."""
    text = json.dumps(record(evaluation), indent=indent, allow_nan=False, ensure_ascii=False)
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


def _read(source: Any) -> dict:
    if isinstance(source, Evaluation):
        return record(source)
    if isinstance(source, dict):
        return source
    if hasattr(source, "read"):
        source = source.read()
    elif isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        with open(source, encoding="utf-8") as f:
            source = f.read()
    data = json.loads(source)
    if data.get("format") != FORMAT:
        raise ReproductionError(f"not an utfall evaluation record (format {data.get('format')!r}, expected {FORMAT!r})")
    return data


def load_evaluation(source: Any) -> Evaluation:
    """An :class:`Evaluation` from its JSON record (text, a path or an open file).

    The loaded evaluation has every table and number of the original, but not
    the match objects (``comparisons``), which are not recorded.
    """
    data = _read(source)
    results = data["results"]
    summary = _frame(results["summary"])
    spec = data["specification"]
    return Evaluation(spec=spec, version=data["utfall_version"], fingerprints=data["fingerprints"],
                      individuals=_frame(results["individuals"]), summary=summary,
                      trajectories={h: _frame(t) for h, t in results["trajectories"].items()})


def differences(a: Evaluation, b: Evaluation, limit: int = 10) -> list:
    """Where two evaluations' numbers differ (bit for bit), as sentences; empty when identical."""
    ra, rb = _results(a), _results(b)
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
                    found.append(f"{name}, column '{col}', row {row} (id {ta['index']['values'][row]!r}): "
                                 f"recorded {x!r}, now {y!r}")
                    break
            if len(found) >= limit:
                return found
    return found


def reproduce(source: Any, cohort, *, n_threads: Optional[int] = None, progress: bool = False) -> Evaluation:
    """Re-runs a recorded evaluation on ``cohort`` and checks every number.

    Parameters
    ----------
    source : str, path, file, dict or Evaluation
        The JSON record (from :meth:`Evaluation.to_json`).
    cohort : Cohort
        The validator's copy of the data.
    n_threads : int, optional
        Threads for the re-run; the numbers do not depend on it.

    Returns
    -------
    Evaluation
        The re-run, identical to the record.

    Raises
    ------
    ReproductionError
        When an input table's fingerprint differs from the record (naming the
        table) or when any number of the re-run differs from the recorded one
        (naming the table, column and row). A different utfall version is a
        warning; the numbers must still agree.
    """
    from .evaluation import _evaluate_spec

    data = _read(source)
    recorded = data["fingerprints"]
    current = cohort.fingerprints()
    changed = [t for t in sorted(set(recorded) | set(current)) if recorded.get(t) != current.get(t)]
    if changed:
        detail = "; ".join(f"table '{t}': recorded {str(recorded.get(t))[:12]}, now {str(current.get(t))[:12]}"
                           for t in changed)
        raise ReproductionError(f"the data differ from those of the recorded evaluation in table(s) "
                                f"{', '.join(repr(t) for t in changed)} ({detail})")
    from ._core import __version__

    if data["utfall_version"] != __version__:
        warnings.warn(f"the record was made with utfall {data['utfall_version']}, this is {__version__}",
                      stacklevel=2)
    again = _evaluate_spec(cohort, data["specification"], n_threads=n_threads, progress=progress)
    found = differences(load_evaluation(data), again)
    if found:
        raise ReproductionError("the re-run differs from the recorded evaluation: " + "; ".join(found))
    return again
