"""Design matrices from covariate tables, as R's ``model.matrix`` with treatment contrasts."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .._options import options
from ..errors import SpecError


def design_matrix(frame: pd.DataFrame, covariates: Sequence[str], *, intercept: bool = True,
                  levels: Optional[Dict[str, List[Any]]] = None, table: str = "covariates"
                  ) -> Tuple[List[np.ndarray], List[str], Dict[str, List[Any]]]:
    """The columns of a design: an intercept, numeric covariates as they are, and one
    indicator per level but the first of each categorical covariate.

    Parameters
    ----------
    frame : pandas.DataFrame
    covariates : sequence of str
    intercept : bool
    levels : dict, optional
        The levels of each categorical covariate, from an earlier call (so that a
        design for new rows has the same columns); levels not seen are an error.
    table : str
        The table named in error messages.

    Returns
    -------
    (columns, names, levels)
        ``columns`` a list of float64 arrays, ``names`` their names (``"sex[m]"`` for
        the indicator of level ``m``), ``levels`` the levels used.

    Examples
    --------
    >>> import pandas as pd
    >>> cols, names, _ = design_matrix(pd.DataFrame({"age": [14, 16], "sex": ["f", "m"]}), ["age", "sex"])
    >>> names
    ['(Intercept)', 'age', 'sex[m]']
    """
    levels = dict(levels or {})
    columns: List[np.ndarray] = []
    names: List[str] = []
    n = len(frame)
    if intercept:
        columns.append(np.ones(n))
        names.append("(Intercept)")
    for name in covariates:
        if name not in frame.columns:
            raise SpecError(f"{table}: unknown covariate {name!r}; the columns are {list(frame.columns)}")
        series = frame[name]
        if series.isna().any():
            row = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise SpecError(f"{table}: covariate {name!r} is missing in row {row} "
                            f"({options.describe_id(frame.index[row])})")
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and name not in levels:
            columns.append(series.to_numpy(np.float64))
            names.append(str(name))
            continue
        known = levels.get(name)
        if known is None:
            known = sorted(pd.unique(series).tolist(), key=str)
            levels[name] = known
        unseen = set(pd.unique(series).tolist()) - set(known)
        if unseen:
            raise SpecError(f"{table}: covariate {name!r} has level(s) {sorted(map(str, unseen))} not in the fitted "
                            f"model's levels {known}")
        values = series.to_numpy()
        for level in known[1:]:
            columns.append((values == level).astype(np.float64))
            names.append(f"{name}[{level}]")
    return columns, names, levels
