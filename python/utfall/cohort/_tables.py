"""The five input tables of a cohort, one validating function each, and the core's input.

Each function takes the user's table (or None), checks it, converts its dates
and numbers once (:func:`utfall._frames.days`, :func:`utfall._frames.numbers`)
and returns the validated table with role column names together with the
columns the core reads. :func:`core_input` gathers those columns into the one
:class:`CoreInput` passed to ``_core.CohortCore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

import numpy as np
import pandas as pd

from .._frames import (MISSING_DAY, DateFormat, as_labels, check_id_kinds, date_format_for, day, days,
                       first_unlabelled, kind_of, label_codes_u32, numbers, select, to_dates, to_pandas)
from .._validation import whole_number
from ..errors import data_error
from ._arguments import user_name

PARTICIPANT = "participant"
HISTORICAL = "historical"

_GROUP_WORDS = {
    "participant": PARTICIPANT, "treated": PARTICIPANT, "1": PARTICIPANT, "true": PARTICIPANT,
    "historical": HISTORICAL, "comparison": HISTORICAL, "control": HISTORICAL, "0": HISTORICAL, "false": HISTORICAL,
}

Columns = Optional[Mapping[str, Any]]
#: Columns of one table for the core, in the order of its ``CoreInput`` fields.
Arrays = Tuple[np.ndarray, ...]


@dataclass(frozen=True)
class CoreInput:
    """The columns of a cohort as the core reads them (``CohortInput`` in ``src/cohort/mod.rs``):
    day numbers since 1970-01-01 (:data:`utfall._frames.MISSING_DAY` for an ongoing episode),
    positions in the individuals table and codes of care types and ledger categories."""

    index_date: np.ndarray
    end_of_data: np.ndarray
    participant: np.ndarray
    episode_individual: np.ndarray
    episode_start: np.ndarray
    episode_end: np.ndarray
    episode_type: np.ndarray
    n_types: int
    tariff_type: Optional[np.ndarray]
    tariff_from: Optional[np.ndarray]
    tariff_cost: Optional[np.ndarray]
    ledger_individual: np.ndarray
    ledger_date: np.ndarray
    ledger_amount: np.ndarray
    ledger_category: np.ndarray
    n_categories: int
    price_years: Optional[np.ndarray]
    price_values: Optional[np.ndarray]
    base_year: Optional[int]
    allow_overlaps: bool


def _column(values: np.ndarray) -> pd.Series:
    """A column that keeps ``values`` (assigning an array to a DataFrame copies it; a Series is kept)."""
    return pd.Series(values, copy=False)


def _same_dates(given: pd.Series, days: np.ndarray, missing: bool) -> bool:
    """Whether ``given`` is ``datetime64[s]`` holding exactly the dates of ``days`` (compared in blocks)."""
    if given.dtype != np.dtype("datetime64[s]") or len(given) != len(days):
        return False
    ticks = given.to_numpy().view(np.int64)
    block = 1 << 20
    return all(np.array_equal(ticks[a:a + block], to_dates(days[a:a + block], missing).view(np.int64))
               for a in range(0, len(days), block))


class LaterDates:
    """The date columns of a validated table, as ``datetime64[s]`` dates (:func:`utfall._frames.to_dates`)
    made after the core has read the days: the given columns (from Arrow or Parquet often in another
    unit, or with nulls) are dropped first, so that their memory is free while the core groups the
    rows, and a column the table lacks (an end of data from ``data_end``) is made then too. A given
    column that already holds exactly those dates (midnights in seconds, as registers mostly have
    them) is kept, so that the cohort shares its memory instead of a copy (pandas' copy-on-write
    keeps either side's later changes to itself). ``order`` is the validated table's column order."""

    def __init__(self, order: List[str]) -> None:
        self.order = order
        self.pending: List[Tuple[str, np.ndarray, bool]] = []

    def add(self, frame: pd.DataFrame, column: str, days: np.ndarray, missing: bool = False) -> None:
        if column in frame.columns and _same_dates(frame[column], days, missing):
            return
        if column in frame.columns:
            del frame[column]
        self.pending.append((column, days, missing))

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with its date columns, in the table's column order."""
        for column, values, missing in self.pending:
            frame[column] = _column(to_dates(values, missing))
        self.pending = []
        return frame if list(frame.columns) == self.order else frame[self.order]


def _first(mask: Any) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0])


def _positions(owners: pd.Series, ids: pd.Series) -> np.ndarray:
    """The position of each owner in ``ids`` (-1: not there), as ``pd.Index(ids).get_indexer(owners)``.

    Integer ids in a range at most a few times their number wide (register serial numbers) are
    looked up in a table over that range, ten times faster than hashing millions of rows."""
    own, known = owners.to_numpy(), ids.to_numpy()
    if own.dtype.kind == "i" and known.dtype.kind == "i" and len(known):
        known = known.astype(np.int64, copy=False)
        lo, hi = int(known.min()), int(known.max())
        if hi - lo <= 4 * len(known) + 1024:
            own = own.astype(np.int64, copy=False)
            inside = (own >= lo) & (own <= hi)
            # Ids lo, lo + 1, ... in table order (the usual serial numbers): the position is the id - lo.
            serial = hi - lo == len(known) - 1 and bool((np.diff(known) == 1).all())
            table = None
            if not serial:
                table = np.full(hi - lo + 1, -1, dtype=np.int64)
                table[known - lo] = np.arange(len(known), dtype=np.int64)
            if inside.all():
                shifted: np.ndarray = np.subtract(own, lo)
                return shifted if table is None else np.take(table, shifted)
            codes = np.full(len(own), -1, dtype=np.int64)
            codes[inside] = own[inside] - lo if table is None else np.take(table, own[inside] - lo)
            return codes
    found: np.ndarray = pd.Index(ids).get_indexer(owners)
    return found


def _codes(owners: pd.Series, ids: pd.Series, table: str, what: str) -> np.ndarray:
    """The position in the individuals table of each row's id; an unknown id is a DataError."""
    codes = _positions(owners, ids)
    if (codes < 0).any():
        row = _first(codes < 0)
        value = owners.iloc[row]
        hint = ""
        if len(ids) and kind_of(value) != kind_of(ids.iloc[0]) and str(value) in set(ids.astype(str)):
            hint = (f" (it is a {kind_of(value)}; the individuals' ids are {kind_of(ids.iloc[0])}s: "
                    "give ids of one type in every table)")
        raise data_error(table, "id", row, f"the {what} belongs to an id that is not in the individuals table{hint}",
                         value)
    out: np.ndarray = codes.astype(np.int64, copy=False)
    return out


def individuals_table(individuals: Any, data_end: Any, columns: Columns,
                      date_format: DateFormat) -> Tuple[pd.DataFrame, LaterDates, np.ndarray, np.ndarray]:
    """The individuals with roles ``id``, ``group``, ``index_date``, ``end_of_data`` first, then the covariates
    (the dates to add with :meth:`LaterDates.apply` once the core has them); with their index dates and ends
    of data as days."""
    raw = to_pandas(individuals, "individuals")
    ind = select(raw, "individuals", ["id", "group", "index_date"], ["end_of_data"], columns)
    used = {user_name(columns, "individuals", r) for r in ("id", "group", "index_date", "end_of_data")}
    covariates = raw.reset_index(drop=True)[[c for c in raw.columns if c not in used]]
    ind = pd.concat([ind, covariates], axis=1)

    ids = ind["id"]
    if ids.isna().any():
        raise data_error("individuals", "id", _first(ids.isna()), "the id is missing")
    check_id_kinds(ids, "individuals")
    dup = ids.duplicated()
    if dup.any():
        row = _first(dup)
        first = _first(ids == ids.iloc[row])
        raise data_error("individuals", "id", row, f"the id appears twice (rows {first} and {row})", ids.iloc[row])

    # Each distinct value is read once (a million rows hold two or three).
    group_codes, group_values = pd.factorize(ind["group"], use_na_sentinel=True)
    words = [_GROUP_WORDS.get(str(v).strip().lower()) for v in group_values]
    unknown = np.array([w is None for w in words] + [True])[group_codes]  # (code -1, a missing group: last)
    if unknown.any():
        row = _first(unknown)
        raise data_error("individuals", "group", row,
                         f"the group {ind['group'].iloc[row]!r} is neither 'participant' nor 'historical'",
                         ids.iloc[row])
    # The words as text, taken from the (two or three) distinct ones instead of made from a million objects.
    ind["group"] = pd.Series(pd.Index(np.array(words, dtype=object)).astype(str).take(group_codes), copy=False)

    fmt = date_format_for(date_format, "individuals", "index_date")
    index_days = days(ind["index_date"], "individuals", "index_date", ids, date_format=fmt)
    if "end_of_data" in ind.columns:
        end_days = days(ind["end_of_data"], "individuals", "end_of_data", ids, allow_missing=True,
                        date_format=date_format_for(date_format, "individuals", "end_of_data"), open_end=True)
    else:
        end_days = np.full(len(ind), MISSING_DAY, dtype=np.int32)
    if data_end is not None:
        global_end = day(data_end, "data_end", date_format_for(date_format, "arguments", "data_end"), open_end=True)
        if global_end == MISSING_DAY:
            raise data_error("arguments", "data_end", None, "data_end 9999-12-31 is the open-end marker; the end of "
                             "data must be a real date (the date of the register extract)")
        end_days = np.where(end_days == MISSING_DAY, global_end, end_days).astype(np.int32)
    if (end_days == MISSING_DAY).any():
        row = _first(end_days == MISSING_DAY)
        raise data_error("individuals", "end_of_data", row, "the end of data is unknown (missing, or the open-end "
                         "marker 9999-12-31): give data_end=, the date of the register extract", ids.iloc[row])
    roles = ["id", "group", "index_date", "end_of_data"]
    later = LaterDates(roles + [c for c in ind.columns if c not in roles])
    later.add(ind, "index_date", index_days)
    later.add(ind, "end_of_data", end_days)
    return ind, later, index_days, end_days


def episodes_table(episodes: Any, ids: pd.Series, columns: Columns,
                   date_format: DateFormat) -> Tuple[pd.DataFrame, LaterDates, np.ndarray, np.ndarray, np.ndarray]:
    """The episodes (``id``, ``start``, ``end``, ``care_type`` as labels; the dates to add with
    :meth:`LaterDates.apply` once the core has them); individual codes, start and end days
    (an open end, missing or 9999-12-31, is :data:`MISSING_DAY`: ongoing)."""
    ep = select(to_pandas(episodes, "episodes"), "episodes", ["id", "start", "end", "care_type"], [], columns)
    codes = _codes(ep["id"], ids, "episodes", "episode")
    if ep["care_type"].isna().any():
        row = _first(ep["care_type"].isna())
        raise data_error("episodes", "care_type", row, "the care type is missing", ep["id"].iloc[row])
    start = days(ep["start"], "episodes", "start", ep["id"],
                 date_format=date_format_for(date_format, "episodes", "start"))
    end = days(ep["end"], "episodes", "end", ep["id"], allow_missing=True,
               date_format=date_format_for(date_format, "episodes", "end"), open_end=True)
    ep["care_type"] = as_labels(ep["care_type"])
    later = LaterDates(list(ep.columns))
    later.add(ep, "start", start)
    later.add(ep, "end", end, missing=True)
    return ep, later, codes, start, end


def tariffs_table(tariffs: Any, episodes: pd.DataFrame, columns: Columns,
                  date_format: DateFormat) -> Tuple[Optional[pd.DataFrame], List[str], Optional[Arrays]]:
    """The tariffs, the care types (in the tariffs' order, or the episodes' without tariffs) and the
    core's ``(type, valid_from, daily_cost)`` columns."""
    if tariffs is None:
        return None, list(pd.unique(episodes["care_type"])), None
    tar = select(to_pandas(tariffs, "tariffs"), "tariffs", ["care_type", "valid_from", "daily_cost"], [], columns)
    if tar["care_type"].isna().any():
        raise data_error("tariffs", "care_type", _first(tar["care_type"].isna()), "the care type is missing")
    tar["care_type"] = as_labels(tar["care_type"])
    care_types = list(pd.unique(tar["care_type"]))
    row = first_unlabelled(episodes["care_type"], care_types)
    if row is not None:
        raise data_error("episodes", "care_type", row,
                         f"the care type {episodes['care_type'].iloc[row]!r} has no tariff "
                         f"(tariffs cover {care_types})",
                         episodes["id"].iloc[row])
    valid_from = days(tar["valid_from"], "tariffs", "valid_from",
                      date_format=date_format_for(date_format, "tariffs", "valid_from"))
    cost = numbers(tar["daily_cost"], "tariffs", "daily_cost")
    tar["valid_from"] = to_dates(valid_from)
    tar["daily_cost"] = cost
    return tar, care_types, (label_codes_u32(tar["care_type"], care_types), valid_from, cost)


def ledger_table(costs: Any, ids: pd.Series, columns: Columns, date_format: DateFormat
                 ) -> Tuple[Optional[pd.DataFrame], Optional[LaterDates], List[str], Arrays]:
    """The ledger (``id``, ``date``, ``amount``, ``category``; its date as :meth:`LaterDates.apply`
    adds it), its categories and the core's ``(individual, date, amount, category)`` columns."""
    if costs is None:
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0, dtype=np.uint32))
        return None, None, [], empty
    led = select(to_pandas(costs, "costs"), "costs", ["id", "date", "amount"], ["category"], columns)
    if "category" not in led.columns:
        led["category"] = "ledger"
    if led["category"].isna().any():
        row = _first(led["category"].isna())
        raise data_error("costs", "category", row, "the category is missing", led["id"].iloc[row])
    led["category"] = as_labels(led["category"])
    codes = _codes(led["id"], ids, "costs", "cost")
    date = days(led["date"], "costs", "date", led["id"], date_format=date_format_for(date_format, "costs", "date"))
    amount = numbers(led["amount"], "costs", "amount", led["id"])
    categories = list(pd.unique(led["category"]))
    led["amount"] = _column(amount)
    later = LaterDates(list(led.columns))
    later.add(led, "date", date)
    return led, later, categories, (codes, date, amount, label_codes_u32(led["category"], categories))


def price_index_table(price_index: Any, base_year: Any,
                      columns: Columns) -> Tuple[Optional[pd.DataFrame], Optional[int]]:
    """The price index (``year`` as int32, ``index``) and the base year (default: its last year)."""
    if price_index is None:
        if base_year is not None:
            whole_number(base_year, "base_year", 1, 9999)
        return None, None
    if isinstance(price_index, Mapping):
        pidx = pd.DataFrame({"year": list(price_index.keys()), "index": list(price_index.values())})
    else:
        pidx = select(to_pandas(price_index, "price_index"), "price_index", ["year", "index"], [], columns)
    years = numbers(pidx["year"], "price_index", "year")
    bad = np.isnan(years) | (years != np.round(years)) | (years < 1) | (years > 9999)
    if bad.any():
        row = _first(bad)
        raise data_error("price_index", "year", row, f"the year {pidx['year'].iloc[row]} is not a whole year "
                         "between 1 and 9999")
    pidx["year"] = years.astype(np.int32)
    pidx["index"] = numbers(pidx["index"], "price_index", "index")
    if base_year is None:
        return pidx, int(pidx["year"].max())
    return pidx, whole_number(base_year, "base_year", 1, 9999)


def rows_after_end(codes: np.ndarray, dates: np.ndarray, end_days: np.ndarray) -> Optional[np.ndarray]:
    """The rows dated after their individual's end of data (None for a table without rows)."""
    if len(codes) == 0:
        return None
    return np.flatnonzero(np.asarray(dates) > np.take(np.asarray(end_days), codes))


def after_end_of_data(frame: Optional[pd.DataFrame], table: str, column: str,
                      rows: Optional[np.ndarray]) -> pd.DataFrame:
    """The ``rows`` of ``table`` dated after their individual's end of data (:func:`rows_after_end`),
    which the cohort does not count."""
    if frame is None or rows is None:
        return pd.DataFrame({"table": pd.Series(dtype=object), "row": pd.Series(dtype=np.int64),
                             "id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[s]")})
    return pd.DataFrame({"table": table, "row": rows.astype(np.int64),
                         "id": frame["id"].iloc[rows].to_numpy(dtype=object),
                         "date": frame[column].iloc[rows].to_numpy()})


def core_input(ind: pd.DataFrame, index_days: np.ndarray, end_days: np.ndarray, episodes: Arrays,
               care_types: List[str], tariffs: Optional[Arrays], ledger: Arrays, categories: List[str],
               pidx: Optional[pd.DataFrame], base_year: Optional[int], allow_overlaps: bool) -> CoreInput:
    """The one input of ``_core.CohortCore``."""
    ep_codes, ep_start, ep_end, ep_type = episodes
    led_codes, led_date, led_amount, led_cat = ledger
    return CoreInput(
        index_date=index_days, end_of_data=end_days, participant=(ind["group"] == PARTICIPANT).to_numpy(),
        episode_individual=ep_codes, episode_start=ep_start, episode_end=ep_end, episode_type=ep_type,
        n_types=len(care_types),
        tariff_type=None if tariffs is None else tariffs[0], tariff_from=None if tariffs is None else tariffs[1],
        tariff_cost=None if tariffs is None else tariffs[2],
        ledger_individual=led_codes, ledger_date=led_date, ledger_amount=led_amount, ledger_category=led_cat,
        n_categories=len(categories),
        price_years=None if pidx is None else pidx["year"].to_numpy(np.int32),
        price_values=None if pidx is None else pidx["index"].to_numpy(np.float64),
        base_year=base_year if pidx is not None else None, allow_overlaps=bool(allow_overlaps),
    )

