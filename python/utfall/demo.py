"""``utfall demo``: a readable tour of the synthetic register.

:func:`run_demo` builds the register with :func:`utfall.synthetic.register` and
returns a text report made of sections, one function each, so that later
sections (matching, expected costs, bootstrap intervals) slot in:

1. the cohort: who is in it, and how many episodes;
2. follow-up at 2 and 3 years: per group the number of individuals, how many
   have complete follow-up, mean and total cost (MSEK, base-year prices, over
   complete follow-ups) and mean care days per care type;
3. concentration: the share of the historical HVB+SiS care days held by the
   20 % and 50 % most care-heavy individuals (the pre-study found 47 % and 83 %).
"""

from __future__ import annotations

from typing import List, Sequence, cast

import numpy as np
import pandas as pd

from .cohort import HISTORICAL, PARTICIPANT, Cohort
from .synthetic import register

HORIZONS = ("2y", "3y")
MSEK = 1e6


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def cohort_section(cohort: Cohort, seed: int) -> str:
    """Who is in the register."""
    lines = [_heading("Cohort"), f"synthetic register, seed {seed}: {cohort!r}", "", cohort.summary().to_string()]
    return "\n".join(lines)


def follow_up_table(cohort: Cohort, horizon: str) -> pd.DataFrame:
    """Per group: n, n complete, mean and total cost (MSEK) and mean care days per type over complete follow-ups."""
    costs = cohort.costs(horizon)
    rows = {}
    for group in (PARTICIPANT, HISTORICAL):
        g = costs[costs["group"] == group]
        done = g[g["complete"]]
        row = {"n": len(g), "n complete": len(done),
               "mean cost (MSEK)": done["cost_total"].mean() / MSEK,
               "total cost (MSEK)": done["cost_total"].sum() / MSEK}
        for care_type in cohort.care_types:
            row[f"days {care_type}"] = done[f"care_days_{care_type}"].mean()
        rows[group] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")


def follow_up_section(cohort: Cohort, horizons: Sequence[str] = HORIZONS) -> str:
    """Costs and care days at each horizon, participants vs historical."""
    lines = [_heading("Follow-up costs and care days"),
             f"complete follow-ups only; costs in {cohort.base_year} prices; care days are means per individual"]
    for horizon in horizons:
        table = follow_up_table(cohort, horizon)
        lines += ["", f"{horizon}:", table.to_string(float_format=lambda v: f"{v:,.2f}")]
    return "\n".join(lines)


def top_shares(values: np.ndarray, tops: Sequence[float] = (0.2, 0.5)) -> List[float]:
    """Share of the total held by the largest ``top`` fraction of ``values``.

    Examples
    --------
    >>> top_shares(np.array([1.0, 1.0, 2.0, 6.0]), [0.25, 0.5])
    [0.6, 0.8]
    """
    ordered = np.sort(np.asarray(values, dtype=float))[::-1]
    total = ordered.sum()
    return [float(ordered[: int(round(t * len(ordered)))].sum() / total) for t in tops]


def concentration_section(cohort: Cohort, horizon: str = "2y") -> str:
    """How unequally the historical HVB+SiS care days are spread."""
    days = cohort.care_days(horizon, care_types=["HVB", "SiS"])
    hist = days[(days["group"] == HISTORICAL) & days["complete"]]["care_days_total"].to_numpy()
    top20, top50 = top_shares(hist)
    return "\n".join([
        _heading("Concentration of care days"),
        f"historical individuals, HVB+SiS care days over {horizon} (n = {len(hist)}):",
        f"  the 20 % most care-heavy hold {100 * top20:.0f} % of the care days (pre-study: 47 %)",
        f"  the 50 % most care-heavy hold {100 * top50:.0f} % (pre-study: 83 %)",
    ])


def run_demo(seed: int = 2016, n_participants: int = 60, n_historical: int = 400) -> str:
    """The demo report as text.

    Examples
    --------
    >>> text = run_demo(seed=1, n_participants=20, n_historical=100)
    >>> "Concentration of care days" in text
    True
    """
    cohort = cast(Cohort, register(n_participants, n_historical, seed=seed))
    sections = [cohort_section(cohort, seed), follow_up_section(cohort), concentration_section(cohort)]
    return "\n\n".join(sections)
