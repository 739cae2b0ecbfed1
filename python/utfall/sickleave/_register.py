"""The absence register: employees, employment periods, sick-leave spells and a trend series."""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from .._frames import days, name_row, numbers, select, to_pandas
from ..errors import DataError, SpecError, data_error
from ._months import month_key, month_range, period_months
from ._risk import RiskQueries

ONGOING = np.iinfo(np.int32).max

#: The roles of each table and whether they are required.
ROLES = {
    "employees": (["id"], ["workplace", "sector", "municipality", "salary"]),
    "spells": (["id", "first_day"], ["last_day", "extent", "diagnosis"]),
    "employment": (["id", "first_day"], ["last_day"]),
    "trend": (["month", "factor"], []),
}


def _fingerprint(frame: Optional[pd.DataFrame]) -> Optional[str]:
    if frame is None:
        return None
    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _user_name(columns: Optional[Mapping[str, Any]], table: str, role: str) -> Any:
    from .._frames import role_map
    return role_map(columns, table).get(role, role)


def _dates(day_numbers: np.ndarray) -> np.ndarray:
    """Day numbers as dates; ONGOING becomes NaT."""
    out = day_numbers.astype("datetime64[D]")
    out[day_numbers == ONGOING] = np.datetime64("NaT")
    return out


def _codes(ids: pd.Index, who: pd.Series, table: str) -> np.ndarray:
    codes = ids.get_indexer(pd.Index(who))
    unknown = codes < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise data_error(table, "id", row, "the id is not in the employees table", who.iloc[row])
    return codes.astype(np.int64)


class Register(RiskQueries):
    """An absence register: who is employed when and where, and who was sick when.

    Build one with :meth:`Register.from_frames`, or get a synthetic one from
    :func:`utfall.sickleave.synthetic_register`.

    Conventions
    -----------
    - A spell runs from ``first_day`` to ``last_day`` inclusive (an empty
      ``last_day`` is an ongoing spell, running to ``data_end``). Day ``k`` of a
      spell is ``first_day + k - 1``: days 1-14 are short-term absence (the
      employer's sick-pay period), day 15 on long-term, day 1 the qualifying day.
    - A spell counts at its extent: a day at 50 % is half a *net day*.
    - An employee counts in a month pro rata: employed days / days in the
      month. Without an employment table everyone is employed throughout.
    - Months are calendar months; a query over ``start``..``end`` covers the
      whole months from the month of ``start`` to the month of ``end``.

    Attributes
    ----------
    employees, spells, employment, trend : pandas.DataFrame
        The validated tables with role column names (``employment`` and ``trend`` may be None).
    data_end : numpy.datetime64
        The last observed day.
    """

    def __init__(self, *, employees: pd.DataFrame, spells: pd.DataFrame, employment: Optional[pd.DataFrame],
                 trend: Optional[pd.Series], data_end: np.datetime64, core: Any) -> None:
        self.employees = employees
        self.spells = spells
        self.employment = employment
        self.trend = trend
        self.data_end = data_end
        self._core = core
        self._ids = pd.Index(employees["id"])

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(cls, employees: Any, spells: Any, employment: Any = None, trend: Any = None,
                    columns: Optional[Mapping[str, Any]] = None, *, data_end: Any = None,
                    extent_percent: bool = False) -> "Register":
        """Validates an HR extract and builds a register.

        Parameters
        ----------
        employees : DataFrame
            One row per employee: ``id``, optionally ``workplace``, ``sector``,
            ``municipality``, ``salary`` (monthly, SEK) and any covariates.
        spells : DataFrame
            ``id``, ``first_day``, ``last_day`` (inclusive; empty: ongoing),
            optionally ``extent`` (in (0, 1]; default 1) and ``diagnosis``.
        employment : DataFrame, optional
            Employment periods: ``id``, ``first_day``, ``last_day`` (inclusive;
            empty: still employed). Several per employee are allowed; they may not overlap.
        trend : DataFrame or Series, optional
            The national sick-leave trend factor per month: ``month`` (any date in
            the month, or "2018-09") and ``factor``; a Series indexed by month works too.
        columns : mapping, optional
            Role -> your column name, per table (``{"spells": {"first_day": "from"}}``)
            or for all tables (``{"id": "anstnr"}``).
        data_end : date, optional
            The last observed day (default: the latest date in the spells and employment tables).
        extent_percent : bool
            Extents are given in percent (25, 50, 75, 100) rather than as fractions.

        Raises
        ------
        DataError
            Naming table, column, row and id: a missing column or id, a duplicate
            employee, an unreadable date, a spell or period for an unknown id,
            ending before it starts or after ``data_end``, spells (or periods) of
            one employee that overlap, an extent outside (0, 1], a spell outside
            the employee's employment, a missing or non-positive trend factor.

        Examples
        --------
        >>> import pandas as pd, utfall
        >>> emp = pd.DataFrame({"id": [1, 2], "workplace": ["school", "home care"]})
        >>> sp = pd.DataFrame({"id": [1, 2], "first_day": ["2016-01-25", "2016-02-27"],
        ...                    "last_day": ["2016-02-12", "2016-02-29"], "extent": [0.5, 1.0]})
        >>> reg = utfall.sickleave.Register.from_frames(emp, sp, data_end="2016-12-31")
        >>> reg.short_term_days("2016-01", "2016-02")  # doctest: +NORMALIZE_WHITESPACE
        month  2016-01  2016-02
        id
        1          3.5      3.5
        2          0.0      3.0
        """
        emp = select(to_pandas(employees, "employees"), "employees", *ROLES["employees"], columns)
        raw = to_pandas(employees, "employees").reset_index(drop=True)
        used = {_user_name(columns, "employees", r) for r in sum(ROLES["employees"], [])}
        emp = pd.concat([emp, raw[[c for c in raw.columns if c not in used]]], axis=1)
        ids = emp["id"]
        if ids.isna().any():
            raise data_error("employees", "id", int(np.flatnonzero(ids.isna().to_numpy())[0]), "the id is missing")
        dup = ids.duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
            raise data_error("employees", "id", row, f"the id appears twice (rows {first} and {row})", ids.iloc[row])
        if "salary" in emp.columns:
            salary = numbers(emp["salary"], "employees", "salary", ids)
            bad = ~(np.isnan(salary) | (salary >= 0))
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise data_error("employees", "salary", row, f"the salary {salary[row]} is negative", ids.iloc[row])
            emp["salary"] = salary
        index = pd.Index(ids)

        sp = select(to_pandas(spells, "spells"), "spells", *ROLES["spells"], columns)
        sp_codes = _codes(index, sp["id"], "spells")
        sp_first = days(sp["first_day"], "spells", "first_day", sp["id"])
        sp_last = days(sp["last_day"], "spells", "last_day", sp["id"], allow_missing=True) if "last_day" in sp else \
            np.full(len(sp), ONGOING, dtype=np.int32)
        extent = numbers(sp["extent"], "spells", "extent", sp["id"]) if "extent" in sp else np.ones(len(sp))
        if np.isnan(extent).any():
            row = int(np.flatnonzero(np.isnan(extent))[0])
            raise data_error("spells", "extent", row, "the extent is missing", sp["id"].iloc[row])
        if extent_percent:
            extent = extent / 100.0
        outside = ~((extent > 0) & (extent <= 1))
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            hint = "" if extent_percent else " (for extents in percent pass extent_percent=True)"
            raise data_error("spells", "extent", row, f"the extent {extent[row]:g} is outside (0, 1]{hint}",
                             sp["id"].iloc[row])

        em = None
        em_codes = em_first = em_last = None
        if employment is not None:
            em = select(to_pandas(employment, "employment"), "employment", *ROLES["employment"], columns)
            em_codes = _codes(index, em["id"], "employment")
            em_first = days(em["first_day"], "employment", "first_day", em["id"])
            em_last = days(em["last_day"], "employment", "last_day", em["id"], allow_missing=True) if "last_day" in em \
                else np.full(len(em), ONGOING, dtype=np.int32)

        if data_end is None:
            known = [a[a != ONGOING] for a in (sp_first, sp_last, em_first, em_last) if a is not None]
            known = [a for a in known if len(a)]
            if not known:
                raise SpecError("give data_end=: the tables hold no date to take the end of data from")
            end = int(max(a.max() for a in known))
        else:
            end = int(days(pd.Series([data_end]), "register", "data_end")[0])

        trend_series = _trend(trend, columns) if trend is not None else None
        tables = {"employees": emp, "spells": sp, "employment": em}
        try:
            core = _core.SickLeaveCore(len(emp), sp_codes, sp_first, sp_last, extent.astype(np.float64),
                                       em_codes, em_first, em_last, end)
        except DataError as err:
            raise name_row(err, {k: v for k, v in tables.items() if v is not None}) from None
        sp = sp.assign(first_day=_dates(sp_first), last_day=_dates(sp_last), extent=extent)
        if em is not None:
            assert em_first is not None and em_last is not None
            em = em.assign(first_day=_dates(em_first), last_day=_dates(em_last))
        return cls(employees=emp, spells=sp, employment=em, trend=trend_series,
                   data_end=np.datetime64(end, "D"), core=core)

    # ------------------------------------------------------------------ helpers
    def __repr__(self) -> str:
        first = pd.Timestamp(self.spells["first_day"].min()).date() if len(self.spells) else None
        return (f"<utfall.sickleave.Register: {len(self.employees):,} employees, {len(self.spells):,} spells"
                f" from {first} to data end {self.data_end}"
                f"{', employment periods' if self.employment is not None else ''}"
                f"{', trend series' if self.trend is not None else ''}>")

    def __reduce__(self) -> Any:
        # Pickled as its validated tables and rebuilt (validated again) on the other side:
        # process pools and Dask workers receive registers this way.
        trend = None
        if self.trend is not None:
            keys = self.trend.index.to_numpy()
            trend = pd.DataFrame({"month": [f"{k // 12}-{k % 12 + 1:02d}" for k in keys],
                                  "factor": self.trend.to_numpy()})
        return (_rebuild, (self.employees, self.spells, self.employment, trend, self.data_end))

    @property
    def n(self) -> int:
        return len(self.employees)

    def fingerprints(self) -> Dict[str, Optional[str]]:
        """SHA-256 of every input table (for audit records)."""
        trend = None if self.trend is None else self.trend.reset_index()
        return {"employees": _fingerprint(self.employees), "spells": _fingerprint(self.spells),
                "employment": _fingerprint(self.employment), "trend": _fingerprint(trend)}

    def _months(self, start: Any, end: Any) -> Tuple[int, int]:
        if start is None:
            start = self.spells["first_day"].min() if len(self.spells) else self.data_end
        if end is None:
            end = self.data_end
        return month_range(start, end)

    def _frame(self, values: np.ndarray, first: int, n: int) -> pd.DataFrame:
        frame = pd.DataFrame(values, index=pd.Index(self.employees["id"], name="id"), columns=period_months(first, n),
                             copy=False)
        frame.columns.name = "month"
        return frame

    # ------------------------------------------------------------------ monthly queries
    def net_days(self, start: Any = None, end: Any = None, *,
                 days: Tuple[int, Optional[int]] = (1, None)) -> pd.DataFrame:
        """Net days (days x extent) of spell days ``days[0]..days[1]`` (1-based, inclusive;
        ``None``: to the end of the spell), per employee (rows) and month (columns)."""
        first, n = self._months(start, end)
        lo, hi = days
        if lo < 1 or (hi is not None and hi < lo):
            raise SpecError(f"days=(first, last) counts from day 1 of a spell with last >= first, got {days}")
        return self._frame(self._core.net_days(int(lo), None if hi is None else int(hi), first, n), first, n)

    def short_term_days(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Net short-term days (days 1-14 of every spell, at extent) per employee and month."""
        return self.net_days(start, end, days=(1, 14))

    def long_term_days(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Net long-term days (day 15 on) per employee and month."""
        return self.net_days(start, end, days=(15, None))

    def qualifying_days(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Net qualifying days (day 1 of every spell, *karensdag*) per employee and month."""
        return self.net_days(start, end, days=(1, 1))

    def employed(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The employed share of each month per employee (employed days / days in the month)."""
        first, n = self._months(start, end)
        return self._frame(self._core.employed(first, n), first, n)

    def spell_counts(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Spells starting in each month per employee."""
        first, n = self._months(start, end)
        return self._frame(self._core.spell_starts(first, n), first, n)

    def monthly(self, start: Any = None, end: Any = None, by: Optional[str] = None) -> pd.DataFrame:
        """Totals per month (and group): employee-months, short-term and long-term net
        days, spells, short-term days per employee-month and the sick-leave rate
        (all net days / employed days)."""
        first, n = self._months(start, end)
        core = self._core
        parts = {"employee_months": core.employed(first, n), "short_term_days": core.net_days(1, 14, first, n),
                 "long_term_days": core.net_days(15, None, first, n), "spells": core.spell_starts(first, n)}
        months = period_months(first, n)
        labels = self._group_labels(by)
        frames = []
        for label, mask in labels:
            row = {k: v[mask].sum(axis=0) for k, v in parts.items()}
            f = pd.DataFrame(row, index=pd.Index(months, name="month"))
            if by is not None:
                f.insert(0, by, label)
            frames.append(f)
        out = pd.concat(frames)
        out["short_term_per_employee"] = out["short_term_days"] / out["employee_months"]
        length = np.array([p.days_in_month for p in out.index])
        out["sick_leave_rate"] = (out["short_term_days"] + out["long_term_days"]) / (out["employee_months"] * length)
        return out

    def _group_labels(self, by: Optional[str]) -> List[Tuple[str, Any]]:
        if by is None:
            return [("all", np.ones(self.n, dtype=bool))]
        if by not in self.employees.columns:
            raise SpecError(f"by={by!r} is not a column of the employees table (it has {list(self.employees.columns)})")
        values = self.employees[by].astype(str).to_numpy()
        return [(label, values == label) for label in sorted(pd.unique(values))]

    def sick_leave_rate(self, start: Any = None, end: Any = None, by: Optional[str] = None) -> pd.Series:
        """Net sick days (all days of all spells) / employed days over the months."""
        m = self.monthly(start, end, by)
        length = np.array([p.days_in_month for p in m.index])
        m = m.assign(employed_days=m["employee_months"] * length, sick=m["short_term_days"] + m["long_term_days"])
        if by is None:
            return pd.Series({"all": m["sick"].sum() / m["employed_days"].sum()}, name="sick_leave_rate")
        g = m.groupby(by)[["sick", "employed_days"]].sum()
        return (g["sick"] / g["employed_days"]).rename("sick_leave_rate")



def _rebuild(employees: pd.DataFrame, spells: pd.DataFrame, employment: Optional[pd.DataFrame], trend: Any,
             data_end: np.datetime64) -> Register:
    return Register.from_frames(employees, spells, employment, trend, data_end=data_end)


def _trend(trend: Any, columns: Optional[Mapping[str, Any]]) -> pd.Series:
    """The trend as a Series of factors indexed by month key."""
    if isinstance(trend, pd.Series):
        frame = pd.DataFrame({"month": (trend.index.astype(str) if isinstance(trend.index, pd.PeriodIndex)
                                        else trend.index),
                              "factor": trend.to_numpy()})
    else:
        frame = select(to_pandas(trend, "trend"), "trend", *ROLES["trend"], columns)
    keys = np.array([month_key(v, "trend", "month", r) for r, v in enumerate(frame["month"])], dtype=np.int64)
    factor = numbers(frame["factor"], "trend", "factor")
    bad = ~(factor > 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise data_error("trend", "factor", row, f"the trend factor {factor[row]} must be a positive number")
    dup = pd.Series(keys).duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise data_error("trend", "month", row, "the month appears twice in the trend series")
    return pd.Series(factor, index=pd.Index(keys, name="month_key"), name="factor").sort_index()
