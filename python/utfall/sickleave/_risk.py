"""Risk individuals, their turnover, risk workplaces and concentration: the queries :class:`Register` inherits."""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..cohort import horizon_text
from ..inequality import Concentration, concentration as _concentration
from ..errors import SpecError
from ._months import day_number


class RiskQueries:
    """Risk groups, turnover, risk workplaces and concentration of a register's short-term days."""

    def risk_group(self: Any, date: Any, threshold: int = 3, window: Any = "12m") -> pd.DataFrame:
        """Who is in the risk group at ``date``.

        An employee is at risk when employed on ``date`` with more than
        ``threshold`` spells starting in the ``window`` ending with ``date``: on the
        days ``(date - window, date]`` (seed 000: "more than three spells in twelve
        months"). A spell that started exactly one window before ``date`` is outside.

        Returns
        -------
        DataFrame indexed by id: ``spells`` (in the window), ``employed``, ``at_risk``,
        and the employee's ``workplace``/``sector``/``municipality`` when known.
        """
        if int(threshold) < 0:
            raise SpecError(f"threshold must be a non-negative number of spells, got {threshold}")
        g = self._core.risk_group(day_number(date, "date"), int(threshold), horizon_text(window))
        out = pd.DataFrame(g, index=pd.Index(self.employees["id"], name="id"))
        for c in ("workplace", "sector", "municipality"):
            if c in self.employees.columns:
                out[c] = self.employees[c].to_numpy()
        return out


    def risk_turnover(self: Any, date: Any, years: int = 2, threshold: int = 3, window: Any = "12m") -> pd.DataFrame:
        """How the risk group at ``date`` turns over, year by year (seed 000: "the risk group comes back").

        For the risk group at each of ``date, date + 1y, ..., date + (years - 1)y``:
        what its members are one year later: ``still at risk``; ``sick < 14 days``
        (not at risk, spells in the window, all shorter than 15 days); ``long-term
        sick`` (not at risk, a spell of the window reached day 15; the seed counts
        these with "not at risk", utfall keeps them apart); ``not at risk`` (no spell
        in the window); ``left employment`` (not employed then).

        Returns
        -------
        DataFrame, one row per year: ``from``, ``to``, ``risk_group`` (its size) and
        the count of each category.
        """
        if int(years) < 1:
            raise SpecError(f"years must be at least 1, got {years}")
        start = pd.Timestamp(date)
        dates = [start + pd.DateOffset(years=k) for k in range(int(years) + 1)]
        status, categories = self._core.turnover([day_number(d, "date") for d in dates], int(threshold),
                                                 horizon_text(window))
        rows = []
        for k in range(int(years)):
            col = status[:, k]
            counts = np.bincount(col[col != 255], minlength=len(categories))
            rows.append({"from": dates[k].date(), "to": dates[k + 1].date(), "risk_group": int(counts.sum()),
                         **{c: int(v) for c, v in zip(categories, counts)}})
        return pd.DataFrame(rows)


    def concentration(self: Any, start: Any, end: Any, shares: Sequence[float] = (0.2, 0.5), by: Any = None,
                      **kwargs: Any) -> Concentration:
        """Concentration of net short-term days over ``start``..``end`` among the employees
        employed at some time in it (zeros included), through :func:`utfall.concentration`.

        Seed 000: "20 % of the employees account for 75 % of the short-term absence".
        ``by`` names an employees column (e.g. ``"municipality"``); ``kwargs`` go to
        :func:`utfall.concentration` (``n_resamples=``, ``seed=``, ...).
        """
        days = self.short_term_days(start, end).sum(axis=1)
        employed = self.employed(start, end).sum(axis=1) > 0
        labels = None
        if by is not None:
            if by not in self.employees.columns:
                raise SpecError(f"by={by!r} is not a column of the employees table")
            labels = self.employees[by].astype(str).to_numpy()[employed.to_numpy()]
        with warnings.catch_warnings():
            # Employees without absence are zeros by design; the MLD is then undefined (NaN), not a problem.
            warnings.filterwarnings("ignore", message="the mean log deviation is undefined")
            return _concentration(days[employed].to_numpy(), shares=shares, by=labels, **kwargs)


    def risk_workplaces(self: Any, year: int, by: str = "workplace", high: float = 0.8,
                        rising: float = 0.0) -> pd.DataFrame:
        """Workplaces with high or rising short-term sick leave (seed 000: "risk workplaces").

        For each value of ``by``: net short-term days per employee-month in ``year``
        and the year before, and the change. ``high``: the rate is at or above the
        ``high`` quantile over workplaces; ``rising``: the rate rose by more than
        ``rising`` days per employee-month. ``risk`` is either.
        """
        if by not in self.employees.columns:
            raise SpecError(f"by={by!r} is not a column of the employees table")
        if not 0 <= high <= 1:
            raise SpecError(f"high is a quantile between 0 and 1, got {high}")
        labels = self.employees[by].astype(str).to_numpy()
        rates = {}
        for y in (int(year) - 1, int(year)):
            days = self.short_term_days(f"{y}-01", f"{y}-12").sum(axis=1).to_numpy()
            months = self.employed(f"{y}-01", f"{y}-12").sum(axis=1).to_numpy()
            frame = pd.DataFrame({"days": days, "months": months, by: labels}).groupby(by)[["days", "months"]].sum()
            rates[y] = frame["days"] / frame["months"].where(frame["months"] > 0)
        out = pd.DataFrame({"rate_previous": rates[int(year) - 1], "rate": rates[int(year)]})
        out["employee_months"] = pd.DataFrame({"m": self.employed(f"{year}-01", f"{year}-12").sum(axis=1).to_numpy(),
                                               by: labels}).groupby(by)["m"].sum()
        out["change"] = out["rate"] - out["rate_previous"]
        out["high"] = out["rate"] >= out["rate"].quantile(high)
        out["rising"] = out["change"] > rising
        out["risk"] = out["high"] | out["rising"]
        return out.sort_values("rate", ascending=False)
