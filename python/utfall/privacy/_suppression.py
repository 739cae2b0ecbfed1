"""Small-cell suppression of tables meant for other parties.

A count of fewer than ``threshold`` individuals (default 5), and every statistic
computed from fewer, is replaced by a marker (*primary* suppression). Then, so
that no suppressed value can be recovered from a table's margins, cells are
suppressed *secondarily*: wherever a row or a column (of a table with totals)
holds exactly one suppressed cell, or suppressed cells that sum to less than
the threshold, the smallest other non-zero cell of that row or column is
suppressed too, until no row or column gives away a cell or a small sum;
a total is itself suppressed when it is below the threshold. Zero counts are
shown (a zero identifies nobody), unless ``suppress_zeros=True``.

Practice followed: cell suppression ("prickning") with complementary suppression,
as Swedish official statistics long applied to tables on individuals (SCB's
guidance on statistical disclosure control; Socialstyrelsen checks that every
combination of variables holds enough individuals before it releases aggregated
statistics). The threshold 5 is configurable. SCB's population statistics moved
to the Cell Key Method (random noise) from 2025; utfall does not perturb
values, as its numbers settle payments and must reproduce exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ..errors import SpecError

DEFAULT_THRESHOLD = 5
#: What a cell shows that is suppressed only so that a small one cannot be derived from it (secondary),
#: where the table tells the two apart (the report, the aggregate record).
SECONDARY = ".."


def marker(threshold: Optional[int] = DEFAULT_THRESHOLD) -> str:
    """What a primarily suppressed cell shows: ``<threshold`` (``<5`` at the default), so that a
    table suppressed at 10 never suggests its hidden counts are below 5.

    >>> marker(), marker(10)
    ('<5', '<10')
    """
    return f"<{DEFAULT_THRESHOLD if threshold is None else threshold}"


#: What a suppressed cell shows at the default threshold.
MARKER = marker()


@dataclass
class SuppressionReport:
    """What was suppressed and why: one row per cell (``table``, ``row``, ``column``, ``reason``)."""

    threshold: int
    cells: List[Dict[str, Any]] = field(default_factory=list)

    def add(self, table: str, row: Any, column: Any, reason: str) -> None:
        self.cells.append({"table": table, "row": row, "column": column, "reason": reason})

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.cells, columns=["table", "row", "column", "reason"])

    def __len__(self) -> int:
        return len(self.cells)

    def __repr__(self) -> str:
        return f"SuppressionReport(threshold {self.threshold}: {len(self.cells)} cells suppressed)"


def _check_threshold(threshold: Any) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise SpecError(f"threshold must be a whole number of individuals of at least 1, not {threshold!r}")
    return int(threshold)


def suppress_counts(counts: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *, totals: bool = True,
                    suppress_zeros: bool = False, table: str = "table",
                    report: Optional[SuppressionReport] = None) -> Tuple[pd.DataFrame, np.ndarray, SuppressionReport]:
    """Suppresses small counts of a table of counts with row and column margins.

    Parameters
    ----------
    counts : DataFrame of non-negative whole numbers
        The inner cells (without totals).
    totals : bool
        Whether the released table shows row and column totals (then lone
        suppressed cells of a row or column are protected secondarily).

    Returns
    -------
    (table, mask, report)
        The released table (object dtype, suppressed cells are ``"<5"``), with
        ``Total`` row and column when ``totals``; the boolean mask of suppressed
        inner cells; the :class:`SuppressionReport`.

    Examples
    --------
    The 3 is suppressed; alone in its row and column it could be recovered from the
    totals, so the 20 beside it and the 10 above it are suppressed too, and then the 12:

    >>> t = pd.DataFrame({"a": [10, 3], "b": [12, 20]}, index=["x", "y"])
    >>> released, mask, report = suppress_counts(t)
    >>> released.loc["y"].tolist(), released.loc["Total"].tolist()
    (['<5', '<5', 23], [13, 32, 45])
    >>> int(mask.sum()), report.to_frame()["reason"].str.split(":").str[0].tolist()
    (4, ['primary', 'secondary', 'secondary', 'secondary'])
    """
    threshold = _check_threshold(threshold)
    values = counts.to_numpy(dtype=float)
    if np.any(~np.isfinite(values)) or np.any(values < 0) or np.any(values != np.round(values)):
        raise SpecError(f"{table}: counts must be non-negative whole numbers")
    report = report if report is not None else SuppressionReport(threshold)
    small = (values < threshold) & ((values > 0) | suppress_zeros)
    mask = small.copy()
    for r, c in zip(*np.nonzero(small)):
        report.add(table, counts.index[r], counts.columns[c], f"primary: {int(values[r, c])} < {threshold}")
    row_total, col_total = values.sum(axis=1), values.sum(axis=0)
    hidden_row = totals & (row_total < threshold) & (row_total > 0)
    hidden_col = totals & (col_total < threshold) & (col_total > 0)
    if totals:
        _secondary(values, mask, counts, table, report, hidden_row, hidden_col, threshold)
    cells = [[marker(threshold) if mask[r, c] else int(values[r, c]) for c in range(values.shape[1])]
             for r in range(values.shape[0])]
    index, columns = list(counts.index), list(counts.columns)
    if totals:
        for r in range(values.shape[0]):
            cells[r].append(marker(threshold) if hidden_row[r] else int(row_total[r]))
        grand = int(values.sum())
        cells.append([marker(threshold) if hidden_col[c] else int(col_total[c]) for c in range(values.shape[1])]
                     + [marker(threshold) if 0 < grand < threshold else grand])
        index, columns = index + ["Total"], columns + ["Total"]
        for r in map(int, np.flatnonzero(hidden_row)):
            report.add(table, counts.index[r], "Total", f"primary: total {int(row_total[r])} < {threshold}")
        for c in map(int, np.flatnonzero(hidden_col)):
            report.add(table, "Total", counts.columns[c], f"primary: total {int(col_total[c])} < {threshold}")
    released = pd.DataFrame(cells, index=index, columns=columns, dtype=object)
    return released, mask, report


def _secondary(values: np.ndarray, mask: np.ndarray, counts: pd.DataFrame, table: str, report: SuppressionReport,
               hidden_row: np.ndarray, hidden_col: np.ndarray, threshold: int) -> None:
    """Adds cells until every row or column with a shown total has no suppressed cell, or two or more that
    sum to at least ``threshold`` (so that neither one cell nor a small sum is recovered from the total)."""
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = mask if axis == 0 else mask.T
            vals = values if axis == 0 else values.T
            hidden = hidden_row if axis == 0 else hidden_col
            for i in range(lines.shape[0]):
                # A line with a shown total gives away its one suppressed cell, or the sum of its suppressed
                # cells: protect it until two or more are suppressed and they sum to the threshold or more.
                if hidden[i] or lines[i].sum() == 0 or (lines[i].sum() >= 2
                                                        and vals[i][lines[i]].sum() >= threshold):
                    continue
                candidates = [j for j in range(lines.shape[1]) if not lines[i, j] and vals[i, j] > 0]
                if not candidates:
                    continue
                j = min(candidates, key=lambda k: (vals[i, k], k))
                r, c = (i, j) if axis == 0 else (j, i)
                mask[r, c] = True
                changed = True
                where = f"row {counts.index[r]!r}" if axis == 0 else f"column {counts.columns[c]!r}"
                report.add(table, counts.index[r], counts.columns[c],
                           f"secondary: protects the other suppressed cell of {where}")


def suppress_statistics(table: pd.DataFrame, n: Sequence[Any], threshold: int = DEFAULT_THRESHOLD, *,
                        columns: Optional[Sequence[str]] = None, table_name: str = "table",
                        report: Optional[SuppressionReport] = None) -> Tuple[pd.DataFrame, SuppressionReport]:
    """Masks the statistics of rows computed from fewer than ``threshold`` individuals.

    ``n`` holds each row's number of individuals; ``columns`` the statistics to
    mask (default all). The counts themselves are masked too when given as a column.

    >>> t = pd.DataFrame({"n": [12, 3], "mean cost": [1.5e6, 2.0e6]}, index=["girls", "boys"])
    >>> out, report = suppress_statistics(t, t["n"])
    >>> out.loc["boys"].tolist(), out.loc["girls", "mean cost"]
    (['<5', '<5'], 1500000.0)
    """
    threshold = _check_threshold(threshold)
    report = report if report is not None else SuppressionReport(threshold)
    counts = np.asarray(n, dtype=float)
    if counts.shape != (len(table),):
        raise SpecError(f"{table_name}: one count per row is needed, got {counts.shape} for {len(table)} rows")
    out = table.astype(object).copy()
    chosen = list(table.columns if columns is None else columns)
    for r in map(int, np.flatnonzero((counts > 0) & (counts < threshold))):
        for c in chosen:
            out.loc[out.index[r], c] = marker(threshold)
            report.add(table_name, table.index[r], c, f"primary: computed from {int(counts[r])} < {threshold} "
                                                      "individuals")
    return out, report
