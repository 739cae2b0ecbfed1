"""Shared parameter checks: one place for the rules every entry point applies."""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _typing
from .errors import SpecError, data_error


def one_of(value: Any, alias: object, name: str) -> str:
    """``value`` if it is one of the alias's allowed values; else a SpecError listing them.

    >>> one_of("bca", _typing.IntervalMethod, "method")
    'bca'
    >>> one_of("bcx", _typing.IntervalMethod, "method")
    Traceback (most recent call last):
    ...
    utfall.errors.SpecError: method must be one of 'percentile', 'basic', 'normal', 'bca', 'studentized', not 'bcx'
    """
    allowed = _typing.values(alias)
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise SpecError(f"{name} must be one of {listed}, not {value!r}")
    return value


def confidence_levels(confidence_level: Union[float, Sequence[float]]) -> List[float]:
    """One or several confidence levels, each strictly between 0 and 1."""
    if np.ndim(confidence_level) == 0:
        raw = [confidence_level]
    else:
        raw = list(confidence_level)  # type: ignore[arg-type]
    levels = []
    for v in raw:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise SpecError(f"confidence_level must be a number strictly between 0 and 1, not {v!r}")
        if not 0.0 < float(v) < 1.0:
            raise SpecError(f"confidence_level must lie strictly between 0 and 1, got {v}")
        levels.append(float(v))
    return levels


def interval_methods(methods: Union[str, Sequence[str]]) -> List[str]:
    """Interval method names (case-insensitive), each one of :data:`utfall._typing.IntervalMethod`."""
    out = [methods] if isinstance(methods, str) else list(methods)
    return [one_of(m.lower() if isinstance(m, str) else m, _typing.IntervalMethod, "interval method") for m in out]


def label_codes(labels: Any, name: str, n: int) -> Tuple[np.ndarray, list]:
    """Labels as codes 0..k-1 (categories order for a Categorical, else first appearance)."""
    values = labels.to_numpy() if isinstance(labels, (pd.Series, pd.Index)) else np.asarray(labels)
    if values.ndim != 1 or len(values) != n:
        raise data_error(name, "", None, f"has {len(values)} labels for {n} rows")
    if pd.isna(values).any():
        row = int(np.flatnonzero(pd.isna(values))[0])
        raise data_error(name, "", row, "is missing; every row needs a label")
    if isinstance(labels, pd.Series) and isinstance(labels.dtype, pd.CategoricalDtype):
        return labels.cat.codes.to_numpy().astype(np.uint32), list(labels.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.uint32), list(uniques)


def whole_number(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``; floats, bools and anything else are a SpecError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise SpecError(f"{name} must be a whole number between {low} and {high}, not {value!r}")
    if not low <= int(value) <= high:
        raise SpecError(f"{name} must lie between {low} and {high}, not {value}")
    return int(value)
