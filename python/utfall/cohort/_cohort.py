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
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import _core
from .._frames import as_labels, days, label_codes, name_row, numbers, role_map, select, to_dates, to_pandas
from ._arguments import as_days, check_windows, user_name
from ..errors import DataError, SpecError, data_error

Horizon = Union[str, int]

PARTICIPANT = "participant"
HISTORICAL = "historical"

_GROUP_WORDS = {
    "participant": PARTICIPANT, "treated": PARTICIPANT, "1": PARTICIPANT, "true": PARTICIPANT,
    "historical": HISTORICAL, "comparison": HISTORICAL, "control": HISTORICAL, "0": HISTORICAL, "false": HISTORICAL,
}


def horizon_text(horizon: Horizon) -> str:
    """A horizon as the core reads it: ``730 -> "730d"``, ``"2y" -> "2y"``."""
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        return f"{int(horizon)}d"
    if isinstance(horizon, str):
        return horizon.strip()
    raise TypeError(f"a horizon is '2y', '36m', '730d' or a number of days, not {horizon!r}")


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
    """

    def __init__(self, *, individuals: pd.DataFrame, episodes: pd.DataFrame, tariffs: Optional[pd.DataFrame],
                 costs_ledger: Optional[pd.DataFrame], price_index: Optional[pd.DataFrame], base_year: Optional[int],
                 care_types: list, categories: list, core: Any, allow_overlaps: bool) -> None:
        self.individuals = individuals
        self.episodes = episodes
        self.tariffs = tariffs
        self.costs_ledger = costs_ledger
        self.price_index = price_index
        self.base_year = base_year
        self.care_types = care_types
        self.categories = categories
        self.allow_overlaps = allow_overlaps
        self._core = core
        self._fingerprints: Optional[dict] = None

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
    ) -> "Cohort":
        """Validates a register extract and builds a cohort.

        Parameters
        ----------
        individuals : DataFrame
            One row per individual: ``id``, ``group`` (``"participant"`` or
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
        >>> c.costs("1y")[["care_days_total", "cost_total", "complete"]]
            care_days_total  cost_total  complete
        id                                       
        a              10.0     35000.0      True
        b             306.0   1836000.0      True
        """
        ind_raw = to_pandas(individuals, "individuals")
        ep_raw = to_pandas(episodes, "episodes")
        ind = select(ind_raw, "individuals", ["id", "group", "index_date"], ["end_of_data"], columns)
        used = {user_name(columns, "individuals", r) for r in ("id", "group", "index_date", "end_of_data")}
        covariates = ind_raw.reset_index(drop=True)[[c for c in ind_raw.columns if c not in used]]
        ind = pd.concat([ind, covariates], axis=1)

        ids = ind["id"]
        if ids.isna().any():
            row = int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise data_error("individuals", "id", row, "the id is missing")
        dup = ids.duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
            raise data_error("individuals", "id", row, f"the id appears twice (rows {first} and {row})", ids.iloc[row])

        group = ind["group"].map(lambda v: _GROUP_WORDS.get(str(v).strip().lower()))
        if group.isna().any():
            row = int(np.flatnonzero(group.isna().to_numpy())[0])
            raise data_error("individuals", "group", row,
                             f"the group {ind['group'].iloc[row]!r} is neither 'participant' nor 'historical'", ids.iloc[row])
        ind["group"] = group.astype(str)

        index_days = days(ind["index_date"], "individuals", "index_date", ids)
        if "end_of_data" in ind.columns:
            end_days = days(ind["end_of_data"], "individuals", "end_of_data", ids, allow_missing=True)
        else:
            end_days = np.full(len(ind), np.iinfo(np.int32).max, dtype=np.int32)
        if data_end is not None:
            global_end = days(pd.Series([data_end]), "individuals", "data_end")[0]
            end_days = np.where(end_days == np.iinfo(np.int32).max, global_end, end_days).astype(np.int32)
        missing_end = end_days == np.iinfo(np.int32).max
        if missing_end.any():
            row = int(np.flatnonzero(missing_end)[0])
            raise data_error("individuals", "end_of_data", row,
                             "the end of data is unknown: give an end_of_data column or data_end=", ids.iloc[row])
        ind["index_date"] = to_dates(index_days)
        ind["end_of_data"] = to_dates(end_days)
        roles = ["id", "group", "index_date", "end_of_data"]
        ind = ind[roles + [c for c in ind.columns if c not in roles]]

        # Episodes.
        ep = select(ep_raw, "episodes", ["id", "start", "end", "care_type"], [], columns)
        codes = pd.Index(ids).get_indexer(ep["id"])
        unknown = codes < 0
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise data_error("episodes", "id", row, "the episode belongs to an id that is not in the individuals table", ep["id"].iloc[row])
        if ep["care_type"].isna().any():
            row = int(np.flatnonzero(ep["care_type"].isna().to_numpy())[0])
            raise data_error("episodes", "care_type", row, "the care type is missing", ep["id"].iloc[row])
        ep_start = days(ep["start"], "episodes", "start", ep["id"])
        ep_end = days(ep["end"], "episodes", "end", ep["id"], allow_missing=True)
        ep["care_type"] = as_labels(ep["care_type"])

        # Tariffs fix the care types and their order; episode types must be among them.
        tar = None
        if tariffs is not None:
            tar = select(to_pandas(tariffs, "tariffs"), "tariffs", ["care_type", "valid_from", "daily_cost"], [], columns)
            tar["care_type"] = as_labels(tar["care_type"])
            care_types = list(pd.unique(tar["care_type"]))
            missing_types = label_codes(ep["care_type"], care_types) < 0
            if missing_types.any():
                row = int(np.flatnonzero(missing_types)[0])
                raise data_error("episodes", "care_type", row,
                                 f"the care type {ep['care_type'].iloc[row]!r} has no tariff (tariffs cover {care_types})",
                                 ep["id"].iloc[row])
            tar_from = days(tar["valid_from"], "tariffs", "valid_from")
            tar_cost = numbers(tar["daily_cost"], "tariffs", "daily_cost")
            tar_type = label_codes(tar["care_type"], care_types).astype(np.uint32)
            tar["valid_from"] = to_dates(tar_from)
            tar["daily_cost"] = tar_cost
        else:
            care_types = list(pd.unique(ep["care_type"]))
        ep_type = label_codes(ep["care_type"], care_types).astype(np.uint32)
        ep["start"] = to_dates(ep_start)
        ep["end"] = pd.Series(to_dates(ep_end)).where(ep_end != np.iinfo(np.int32).max)

        # Ledger.
        led = None
        if costs is not None:
            led = select(to_pandas(costs, "costs"), "costs", ["id", "date", "amount"], ["category"], columns)
            if "category" not in led.columns:
                led["category"] = "ledger"
            led["category"] = as_labels(led["category"])
            led_codes = pd.Index(ids).get_indexer(led["id"])
            if (led_codes < 0).any():
                row = int(np.flatnonzero(led_codes < 0)[0])
                raise data_error("costs", "id", row, "the cost belongs to an id that is not in the individuals table", led["id"].iloc[row])
            led_date = days(led["date"], "costs", "date", led["id"])
            led_amount = numbers(led["amount"], "costs", "amount", led["id"])
            categories = list(pd.unique(led["category"]))
            led_cat = label_codes(led["category"], categories).astype(np.uint32)
            led["date"] = to_dates(led_date)
            led["amount"] = led_amount
        else:
            led_codes = np.zeros(0, dtype=np.int64)
            led_date = np.zeros(0, dtype=np.int32)
            led_amount = np.zeros(0)
            led_cat = np.zeros(0, dtype=np.uint32)
            categories = []

        # Price index.
        pidx = None
        if price_index is not None:
            if isinstance(price_index, Mapping):
                pidx = pd.DataFrame({"year": list(price_index.keys()), "index": list(price_index.values())})
            else:
                pidx = select(to_pandas(price_index, "price_index"), "price_index", ["year", "index"], [], columns)
            years = numbers(pidx["year"], "price_index", "year")
            if np.isnan(years).any() or (years != np.round(years)).any():
                row = int(np.flatnonzero(np.isnan(years) | (years != np.round(years)))[0])
                raise data_error("price_index", "year", row, f"the year {pidx['year'].iloc[row]!r} is not a whole year")
            pidx["year"] = years.astype(np.int32)
            pidx["index"] = numbers(pidx["index"], "price_index", "index")
            base_year = int(pidx["year"].max()) if base_year is None else int(base_year)

        tables = {"individuals": ind, "episodes": ep, "tariffs": tar, "costs": led, "price_index": pidx}
        try:
            core = _core.CohortCore(
                index_days, end_days, (ind["group"] == PARTICIPANT).to_numpy(),
                codes.astype(np.int64), ep_start, ep_end, ep_type, len(care_types),
                None if tar is None else tar_type, None if tar is None else tar_from, None if tar is None else tar_cost,
                led_codes.astype(np.int64), led_date, led_amount, led_cat, len(categories),
                None if pidx is None else pidx["year"].to_numpy(np.int32),
                None if pidx is None else pidx["index"].to_numpy(np.float64),
                base_year if pidx is not None else None,
                allow_overlaps,
            )
        except DataError as err:
            raise name_row(err, {k: v for k, v in tables.items() if v is not None}) from None
        return cls(individuals=ind, episodes=ep, tariffs=tar, costs_ledger=led, price_index=pidx,
                   base_year=base_year if pidx is not None else None, care_types=care_types,
                   categories=categories, core=core, allow_overlaps=allow_overlaps)

    def __reduce__(self):
        # Picklable (for process pools and Dask workers): the validated tables
        # travel, and the core is rebuilt from them on arrival.
        return (_rebuild, (self.individuals, self.episodes, self.tariffs, self.costs_ledger, self.price_index,
                           self.base_year, self.allow_overlaps))

    # ------------------------------------------------------------------ basics
    @property
    def ids(self) -> pd.Index:
        """The individuals' ids, in table order."""
        return pd.Index(self.individuals["id"], name="id")

    @property
    def participants(self) -> np.ndarray:
        """Boolean mask of participants, in table order."""
        return (self.individuals["group"] == PARTICIPANT).to_numpy()

    def __len__(self) -> int:
        return len(self.individuals)

    def fingerprints(self) -> dict:
        """SHA-256 of every input table, as validated (None for an absent table)."""
        if self._fingerprints is None:
            tables = {"individuals": self.individuals, "episodes": self.episodes, "tariffs": self.tariffs,
                      "costs": self.costs_ledger, "price_index": self.price_index}
            self._fingerprints = {k: (None if v is None else _fingerprint(v)) for k, v in tables.items()}
        return dict(self._fingerprints)

    def subset(self, mask: Union[np.ndarray, Sequence[bool]]) -> "Cohort":
        """A cohort of the individuals where ``mask`` is True (their episodes and costs too)."""
        mask = np.asarray(mask, dtype=bool)
        keep = set(self.individuals["id"][mask])
        ep = self.episodes[self.episodes["id"].isin(keep)]
        led = None if self.costs_ledger is None else self.costs_ledger[self.costs_ledger["id"].isin(keep)]
        return Cohort.from_frames(self.individuals[mask], ep, self.tariffs, led,
                                  self.price_index, base_year=self.base_year, allow_overlaps=self.allow_overlaps)

    # ------------------------------------------------------------------ queries
    def _frame(self, start, end, complete, values, care_types: Optional[Iterable[str]], ledger: bool,
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

    def _care_type_positions(self, care_types: Optional[Iterable[str]]) -> list:
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
                  window: Optional[tuple] = None) -> pd.DataFrame:
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
            bounds = days(pd.Series(list(window)), "window", "window")
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
        matrix = self._core.trajectories(int(months))
        return pd.DataFrame(matrix, index=self.ids, columns=pd.RangeIndex(1, int(months) + 1, name="month"))

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
        return (f"Cohort({n_p} participants, {len(self) - n_p} historical, {len(self.episodes)} episodes, "
                f"care types {self.care_types}{price})")

    def _repr_html_(self) -> str:
        return f"<p><b>utfall.Cohort</b>: {repr(self)[7:-1]}</p>" + self.summary().to_html()


def _rebuild(individuals, episodes, tariffs, costs, price_index, base_year, allow_overlaps) -> Cohort:
    """A cohort from its validated tables (the other side of ``Cohort.__reduce__``)."""
    return Cohort.from_frames(individuals, episodes, tariffs, costs, price_index, base_year=base_year,
                              allow_overlaps=allow_overlaps)
