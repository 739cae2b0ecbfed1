"""Covariate columns and the design matrix: factor or number, and the checks every method applies."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import SpecError, data_error


def levels_of(column: pd.Series) -> list:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    return sorted(column.dropna().unique().tolist())


def is_factor(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def check_column(frame: pd.DataFrame, name: str, ids: pd.Index, table: str) -> pd.Series:
    if name not in frame.columns:
        raise SpecError(f"covariate {name!r} is not a column of the {table} (columns: {list(frame.columns)})")
    col = frame[name]
    if col.dtype.kind in "fiub":
        # Plain numpy numbers: one pass each for min and max (a NaN makes them NaN).
        values = col.to_numpy(dtype=float)
        lo, hi = values.min(), values.max()
        if not np.isnan(lo):
            if lo == hi:
                raise data_error(table, name, None, f"the covariate is constant ({col.iloc[0]!r}) and cannot "
                                 "balance anything; drop it")
            return col
    missing = col.isna().to_numpy()
    if missing.all():
        raise data_error(table, name, None, "the covariate is missing for every unit")
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise data_error(table, name, row, f"missing value ({int(missing.sum())} rows in all); impute or drop "
                         "these units before matching", id=ids[row])
    if is_factor(col):
        constant = col.nunique() < 2
    else:
        values = col.to_numpy(dtype=float)
        constant = values.min() == values.max()
    if constant:
        raise data_error(table, name, None, f"the covariate is constant ({col.iloc[0]!r}) and cannot balance "
                         "anything; drop it")
    return col


def design(frame: pd.DataFrame, covariates: Sequence[str], ids: pd.Index, table: str = "data",
           all_levels: bool = False, level_value: float = 1.0) -> pd.DataFrame:
    """Numeric model columns, with factors as R's ``model.matrix`` names them.

    With ``all_levels`` every level gets an indicator (MatchIt's balance table;
    for covariate distances MatchIt codes them ``1/sqrt(2)``: ``level_value``);
    otherwise the first level is the reference (treatment contrasts).

    Examples
    --------
    >>> d = pd.DataFrame({"age": [20, 30, 40], "race": ["white", "black", "hispan"]})
    >>> list(design(d, ["age", "race"], pd.Series([1, 2, 3])).columns)
    ['age', 'racehispan', 'racewhite']
    """
    return pd.DataFrame(design_columns(frame, covariates, ids, table, all_levels, level_value),
                        index=frame.index, copy=False)


def design_columns(frame: pd.DataFrame, covariates: Sequence[str], ids: pd.Index, table: str,
                    all_levels: bool = False, level_value: float = 1.0) -> dict:
    """The columns of :func:`design` as a dict of contiguous float arrays (no DataFrame,
    whose single block would copy a million-row design once more)."""
    out = {}
    for name in covariates:
        col = check_column(frame, name, ids, table)
        if is_factor(col):
            levels = levels_of(col)
            for level in (levels if all_levels else levels[1:]):
                out[f"{name}{level}"] = (col == level).to_numpy(dtype=float) * level_value
        else:
            out[name] = np.ascontiguousarray(col.to_numpy(dtype=float))
    return out


def exact_strata(frame: pd.DataFrame, columns: Sequence[str], ids: pd.Index, table: str) -> np.ndarray:
    for c in columns:
        if c not in frame.columns:
            raise SpecError(f"exact column {c!r} is not a column of the {table}")
        if frame[c].isna().any():
            row = int(np.flatnonzero(frame[c].isna().to_numpy())[0])
            raise data_error(table, c, row, "missing value in an exact-matching column", id=ids[row])
    return frame.groupby(list(columns), sort=True, observed=True).ngroup().to_numpy().astype(np.uint32)
