"""Covariate columns and the design matrix: factor or number, and the checks every method applies."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import _core
from ..errors import SpecError, data_error, not_finite


def levels_of(column: pd.Series) -> List[Any]:
    """The levels present, in the categories' order for a Categorical (an unused category has no
    indicator: its column would be all zero, R's glm gives it an NA coefficient), else sorted."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = np.unique(column.cat.codes.to_numpy())
        return [column.cat.categories[k] for k in present if k >= 0]
    return sorted(column.dropna().unique().tolist())


def is_factor(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def check_column(frame: pd.DataFrame, name: str, ids: pd.Index, table: str) -> pd.Series:
    if name not in frame.columns:
        raise SpecError(f"covariate {name!r} is not a column of the {table} (columns: {list(frame.columns)})")
    col = frame[name]
    if col.dtype.kind in "fiub":
        # Plain numpy numbers: min and max in one pass (a NaN makes them NaN).
        values = col.to_numpy(dtype=float)
        lo, hi = _core.value_range(values)
        if np.isinf(lo) or np.isinf(hi):
            row = int(np.flatnonzero(np.isinf(values))[0])
            raise not_finite(table, name, row, values[row], id=ids[row])
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
        if np.isinf(values).any():
            row = int(np.flatnonzero(np.isinf(values))[0])
            raise not_finite(table, name, row, values[row], id=ids[row])
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
                    all_levels: bool = False, level_value: float = 1.0) -> Dict[str, np.ndarray]:
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
        if frame[c].dtype.kind == "f" and np.isinf(frame[c].to_numpy()).any():
            row = int(np.flatnonzero(np.isinf(frame[c].to_numpy()))[0])
            raise not_finite(table, c, row, frame[c].iloc[row], id=ids[row])
    codes = [np.ascontiguousarray(pd.factorize(frame[c], sort=True)[0], dtype=np.uint32) for c in columns]
    return _core.strata_codes(codes, len(frame))[0]


def antiexact_codes(frame: pd.DataFrame, columns: Sequence[str], ids: pd.Index, table: str) -> List[np.ndarray]:
    """One code array per ``antiexact`` column (a pair must differ on each; MatchIt's ``antiexact``).

    A column with a single level would forbid every pair: a :class:`~utfall.SpecError` names it.
    """
    out = []
    for c in columns:
        if c not in frame.columns:
            raise SpecError(f"antiexact column {c!r} is not a column of the {table}")
        if frame[c].isna().any():
            row = int(np.flatnonzero(frame[c].isna().to_numpy())[0])
            raise data_error(table, c, row, "missing value in an antiexact column", id=ids[row])
        codes, levels = pd.factorize(frame[c], sort=True)
        if len(levels) < 2:
            raise SpecError(f"antiexact column {c!r} has one level ({levels[0]!r}) in the {table}: no pair could "
                            "differ on it, so nothing could be matched")
        out.append(np.ascontiguousarray(codes, dtype=np.uint32))
    return out


def covariate_frame(cohort: Any, covariates: Sequence[str], lookback: Any) -> pd.DataFrame:
    """``cohort.individuals`` (positions 0..n-1) with the ``cohort.history(lookback)`` columns
    among ``covariates`` added: what historical matching matches on."""
    individuals: pd.DataFrame = cohort.individuals.reset_index(drop=True)
    history: pd.DataFrame = cohort.history(lookback).reset_index(drop=True)
    frame = individuals.copy()
    for c in covariates:
        if c not in frame.columns:
            if c in history.columns:
                frame[c] = history[c].to_numpy()
            else:
                raise SpecError(f"covariate {c!r} is neither a column of cohort.individuals nor of "
                                f"cohort.history(): {list(history.columns)}")
    return frame


def design_parts(frame: pd.DataFrame, covariates: Sequence[str], ids: pd.Index,
                 table: str) -> Tuple[List[Tuple[np.ndarray, str]], List[List[Tuple[np.ndarray, str]]]]:
    """The covariates as the core's rematching takes them: numeric columns, and for each factor
    the 0/1 indicator of every level (in level order), each with its model-matrix name."""
    numeric: List[Tuple[np.ndarray, str]] = []
    factors: List[List[Tuple[np.ndarray, str]]] = []
    for name in covariates:
        col = check_column(frame, name, ids, table)
        if is_factor(col):
            factors.append([((col == level).to_numpy(dtype=float), f"{name}{level}") for level in levels_of(col)])
        else:
            numeric.append((np.ascontiguousarray(col.to_numpy(dtype=float)), name))
    return numeric, factors
