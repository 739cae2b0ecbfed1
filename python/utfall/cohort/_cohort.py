"""The cohort data model: who was placed where, when, and what it cost.

A :class:`Cohort` holds individuals (participants and historical comparison
individuals, each with their own index date and end of data), their care
episodes, daily tariffs per care type, an optional ledger of dated costs and
an optional price index. It is validated once, in Rust, and then answers
window queries per individual, each as a pandas DataFrame indexed by id.

Conventions
-----------
- An episode covers the days ``[start, end)``: the end date is the day of
  discharge and is not a care day (a care day is a night in care, a *vårddygn*).
  An episode with no end date is ongoing and runs to the individual's end of data.
- ``end_of_data`` is the last observed day, inclusive.
- The follow-up window of horizon ``h`` is ``[index, index + h)``, clipped at
  the end of data; follow-up is complete when ``index + h <= end_of_data + 1``.
- Horizons are ``"2y"``, ``"36m"``, ``"730d"`` or a number of days. Years and
  months are calendar arithmetic; a window starting on 29 February ends on
  28 February in a common year (end-of-month clamping, as pandas' ``DateOffset``).
- Costs are tariff x care days, priced piecewise when a tariff changes within an
  episode, plus ledger amounts; with a price index every amount of year ``y`` is
  multiplied by ``I(base) / I(y)`` to express it in base-year prices.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, cast

import numpy as np
import pandas as pd

from .. import _core
from .._arrow import release_freed
from .._frames import DateFormat, day, label_codes_u32, name_row, to_dates
from .._validation import whole_number
from ..errors import DataError, SpecError, UtfallWarning
from ._arguments import as_days, check_windows
from ._tables import (HISTORICAL, PARTICIPANT, after_end_of_data, core_input, episodes_table, individuals_table,
                      ledger_table, price_index_table, rows_after_end, tariffs_table)

Horizon = Union[str, int]

__all__ = ["Cohort", "HISTORICAL", "PARTICIPANT", "horizon_text"]


def horizon_text(horizon: Horizon) -> str:
    """A horizon as the core reads it: ``730 -> "730d"``, ``"2y" -> "2y"``."""
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        return f"{int(horizon)}d"
    if isinstance(horizon, str):
        return horizon.strip()
    raise SpecError(f"a horizon is '2y', '36m', '730d' or a number of days, not {horizon!r}")


def _content_fingerprint(frame: pd.DataFrame) -> str:
    """A SHA-256 of a table's column names, types and rows as a multiset: the same rows in another order agree."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        digest.update(np.sort(pd.util.hash_pandas_object(frame, index=False).to_numpy()).tobytes())
    return digest.hexdigest()


def _fingerprint(frame: pd.DataFrame) -> str:
    """A SHA-256 of a table's column names, types and values, independent of the machine."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


class Cohort:
    """Individuals, their care episodes and what the care cost.

    Build one with :meth:`Cohort.from_frames`, or get a synthetic one from
    :func:`utfall.synthetic.register`.

    Attributes
    ----------
    individuals, episodes, tariffs, costs_ledger, price_index : pandas.DataFrame
        The validated input tables with role column names (``tariffs``,
        ``costs_ledger`` and ``price_index`` may be None).
    care_types, categories : list of str
        Care types and ledger categories, in the order of the output columns.
    base_year : int or None
        The year whose prices all costs are expressed in.
    outside_observation : pandas.DataFrame
        The episodes and ledger rows dated after their individual's end of
        data, which are not counted: ``table``, ``row`` (in the table as
        given), ``id``, ``date``.
    """

    def __init__(self, *, individuals: pd.DataFrame, episodes: pd.DataFrame, tariffs: Optional[pd.DataFrame],
                 costs_ledger: Optional[pd.DataFrame], price_index: Optional[pd.DataFrame], base_year: Optional[int],
                 care_types: List[str], categories: List[str], core: Any, allow_overlaps: bool,
                 outside_observation: Optional[pd.DataFrame] = None) -> None:
        self.individuals = individuals
        self.episodes = episodes
        self.tariffs = tariffs
        self.costs_ledger = costs_ledger
        self.price_index = price_index
        self.base_year = base_year
        self.care_types = care_types
        self.categories = categories
        self.allow_overlaps = allow_overlaps
        self.outside_observation = outside_observation
        self._core: _core.CohortCore = core
        self._fingerprints: Optional[Dict[str, Optional[str]]] = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(
        cls,
        individuals: Any,
        episodes: Any,
        tariffs: Any = None,
        costs: Any = None,
        price_index: Any = None,
        data_end: Any = None,
        columns: Optional[Mapping[str, Any]] = None,
        *,
        base_year: Optional[int] = None,
        allow_overlaps: bool = False,
        date_format: DateFormat = None,
    ) -> "Cohort":
        """Validates a register extract and builds a cohort.

        Parameters
        ----------
        individuals : DataFrame
            A pandas, polars or pyarrow table (anything with the Arrow
            ``__arrow_c_stream__`` protocol), or the path of a Parquet file;
            so is every other table. One row per individual: ``id``, ``group`` (``"participant"`` or
            ``"historical"``; also ``treated``/``comparison``, 1/0, True/False),
            ``index_date``, optionally ``end_of_data`` (last observed day,
            inclusive: moved away, died, extract date), and any covariates.
        episodes : DataFrame
            ``id``, ``start``, ``end`` (missing: ongoing), ``care_type``.
        tariffs : DataFrame, optional
            ``care_type``, ``valid_from``, ``daily_cost``: the daily cost of a
            care type from a date until the next tariff of that type. Without
            tariffs, care costs are zero and only care days and ledger costs count.
        costs : DataFrame, optional
            A ledger of dated amounts: ``id``, ``date``, ``amount``, ``category``
            (``category`` optional; default ``"ledger"``).
        price_index : DataFrame or mapping, optional
            ``year`` and ``index`` (e.g. KPI), or ``{year: value}``.
        data_end : date, optional
            The end of data for individuals without their own ``end_of_data``.
        columns : mapping, optional
            Role -> your column name, per table (``{"episodes": {"start": "from"}}``)
            or for all tables (``{"id": "lopnr"}``).
        base_year : int, optional
            The year of the prices costs are expressed in (default: the last
            year of the price index).
        allow_overlaps : bool
            Overlapping episodes of one individual are an error unless True;
            then each episode counts its own care days and costs.
        date_format : str or mapping, optional
            How string dates are written, as a ``strptime`` format: one for
            every table (``"%d/%m/%Y"``), per table (``{"episodes": "%Y%m%d"}``)
            or per column (``{"episodes": {"end": "%d.%m.%Y"}}``; the argument
            ``data_end`` is column ``"data_end"`` of table ``"arguments"``).
            Default: ISO 8601 (``2017-01-31``, optionally with a time). One
            format holds for a whole column: a value that does not fit it is a
            DataError naming the row, never a guess.

        Notes
        -----
        Dates are exact over the years 1 to 9999 (``datetime64`` of any unit,
        ``datetime.date``, Timestamps, strings); a timezone-aware value is the
        calendar date in its own time zone. 9999-12-31, the registers'
        open-end marker, means "no end": an episode ending then is ongoing,
        and an ``end_of_data`` of 9999-12-31 is replaced by ``data_end``.
        Episodes starting, and ledger rows dated, after their individual's end
        of data are not counted; they are listed in
        :attr:`outside_observation`, named in the repr and warned about
        (:class:`utfall.UtfallWarning`).

        Raises
        ------
        DataError
            Naming table, column, row and id: a missing column, a duplicate id,
            an unreadable date, an index date after the end of data, an episode
            for an unknown id, ending before it starts or overlapping another,
            a care type without a tariff, a negative or NaN tariff or cost, a
            year missing from the price index.

        Examples
        --------
        >>> import pandas as pd, utfall
        >>> people = pd.DataFrame({"id": ["a", "b"], "group": ["participant", "historical"],
        ...                        "index_date": ["2017-01-01", "2014-01-01"]})
        >>> eps = pd.DataFrame({"id": ["a", "b"], "start": ["2017-01-01", "2014-03-01"],
        ...                     "end": ["2017-01-11", None], "care_type": ["HVB", "SiS"]})
        >>> tariffs = pd.DataFrame({"care_type": ["HVB", "SiS"], "valid_from": ["2010-01-01"] * 2,
        ...                         "daily_cost": [3500.0, 6000.0]})
        >>> c = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")
        >>> c.costs("1y")[["care_days_total", "cost_total", "complete"]]  # doctest: +NORMALIZE_WHITESPACE
            care_days_total  cost_total  complete
        id
        a              10.0     35000.0      True
        b             306.0   1836000.0      True
        """
        cohort = _build(individuals, episodes, tariffs, costs, price_index, data_end, columns, base_year,
                        allow_overlaps, date_format)
        outside = cast(pd.DataFrame, cohort.outside_observation)  # _build always sets it
        if len(outside):
            warnings.warn(f"{_outside_text(outside)} (see Cohort.outside_observation)", UtfallWarning, stacklevel=2)
        return cohort

    @classmethod
    def from_parquet(cls, individuals: Any, episodes: Any, tariffs: Any = None, costs: Any = None,
                     price_index: Any = None, data_end: Any = None, columns: Optional[Mapping[str, Any]] = None, *,
                     base_year: Optional[int] = None, allow_overlaps: bool = False,
                     date_format: DateFormat = None) -> "Cohort":
        """:meth:`from_frames` on Parquet files: each table is a path (a file, or a folder of files).

        Read with pyarrow (the ``utfall[arrow]`` extra), memory-mapped, as a pyarrow table would be
        (``date32``/``date64``/``timestamp[unit, tz]``, string and dictionary columns, nulls); every
        check of :meth:`from_frames` holds, a DataError naming the table, column and row of the file.

        Examples
        --------
        >>> import os, tempfile, pyarrow as pa, pyarrow.parquet as pq, utfall
        >>> folder = tempfile.mkdtemp()
        >>> pq.write_table(pa.table({"id": ["a"], "group": ["participant"], "index_date": ["2017-01-01"]}),
        ...                os.path.join(folder, "people.parquet"))
        >>> pq.write_table(pa.table({"id": ["a"], "start": ["2017-01-01"], "end": ["2017-01-11"],
        ...                          "care_type": ["HVB"]}), os.path.join(folder, "episodes.parquet"))
        >>> c = utfall.Cohort.from_parquet(os.path.join(folder, "people.parquet"),
        ...                                os.path.join(folder, "episodes.parquet"), data_end="2019-12-31")
        >>> float(c.care_days("1y")["care_days_total"].iloc[0])
        10.0
        """
        return cls.from_frames(individuals, episodes, tariffs, costs, price_index, data_end, columns,
                               base_year=base_year, allow_overlaps=allow_overlaps, date_format=date_format)

    def __reduce__(self) -> Tuple[Any, ...]:
        # Picklable (for process pools and Dask workers): the validated tables
        # travel, and the core is rebuilt from them on arrival.
        return (_rebuild, (self.individuals, self.episodes, self.tariffs, self.costs_ledger, self.price_index,
                           self.base_year, self.allow_overlaps))

    # ------------------------------------------------------------------ basics
    @property
    def ids(self) -> pd.Index:
        """The individuals' ids, in table order."""
        return cast(pd.Index, pd.Index(self.individuals["id"], name="id"))

    @property
    def participants(self) -> np.ndarray:
        """Boolean mask of participants, in table order."""
        return (self.individuals["group"] == PARTICIPANT).to_numpy()

    def __len__(self) -> int:
        return len(self.individuals)

    def fingerprints(self) -> Dict[str, Optional[str]]:
        """SHA-256 of every input table, as validated (None for an absent table)."""
        if self._fingerprints is None:
            tables = {"individuals": self.individuals, "episodes": self.episodes, "tariffs": self.tariffs,
                      "costs": self.costs_ledger, "price_index": self.price_index}
            self._fingerprints = {k: (None if v is None else _fingerprint(v)) for k, v in tables.items()}
        return dict(self._fingerprints)

    def content_fingerprints(self) -> Dict[str, Optional[str]]:
        """SHA-256 of every input table's rows regardless of their order (None for an absent table).

        Equal content fingerprints with different :meth:`fingerprints` mean the
        same rows in another order."""
        tables = {"individuals": self.individuals, "episodes": self.episodes, "tariffs": self.tariffs,
                  "costs": self.costs_ledger, "price_index": self.price_index}
        return {k: (None if v is None else _content_fingerprint(v)) for k, v in tables.items()}

    def subset(self, mask: Union[np.ndarray, Sequence[bool]]) -> "Cohort":
        """A cohort of the individuals where ``mask`` is True (their episodes and costs too)."""
        mask = np.asarray(mask, dtype=bool)
        keep = set(self.individuals["id"][mask])
        ep = self.episodes[self.episodes["id"].isin(keep)]
        led = None if self.costs_ledger is None else self.costs_ledger[self.costs_ledger["id"].isin(keep)]
        return _build(self.individuals[mask], ep, self.tariffs, led, self.price_index, None, None, self.base_year,
                      self.allow_overlaps, None)

    # ------------------------------------------------------------------ queries
    def _frame(self, start: np.ndarray, end: np.ndarray, complete: np.ndarray, values: np.ndarray,
               care_types: Optional[Iterable[str]], ledger: bool,
               ids: Optional[pd.Index] = None, group: Optional[np.ndarray] = None) -> pd.DataFrame:
        k = len(self.care_types)
        chosen = self._care_type_positions(care_types)
        # One (columns x individuals) block handed to pandas without a copy; the
        # core returns `values` column-major, so each column copy is contiguous.
        positions = list(chosen) + [k + j for j in chosen]
        names = [f"care_days_{self.care_types[j]}" for j in chosen] + [f"cost_{self.care_types[j]}" for j in chosen]
        if ledger:
            positions += [2 * k + j for j in range(len(self.categories))]
            names += [f"ledger_{cat}" for cat in self.categories]
        n_days = len(chosen)
        if positions == list(range(values.shape[1])) and values.flags.f_contiguous:
            selected = values  # all columns in order: pandas keeps the core's array
        else:
            selected = np.asfortranarray(values[:, positions])
        care_days_total = np.zeros(len(values))
        cost_total = np.zeros(len(values))
        for j in range(n_days):
            care_days_total += selected[:, j]
        for j in range(n_days, len(positions)):
            cost_total += selected[:, j]
        index = self.ids if ids is None else pd.Index(ids, name="id")
        numbers = pd.DataFrame(selected, index=index, columns=names, copy=False)
        numbers["care_days_total"] = care_days_total
        numbers["cost_total"] = cost_total
        head = pd.DataFrame({
            "group": self.individuals["group"].array if group is None else group,
            "window_start": to_dates(start),
            "window_end": to_dates(end),
            "days_observed": (np.asarray(end, dtype=np.int64) - np.asarray(start, dtype=np.int64)),
            "complete": complete,
        }, index=numbers.index)
        return pd.concat([head, numbers], axis=1)

    def _care_type_positions(self, care_types: Optional[Iterable[str]]) -> List[int]:
        if care_types is None:
            return list(range(len(self.care_types)))
        if isinstance(care_types, str):
            care_types = [care_types]
        positions = []
        for t in care_types:
            if t not in self.care_types:
                raise SpecError(f"unknown care type {t!r}; the cohort has {self.care_types}")
            positions.append(self.care_types.index(t))
        return positions

    def costs(self, horizon: Horizon, care_types: Optional[Iterable[str]] = None, ledger: bool = True) -> pd.DataFrame:
        """Care days and costs per individual over ``[index, index + horizon)``.

        The window is clipped at each individual's end of data. Columns:
        ``group``, ``window_start``, ``window_end`` (exclusive, clipped),
        ``days_observed``, ``complete``, ``care_days_<type>``, ``cost_<type>``
        (SEK, base-year prices with a price index), ``ledger_<category>``,
        ``care_days_total`` and ``cost_total`` (care costs of the chosen care
        types plus ledger amounts when ``ledger``).
        """
        return self._frame(*self._core.costs(horizon_text(horizon)), care_types, ledger)

    def costs_over(self, positions: Union[np.ndarray, Sequence[int]], start: Any, end: Any,
                   care_types: Optional[Iterable[str]] = None, ledger: bool = True) -> pd.DataFrame:
        """Care days and costs over arbitrary windows, one row per request.

        Row ``r`` covers ``[start[r], end[r])`` of the individual at table
        position ``positions[r]``, clipped at their end of data. One individual
        may appear many times, e.g. a comparison individual serving several
        participants over windows of different lengths. Columns as in
        :meth:`costs`, plus ``id``; the index is ``0..len(positions)-1``.
        """
        positions = np.asarray(positions, dtype=np.int64)
        start_days = as_days(start, len(positions))
        end_days = as_days(end, len(positions))
        check_windows(start_days, end_days)
        parts = self._core.totals_for(positions, start_days, end_days)
        frame = self._frame(*parts, care_types, ledger, ids=self.ids[positions],
                            group=self.individuals["group"].to_numpy()[positions])
        frame.insert(0, "id", frame.index)
        return frame.reset_index(drop=True)

    def care_days(self, horizon: Optional[Horizon] = None, care_types: Optional[Iterable[str]] = None,
                  window: Optional[Tuple[Any, ...]] = None) -> pd.DataFrame:
        """Care days per individual and care type.

        Over the follow-up ``horizon`` from each index date, or over one
        calendar ``window=(start, end)`` (end exclusive) for everyone, clipped
        at each end of data. The total counts only ``care_types`` when given.
        """
        if (horizon is None) == (window is None):
            raise SpecError("give either a horizon or a window=(start, end)")
        if horizon is not None:
            parts = self._core.costs(horizon_text(horizon))
        else:
            if not isinstance(window, (tuple, list)) or len(window) != 2:
                raise SpecError(f"window must be a pair (start, end) of dates, not {window!r}")
            bounds = np.array([day(window[0], "window start"), day(window[1], "window end")], dtype=np.int32)
            check_windows(bounds[:1], bounds[1:])
            start = np.full(len(self), bounds[0], dtype=np.int32)
            end = np.full(len(self), bounds[1], dtype=np.int32)
            parts = self._core.totals_over(start, end)
        frame = self._frame(*parts, care_types, ledger=False)
        keep = ["group", "window_start", "window_end", "days_observed", "complete"]
        return frame[keep + [c for c in frame.columns if c.startswith("care_days_")]]

    def trajectories(self, months: int) -> pd.DataFrame:
        """Cost per individual in each month since the index date.

        Column ``m`` (1-based) is the cost of month ``[index + (m-1) months,
        index + m months)``; a month that starts after the end of data is NaN.
        Cumulative cost curves are ``trajectories(36).cumsum(axis=1)``.
        """
        months = whole_number(months, "months", 0, 2**63 - 1)  # the core checks its documented limit
        matrix = self._core.trajectories(months)
        return pd.DataFrame(matrix, index=self.ids, columns=pd.RangeIndex(1, months + 1, name="month"))

    def history(self, lookback: Optional[Horizon] = None) -> pd.DataFrame:
        """Features measured before each individual's own index date.

        Over ``[index - lookback, index)`` (all earlier data when None): care
        days and cost per care type (``prior_care_days_<type>``,
        ``prior_cost_<type>``), ledger amounts, totals, and
        ``prior_placements``, the number of episodes that started in the window.
        These are the covariates matching uses.
        """
        parts, placements = self._core.history(None if lookback is None else horizon_text(lookback))
        frame = self._frame(*parts, None, ledger=True)
        frame = frame.drop(columns=["window_start", "window_end", "days_observed", "complete", "group"])
        frame = frame.rename(columns=lambda c: f"prior_{c}")
        frame["prior_placements"] = placements.astype(np.int64)
        return frame

    # ------------------------------------------------------------------ display
    def summary(self) -> pd.DataFrame:
        """Counts per group: individuals, episodes, index dates."""
        ind = self.individuals
        n_eps = self.episodes.groupby("id").size().reindex(ind["id"]).fillna(0).to_numpy()
        rows = []
        for g in (PARTICIPANT, HISTORICAL):
            m = (ind["group"] == g).to_numpy()
            if not m.any():
                continue
            rows.append({"group": g, "individuals": int(m.sum()), "episodes": int(n_eps[m].sum()),
                         "first index date": ind["index_date"][m].min().date(),
                         "last index date": ind["index_date"][m].max().date()})
        return pd.DataFrame(rows).set_index("group")

    def __repr__(self) -> str:
        n_p = int(self.participants.sum())
        price = f", prices of {self.base_year}" if self.base_year is not None else ""
        outside = self.outside_observation
        note = "" if outside is None or not len(outside) else f"; {_outside_text(outside)}"
        return (f"Cohort({n_p} participants, {len(self) - n_p} historical, {len(self.episodes)} episodes, "
                f"care types {self.care_types}{price}{note})")

    def _repr_html_(self) -> str:
        return f"<p><b>utfall.Cohort</b>: {repr(self)[7:-1]}</p>" + self.summary().to_html()


def _rebuild(individuals: pd.DataFrame, episodes: pd.DataFrame, tariffs: Optional[pd.DataFrame],
             costs: Optional[pd.DataFrame], price_index: Optional[pd.DataFrame], base_year: Optional[int],
             allow_overlaps: bool) -> Cohort:
    """A cohort from its validated tables (the other side of ``Cohort.__reduce__``)."""
    return _build(individuals, episodes, tariffs, costs, price_index, None, None, base_year, allow_overlaps, None)


def _build(individuals: Any, episodes: Any, tariffs: Any, costs: Any, price_index: Any, data_end: Any,
           columns: Optional[Mapping[str, Any]], base_year: Any, allow_overlaps: Any,
           date_format: DateFormat) -> Cohort:
    """The cohort of :meth:`Cohort.from_frames`, without its warning: one function per table, one core input."""
    if columns is not None and not isinstance(columns, Mapping):
        raise SpecError(f"columns must map roles to your column names, not {type(columns).__name__}")
    if not isinstance(allow_overlaps, (bool, np.bool_)):
        raise SpecError(f"allow_overlaps must be True or False, not {allow_overlaps!r}")
    ind, ind_dates, index_days, end_days = individuals_table(individuals, data_end, columns, date_format)
    ep, ep_dates, *episodes_core = episodes_table(episodes, ind["id"], columns, date_format)
    tar, care_types, tariffs_core = tariffs_table(tariffs, ep, columns, date_format)
    episodes_core.append(label_codes_u32(ep["care_type"], care_types))
    led, led_dates, categories, ledger_core = ledger_table(costs, ind["id"], columns, date_format)
    pidx, base = price_index_table(price_index, base_year, columns)
    tables = {"individuals": ind, "episodes": ep, "tariffs": tar, "costs": led, "price_index": pidx}
    ep_after = rows_after_end(episodes_core[0], episodes_core[1], end_days)
    led_after = rows_after_end(ledger_core[0], ledger_core[1], end_days)
    release_freed()  # (the date columns LaterDates dropped, when Arrow had made them)
    try:
        core = _core.CohortCore(
            core_input(  # type: ignore[arg-type]  # a frozen CoreInput: the core only reads its fields
                ind, index_days, end_days, tuple(episodes_core), care_types, tariffs_core, ledger_core, categories,
                pidx, base, allow_overlaps))  # type: ignore[arg-type]  # a numpy.bool_ is accepted too
    except DataError as err:
        raise name_row(err, {k: v for k, v in tables.items() if v is not None}) from None
    del episodes_core, ledger_core, tariffs_core  # (the core has its copy: free them before the date columns)
    ind = ind_dates.apply(ind)
    ep = ep_dates.apply(ep)
    led = None if led is None or led_dates is None else led_dates.apply(led)
    outside = pd.concat([after_end_of_data(ep, "episodes", "start", ep_after),
                         after_end_of_data(led, "costs", "date", led_after)], ignore_index=True)
    return Cohort(individuals=ind, episodes=ep, tariffs=tar, costs_ledger=led, price_index=pidx, base_year=base,
                  care_types=care_types, categories=categories, core=core, allow_overlaps=bool(allow_overlaps),
                  outside_observation=outside)


def _outside_text(outside: pd.DataFrame) -> str:
    """``2 episodes and 1 ledger row dated after their individual's end of data are not counted``."""
    counts = outside["table"].value_counts()
    parts = []
    for table, word in (("episodes", "episode"), ("costs", "ledger row")):
        n = int(counts.get(table, 0))
        if n:
            parts.append(f"{n} {word}{'s' if n != 1 else ''}")
    verb = "is" if len(outside) == 1 else "are"
    return f"{' and '.join(parts)} dated after their individual's end of data {verb} not counted"
