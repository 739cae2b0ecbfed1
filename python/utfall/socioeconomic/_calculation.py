"""The social investment calculation: who pays, who gains, when (Nilsson & Wadeskog; the Green Book)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .._seeds import seed_or_new
from .._typing import DiscountTiming
from .._validation import one_of, whole_number
from ..errors import SpecError
from . import _discount, _model, _plots, _record, _sensitivity
from ._evidence import Distribution, evidence
from ._model import Item
from ._unit_costs import UnitCosts

MSEK = 1e6
READABLE = {"npv": "NPV ({c})", "nominal": "nominal total ({c})", "pv_benefits": "PV benefits ({c})",
            "pv_costs": "PV costs ({c})", "bcr": "benefit-cost ratio", "roi": "ROI",
            "break_even_year": "break-even year", "break_even_year_nominal": "break-even year (nominal)",
            "payback_year": "payback year", "hump_depth": "hump depth ({c})", "hump_year": "hump year",
            "breaks_even_within_term": "breaks even within {t} years"}


class Calculation:
    """A social investment calculation: cash flows per actor and year, discounted.

    Parameters
    ----------
    actors : sequence of str
        Who pays and who gains ("social services", "schools", "region", "state", "individual", "investor").
    horizon_years : int
        Years ``0 .. horizon_years - 1``, counted from ``base_year`` (0 = the base year).
    discount_rate : float, sequence, mapping or "green book"
        A constant rate, one rate per year, a step schedule ``{first year: rate}``
        or the Green Book's 3.5 % to year 30 and 3.0 % after (see :mod:`._discount`).
    base_year : int
        The calendar year of year 0 (unit costs are looked up by calendar year).
    timing : {"start", "end"}
        When in its year a year's flows fall: ``"start"`` (the Green Book's
        convention, ``D_t = (1 + r)^-t``, year 0 undiscounted) or ``"end"``
        (``D_t = (1 + r)^-(t+1)``).
    unit_costs : UnitCosts, optional
        The unit-cost table (or give it with :meth:`set_unit_costs`).
    term_years : int, optional
        The term of office for "breaks even within the term": years ``0 .. term_years - 1``
        (default 4, a Swedish term of office, or the horizon when shorter).
    currency : str

    Notes
    -----
    Positive amounts are gains of an actor, negative ones costs. With ``F_et``
    the flow of entity ``e`` (an actor, or society: every actor's flows except
    transfers) in year ``t`` and ``D_t`` the discount factor:
    ``NPV_e = sum_t D_t F_et``; cumulative position ``C_et = sum_{s<=t} D_s F_es``;
    break-even year: the first ``t`` whose cumulative position ``C_et >= 0``, counted
    from the actor's first year with a cash flow ``t0`` (before it there is nothing
    to recover; a deliberate refinement of "the first year whose position is >= 0",
    which would let an actor funded in full until a later, unrecovered cost "break
    even" in year 0 on a position of zero); payback year: the first ``t >= t0`` from
    which ``C_es >= 0`` for all later ``s``; "within ``N`` years": a break-even year
    ``<= N - 1``; investment hump: depth ``min(0, min_t C_et)``
    and the year of that minimum. Each line is a benefit or a cost by the sign of
    its undiscounted point total (a transfer: a cost to the payer, a benefit to the
    payee); benefit-cost ratio ``PV benefits / PV costs``; ROI ``NPV / PV costs``.

    Examples
    --------
    >>> calc = Calculation(["social services", "state"], horizon_years=3, discount_rate=0.0, base_year=2016)
    >>> calc.add("social services", 0, -100.0, label="team")
    >>> calc.add("social services", [1, 2], [60.0, 60.0], label="placements avoided")
    >>> calc.npv(), calc.break_even_year(), calc.hump("social services")
    (20.0, 2, {'depth': -100.0, 'year': 0})
    """

    def __init__(self, actors: Sequence[str], horizon_years: int, discount_rate: Any = 0.035, base_year: int = 0,
                 *, timing: str = "start", unit_costs: Optional[UnitCosts] = None, term_years: Optional[int] = None,
                 currency: str = "SEK") -> None:
        actors = [str(a) for a in actors] if not isinstance(actors, str) else [actors]
        if not actors or len(set(actors)) != len(actors) or "society" in actors:
            raise SpecError(f"actors must be distinct names (not 'society', which is their sum), not {actors}")
        self.actors: List[str] = actors
        self.horizon_years = whole_number(horizon_years, "horizon_years", 1, 1000)
        self.base_year = whole_number(base_year, "base_year", -10**6, 10**6)
        self.timing = one_of(timing, DiscountTiming, "timing")
        self.discount_rate = discount_rate
        self.rates = _discount.rates_per_year(discount_rate, self.horizon_years)
        self.discount_factors = _discount.factors(self.rates, self.timing)
        self.term_years = min(4, self.horizon_years) if term_years is None else \
            whole_number(term_years, "term_years", 1, self.horizon_years)
        self.currency = currency
        if unit_costs is not None and not isinstance(unit_costs, UnitCosts):
            raise SpecError("unit_costs must be a UnitCosts table (UnitCosts(frame, source=...))")
        self._unit_costs = unit_costs
        self.items: List[Item] = []
        self._point: Optional[_model.Run] = None

    # ------------------------------------------------------------------ building
    @property
    def unit_costs(self) -> UnitCosts:
        if self._unit_costs is None:
            raise SpecError("this calculation has no unit-cost table: set_unit_costs(UnitCosts(frame, source=...))")
        return self._unit_costs

    def set_unit_costs(self, table: Any, source: Optional[str] = None, columns: Optional[Dict[str, str]] = None
                       ) -> "Calculation":
        """Sets the unit-cost table (a :class:`UnitCosts`, or a frame with ``source=``)."""
        self._unit_costs = table if isinstance(table, UnitCosts) else UnitCosts(table, source or "", columns)
        self._point = None
        return self

    def add(self, actor: str, year: Any, amount: Any, label: Optional[str] = None) -> None:
        """Adds ``amount`` (positive: a gain, negative: a cost) to ``actor`` in ``year``.

        ``year`` and ``amount`` may be arrays of equal length (or one amount for
        every year); ``amount`` may also be a :class:`Distribution` or evidence.
        """
        years = self._years(year)
        self._append(Item("amount", self._actor(actor), years, self._value(amount, years, label or "amount"),
                          label or f"amount {len(self.items) + 1}"))

    def cost(self, actor: str, year: Any, amount: Any, label: Optional[str] = None) -> None:
        """Adds a cost: ``amount`` given as a positive number is charged to ``actor``."""
        years = self._years(year)
        self._append(Item("amount", self._actor(actor), years, self._value(amount, years, label or "cost"),
                          label or f"cost {len(self.items) + 1}", sign=-1.0))

    def transfer(self, payer: str, payee: str, year: Any, amount: Any, label: Optional[str] = None) -> None:
        """A payment from ``payer`` to ``payee`` (an outcome payment, a grant): a cost to
        one, an income to the other, and nothing for society. ``amount`` may be a
        :class:`utfall.contract.Settlement` (its total payment, with its replicates)."""
        years = self._years(year)
        payee = self._actor(payee)
        if payee == self._actor(payer):
            raise SpecError(f"transfer: payer and payee are both {payer!r}")
        self._append(Item("transfer", payer, years, self._value(amount, years, label or "transfer"),
                          label or f"transfer {len(self.items) + 1}", payee=payee))

    def add_effect(self, actor: str, effect: Any, *, unit_cost: Optional[str] = None, start: int = 0,
                   years: Any = None, share: float = 1.0, label: Optional[str] = None) -> None:
        """Adds an effect: a changed volume (times a unit cost) or an amount in SEK.

        Parameters
        ----------
        actor : str
        effect : number, array, Distribution, utfall result or evidence
            Positive values are gains (care days avoided, costs saved, years in
            employment gained); an :class:`utfall.Evaluation` gives its savings per
            year since index with its bootstrap replicates (see
            :func:`~utfall.socioeconomic.from_evaluation`); any object with
            ``per_year()`` (and ``replicates()``) works (see :mod:`._evidence`).
        unit_cost : str, optional
            The item of the unit-cost table that prices one unit; without it the
            effect is an amount (its unit must be SEK, or none).
        start : int
            The calculation year of the effect's first year (years since index
            1, 2, ... land on ``start``, ``start + 1``, ...).
        years : int or array, optional
            The years of the effect (a number or a Distribution applies to each of them).
        share : float
            The share of the effect that falls on ``actor`` (e.g. 0.6 of the savings).
        """
        label = label or getattr(effect, "label", None) or f"effect {len(self.items) + 1}"
        value = self._value(effect, None if years is None else self._years(years), label)
        n = len(value.per_year()) if not isinstance(value, Distribution) else None
        if years is None:
            if n is None:
                raise SpecError(f"add_effect {label!r}: give years= for a Distribution")
            years = list(range(start, start + n))
        yrs = self._years(years)
        if n is not None and n != len(yrs):
            raise SpecError(f"add_effect {label!r}: the effect has {n} year(s), years= gives {len(yrs)}")
        unit = str(getattr(value, "unit", ""))
        if unit_cost is None and unit not in ("", self.currency):
            raise SpecError(f"add_effect {label!r}: the effect is in {unit!r}; give unit_cost= to price it")
        if unit_cost is not None:
            self.unit_costs.lookup(unit_cost, self.base_year + np.asarray(yrs))
        if not np.isfinite(share):
            raise SpecError(f"add_effect {label!r}: share must be finite, not {share}")
        self._append(Item("effect", self._actor(actor), yrs, value, label, unit_cost=unit_cost, share=float(share)))

    def _append(self, item: Item) -> None:
        self.items.append(item)
        self._point = None

    def _actor(self, actor: str) -> str:
        if actor not in self.actors:
            raise SpecError(f"actor {actor!r} does not exist in this calculation; its actors are {self.actors}")
        return actor

    def _years(self, year: Any) -> Tuple[int, ...]:
        years = np.atleast_1d(np.asarray(year))
        if years.ndim != 1 or len(years) == 0 or not np.issubdtype(years.dtype, np.number) \
                or np.any(years % 1 != 0):
            raise SpecError(f"years must be whole numbers counted from the base year, not {year!r}")
        outside = [int(y) for y in years if not 0 <= y < self.horizon_years]
        if outside:
            raise SpecError(f"year(s) {outside} are outside the horizon: years run from 0 (the base year "
                            f"{self.base_year}) to {self.horizon_years - 1}")
        if len(set(years.tolist())) != len(years):
            raise SpecError(f"years {years.tolist()} repeat a year")
        return tuple(int(y) for y in years)

    def _value(self, amount: Any, years: Optional[Tuple[int, ...]], label: str) -> Any:
        value = evidence(amount, len(years) if years is not None else 1, label)
        if years is not None and not isinstance(value, Distribution):
            n = len(value.per_year())
            if n != len(years):
                raise SpecError(f"{label}: {n} amount(s) for {len(years)} year(s)")
        return value

    # ------------------------------------------------------------------ point results
    def point_run(self) -> _model.Run:
        if self._point is None:
            self._point = _model.run(self, self.items)
        return self._point

    def results(self) -> pd.DataFrame:
        """One row per actor and society: NPV, nominal total, PV of benefits and costs,
        benefit-cost ratio, ROI, break-even and payback year, hump depth and year,
        and whether it breaks even within the term (machine column names)."""
        return _model.entity_frame(self.point_run(), self.term_years)

    def _entity(self, actor: Optional[str]) -> str:
        return "society" if actor is None else self._actor(actor)

    def npv(self, actor: Optional[str] = None) -> float:
        """Net present value of ``actor`` (None: society)."""
        return float(self.point_run().column("npv", self._entity(actor))[0])

    def break_even_year(self, actor: Optional[str] = None, discounted: bool = True) -> Optional[int]:
        """The first year, from the actor's first cash flow on, whose cumulative position is >= 0, or None."""
        name = "break_even" if discounted else "break_even_nominal"
        return _model.year_or_none(int(self.point_run().column(name, self._entity(actor))[0]))

    def payback_year(self, actor: Optional[str] = None) -> Optional[int]:
        """The first year from which the discounted cumulative position stays >= 0, or None."""
        return _model.year_or_none(int(self.point_run().column("payback", self._entity(actor))[0]))

    def breaks_even_within(self, years: int, actor: Optional[str] = None, discounted: bool = True) -> bool:
        """Whether the break-even year is at most ``years - 1`` (within the first ``years`` years)."""
        be = self.break_even_year(actor, discounted)
        return be is not None and be <= whole_number(years, "years", 1, self.horizon_years) - 1

    def benefit_cost_ratio(self, actor: Optional[str] = None) -> float:
        return float(self.results()["bcr"][self._entity(actor)])

    def roi(self, actor: Optional[str] = None) -> float:
        """Return on investment ``NPV / PV costs``."""
        return float(self.results()["roi"][self._entity(actor)])

    def hump(self, actor: Optional[str] = None) -> Dict[str, Any]:
        """The investment hump: ``depth`` (the lowest cumulative discounted position, <= 0) and its ``year``."""
        e = self._entity(actor)
        run = self.point_run()
        return {"depth": float(run.column("hump_depth", e)[0]),
                "year": _model.year_or_none(int(run.column("hump_year", e)[0]))}

    def winners_and_losers(self) -> pd.DataFrame:
        """Who gains and who loses: each actor's NPV, largest first, with ``gains`` or ``loses``."""
        r = self.results().drop(index="society")[["npv"]].sort_values("npv", ascending=False)
        r["verdict"] = np.where(r["npv"] > 0, "gains", np.where(r["npv"] < 0, "loses", "neither"))
        return r

    def table(self, discounted: bool = False, cumulative: bool = False) -> pd.DataFrame:
        """The actor-by-year table (rows: actors and society; columns: calendar years)."""
        run = self.point_run()
        grid = run.grid("flows")[0]
        if discounted:
            grid = grid * self.discount_factors[None, :]
        if cumulative:
            grid = run.grid("cumulative")[0] if discounted else np.cumsum(grid, axis=1)
        return pd.DataFrame(grid, index=pd.Index(run.entities, name="actor"),
                            columns=pd.Index(self.base_year + np.arange(self.horizon_years), name="year"))

    def lines(self) -> pd.DataFrame:
        """Every line of the calculation: kind, actor (payer), payee, label, years, unit cost, share, scale and
        its undiscounted point total."""
        rows = []
        for it in self.items:
            total = float(np.sum(_model.coefficients(self, it)[list(it.years)] * it.point()))
            rows.append({"kind": it.kind, "actor": it.actor, "payee": it.payee, "label": it.label,
                         "years": f"{it.years[0]}-{it.years[-1]}" if len(it.years) > 1 else str(it.years[0]),
                         "unit_cost": it.unit_cost, "share": it.share, "scale": it.scale,
                         "uncertain": isinstance(it.value, Distribution) or it.value.replicates() is not None,
                         f"total ({self.currency})": total})
        return pd.DataFrame(rows)

    def summary(self, readable: bool = True) -> pd.DataFrame:
        """:meth:`results` with units in the column names (amounts in MSEK)."""
        frame = self.results()
        if not readable:
            return frame
        c = f"M{self.currency}"
        for col in ("npv", "nominal", "pv_benefits", "pv_costs", "hump_depth"):
            frame[col] = frame[col] / MSEK
        return frame.rename(columns={k: v.format(c=c, t=self.term_years) for k, v in READABLE.items()})

    # ------------------------------------------------------------------ uncertainty, scenarios
    def simulate(self, n_replicates: Optional[int] = None, seed: Optional[int] = None, *,
                 confidence_level: float = 0.95, n_threads: Optional[int] = None) -> Any:
        """Monte Carlo over the effects' replicates and distributions (see :class:`Simulation`).

        Replicate ``b`` uses replicate ``b`` of every evidence (the first
        ``n_replicates``; by default as many as the evidence with the fewest has,
        10,000 without evidence replicates) and fresh draws of every
        :class:`Distribution` (seeded from ``seed``), so the result is the same on
        any number of threads.
        """
        from ._simulation import Simulation

        seed = seed_or_new(seed)
        n = _model.replicate_count(self.items, n_replicates)
        run = _model.run(self, self.items, n, seed, keep_cumulative=True, n_threads=n_threads)
        return Simulation(self, run, seed=seed, confidence_level=confidence_level)

    def copy(self, items: Optional[List[Item]] = None, discount_rate: Any = None) -> "Calculation":
        other = Calculation(self.actors, self.horizon_years, self.discount_rate if discount_rate is None
                            else discount_rate, self.base_year, timing=self.timing, unit_costs=self._unit_costs,
                            term_years=self.term_years, currency=self.currency)
        other.items = list(self.items if items is None else items)
        return other

    def scenario(self, scale: float = 1.0, effects: Optional[Dict[str, float]] = None,
                 replace: Optional[Dict[str, Any]] = None, only: Optional[str] = None) -> "Calculation":
        """A copy with the effects scaled or replaced: every effect times ``scale``,
        the effects labelled in ``effects`` times their factor instead, those in
        ``replace`` replaced by a new value (number, array, Distribution, evidence),
        and with ``only=label`` every other effect set to 0 ("only one succeeds").
        Amounts and transfers are not touched."""
        labels = {it.label for it in self.items if it.kind == "effect"}
        for name in list(effects or {}) + list(replace or {}) + ([only] if only else []):
            if name not in labels:
                raise SpecError(f"scenario: no effect labelled {name!r}; the effects are {sorted(labels)}")
        items = []
        for it in self.items:
            if it.kind == "effect":
                if replace and it.label in replace:
                    it = it.replaced(self._value(replace[it.label], it.years, it.label))
                elif only is not None:
                    it = it.scaled(1.0 if it.label == only else 0.0)
                else:
                    it = it.scaled((effects or {}).get(it.label, scale))
            items.append(it)
        return self.copy(items)

    def scenarios(self, spec: Optional[Dict[str, Any]] = None) -> pd.DataFrame:
        """Every named scenario's results per actor (see :func:`~utfall.socioeconomic.scenarios`)."""
        return _sensitivity.scenarios(self, spec)

    def tornado(self, actor: Optional[str] = None, low: float = 0.8, high: float = 1.2,
                ranges: Optional[Dict[str, Any]] = None) -> Any:
        """One-way sensitivity on every parameter (see :func:`~utfall.socioeconomic.tornado`)."""
        return _sensitivity.tornado(self, actor, low, high, ranges)

    def effect_needed(self, label: str, within: Optional[int] = None, actor: Optional[str] = None,
                      discounted: bool = True) -> Dict[str, Any]:
        """The factor on an effect needed to break even within ``within`` years
        (see :func:`~utfall.socioeconomic.effect_needed`)."""
        return _sensitivity.effect_needed(self, label, within, actor, discounted)

    # ------------------------------------------------------------------ record, plots
    def to_dict(self, simulation: Any = None) -> Dict[str, Any]:
        """The audit record: every input (the unit-cost table with its source and SHA-256), a
        SHA-256 of the inputs, the point results, and a simulation's numbers when given."""
        return _record.to_dict(self, simulation)

    def to_json(self, path: Any = None, indent: Optional[int] = None, simulation: Any = None) -> str:
        """:meth:`to_dict` as JSON (floats exact), written to ``path`` when given;
        :func:`~utfall.socioeconomic.load_calculation` reads it back."""
        return _record.to_json(self, path, indent, simulation)

    def plot_hump(self, actors: Any = None, simulation: Any = None, ax: Any = None, scale: float = MSEK) -> Any:
        """The cumulative discounted position per actor over the years (the investment hump),
        with the simulation's band when given. Returns the Axes."""
        return _plots.plot_hump(self, actors, simulation, ax, scale)

    def plot_heatmap(self, discounted: bool = False, ax: Any = None, scale: float = MSEK) -> Any:
        """The actor-by-year table as a heat map. Returns the Axes."""
        return _plots.plot_heatmap(self, discounted, ax, scale)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        r = self.results()
        c = f"M{self.currency}"
        last = self.base_year + self.horizon_years - 1
        lines = [f"Calculation({len(self.actors)} actors, years {self.base_year}-{last}"
                 f", discount {_rate_text(self.discount_rate)}, {len(self.items)} lines)"]
        for e, row in r.iterrows():
            be = "never" if pd.isna(row["break_even_year"]) else f"year {row['break_even_year']}"
            lines.append(f"  {e}: NPV {row['npv'] / MSEK:,.2f} {c}, hump {row['hump_depth'] / MSEK:,.2f} {c}, "
                         f"break-even {be}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (f"<p><b>utfall.socioeconomic.Calculation</b>: {len(self.actors)} actors, years {self.base_year}-"
                f"{self.base_year + self.horizon_years - 1}, discount {_rate_text(self.discount_rate)} "
                f"({self.timing} of year)</p>")
        return head + self.summary().to_html(float_format=lambda v: f"{v:,.2f}", na_rep="-")


def _rate_text(rate: Any) -> str:
    if isinstance(rate, str):
        return rate
    if np.ndim(rate) == 0 and not isinstance(rate, dict):
        return f"{float(rate):.1%}"
    return "scheduled"
