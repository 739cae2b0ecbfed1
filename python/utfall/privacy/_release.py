"""The shareable form of a table of results: :func:`release` and the partitions it protects.

Every result that prints counts of individuals has a ``released(threshold=5)`` method
giving ``(table, SuppressionReport)``: :meth:`utfall.Evaluation.released` (the summary),
:meth:`utfall.ChangeScores.released` (counts and tests per measure),
:meth:`utfall.Concentration.released` (measures by group) and
:meth:`utfall.MatchResult.released` (the balance table by level). :func:`release` calls it.
In-process tables (``summary()``, ``balance()``, ...) stay exact: they are the data
holder's; the released form is what leaves.

Counts that make up a whole (``cells`` summing to a shown total) are protected as one row
of :func:`suppress_counts`; a count that is the sum of some of them (``sums``) is
suppressed too when it holds some but not all of the suppressed cells, since it would
give them away.

>>> hidden = suppress_partition({"determined": 46, "no data": 4, "not yet": 10}, 5, "school", "counts",
...                             sums={"measurable": ["determined", "no data"]})
>>> sorted(hidden)
['measurable', 'no data', 'not yet']
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Set, Tuple

import pandas as pd

from ..errors import SpecError
from ._suppression import DEFAULT_THRESHOLD, SuppressionReport, suppress_counts


def suppress_partition(cells: Dict[str, int], threshold: int, table: str, row: Any,
                       sums: Optional[Mapping[str, Sequence[str]]] = None,
                       report: Optional[SuppressionReport] = None) -> Set[str]:
    """The names among ``cells`` (a partition of a shown total) and ``sums`` to suppress (see the module)."""
    report = report if report is not None else SuppressionReport(threshold)
    frame = pd.DataFrame([cells], index=[row])
    _, mask, own = suppress_counts(frame, threshold, table=table)
    report.cells += [c for c in own.cells if c["row"] != "Total"]  # a one-row table's column totals are its cells
    hidden = {name for j, name in enumerate(cells) if mask[0, j]}
    leaves = set(hidden)
    for name, parts in (sums or {}).items():
        inside = leaves & set(parts)
        if inside and inside != leaves:
            hidden.add(name)
            report.add(table, row, name, f"secondary: the sum of {sorted(parts)} would give away {sorted(inside)}")
    return hidden


def release(result: Any, threshold: int = DEFAULT_THRESHOLD) -> Tuple[pd.DataFrame, SuppressionReport]:
    """The released form of ``result``'s table: ``result.released(threshold)``.

    >>> import utfall
    >>> c = utfall.concentration([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], by=list("aaaaabb"), n_resamples=0)
    >>> table, report = utfall.privacy.release(c)
    >>> table.loc["b"]["estimate"].unique().tolist(), len(report)
    (['<5'], 10)
    """
    method = getattr(result, "released", None)
    if method is None:
        raise SpecError(f"release: a {type(result).__name__} has no released form (Evaluation, ChangeScores, "
                        "Concentration and MatchResult have)")
    out: Tuple[pd.DataFrame, SuppressionReport] = method(threshold)
    return out
