"""The released (shareable) form of an evaluation's summary: small cells suppressed."""

from __future__ import annotations

import re
from typing import Tuple

import pandas as pd

from ..privacy import marker, SECONDARY, SuppressionReport, suppress_partition

_COUNTS_IN_STATUS = re.compile(r", \d+ of \d+ complete")
_STATISTICS = ("expected_total", "actual_total", "savings_total", "expected_mean", "actual_mean", "savings_mean",
               "net_savings", "break_even_actual", "savings_low", "savings_high", "p_savings_positive",
               "p_savings_cover_cost", "payback_month")


def released_summary(summary: pd.DataFrame, threshold: int) -> Tuple[pd.DataFrame, SuppressionReport]:
    """The summary (machine names) with every count of fewer than ``threshold`` participants suppressed,
    the counts that would give one away suppressed secondarily (the participants are the included, those
    without comparison and the others; and the complete and the incomplete), the statistics of a horizon
    with fewer than ``threshold`` included shown as ``<5``, and the status without its counts."""
    report = SuppressionReport(threshold)
    out = summary.astype(object).copy()
    out["status"] = [_COUNTS_IN_STATUS.sub("", s) if isinstance(s, str) else s for s in out["status"]]
    for h, row in summary.iterrows():
        n, inc, without = int(row["n_participants"]), int(row["n_included"]), int(row["n_without_comparison"])
        parts = {"n_included": inc, "n_without_comparison": without, "other not included": n - inc - without}
        hidden = suppress_partition(parts, threshold, "summary", h, report=report)
        complete = {"n_complete": int(row["n_complete"]), "incomplete": n - int(row["n_complete"])}
        hidden |= suppress_partition(complete, threshold, "summary", h, report=report)
        if 0 < n < threshold:
            hidden |= {"n_participants", "n_included", "n_complete", "n_without_comparison"}
            report.add("summary", h, "n_participants", f"primary: {n} < {threshold}")
        for name in ("n_participants", "n_included", "n_complete", "n_without_comparison"):
            if name in hidden:
                value = int(row[name])
                out.loc[h, name] = marker(threshold) if 0 < value < threshold else SECONDARY
        if "n_included" in hidden and 0 < inc < threshold:
            for name in _STATISTICS:
                if name in out.columns:
                    out.loc[h, name] = marker(threshold)
                    report.add("summary", h, name, f"primary: computed from {inc} < {threshold} participants")
    return out, report
