"""What an evaluation did not count, and why: nothing is dropped silently.

The notes of an evaluation are plain JSON data, recorded in the audit record
(``"not_counted"``), shown in the result's repr and warned about once per
:func:`utfall.evaluate` call (:class:`utfall.UtfallWarning`)::

    {"outside_observation": {"episodes": 2, "costs": 1},
     "horizons": {"2y": {"without_comparison": [ids], "left_out_incomplete": [ids],
                         "ratio_not_filled": [ids]}}}

- ``outside_observation``: episodes starting, and ledger rows dated, after
  their individual's end of data (see :attr:`utfall.Cohort.outside_observation`).
- ``without_comparison``: participants with no comparison individual (not included).
- ``left_out_incomplete``: participants with a comparison but incomplete
  follow-up, left out by ``partial="complete"``.
- ``ratio_not_filled``: matched participants with fewer comparison individuals
  than the ``ratio`` asked for (included, with the ones they have).
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List

import numpy as np
import pandas as pd

from .._options import options
from ..errors import UtfallWarning

NO_PARTICIPANTS = "no participants included"

_WHAT = {
    "without_comparison": "without comparison (not included)",
    "left_out_incomplete": "left out with incomplete follow-up (partial='complete')",
    "ratio_not_filled": "with fewer comparison individuals than the ratio",
}


def _ids(index: pd.Index, mask: np.ndarray) -> List[Any]:
    return [v.item() if hasattr(v, "item") else v for v in index[mask]]


def horizon_notes(index: pd.Index, n_comparison: np.ndarray, complete: np.ndarray, partial: str,
                  ratio: int) -> Dict[str, List[Any]]:
    """The participants of one horizon not counted as asked (ids in table order)."""
    has = n_comparison > 0
    return {
        "without_comparison": _ids(index, ~has),
        "left_out_incomplete": _ids(index, has & ~complete) if partial == "complete" else [],
        "ratio_not_filled": _ids(index, has & (n_comparison < ratio)) if ratio > 1 else [],
    }


def outside_counts(cohort: Any) -> Dict[str, int]:
    """Episodes and ledger rows after their individual's end of data, by table."""
    outside = getattr(cohort, "outside_observation", None)
    if outside is None or not len(outside):
        return {}
    counts = outside["table"].value_counts()
    return {table: int(counts[table]) for table in ("episodes", "costs") if table in counts}


def lines(notes: Dict[str, Any], statuses: Dict[str, str]) -> List[str]:
    """The notes as sentences, one per horizon and kind (empty when everything was counted)."""
    out = []
    outside = notes.get("outside_observation") or {}
    if outside:
        parts = [f"{n} {'episode' if t == 'episodes' else 'ledger row'}{'s' if n != 1 else ''}"
                 for t, n in outside.items()]
        out.append(f"{' and '.join(parts)} after the end of data not counted")
    for h, kinds in (notes.get("horizons") or {}).items():
        if statuses.get(h) == NO_PARTICIPANTS:
            out.append(f"{h}: {NO_PARTICIPANTS}")
        for kind, ids in kinds.items():
            if ids:
                shown = ", ".join(options.describe_id(i) for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
                out.append(f"{h}: {len(ids)} participant{'s' if len(ids) != 1 else ''} {_WHAT[kind]}: {shown}")
    return out


def warn(notes: Dict[str, Any], statuses: Dict[str, str]) -> None:
    """One :class:`UtfallWarning` listing everything not counted, if anything was not."""
    found = lines(notes, statuses)
    if found:
        warnings.warn("the evaluation did not count everything: " + "; ".join(found)
                      + " (see Evaluation.not_counted)", UtfallWarning, stacklevel=3)
