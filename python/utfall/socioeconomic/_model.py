"""The calculation's items, laid on the year grid and handed to the core engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from .._seeds import Purpose, child_seed
from ..errors import SpecError
from ._evidence import Distribution

#: The engine's results per replicate and entity.
SCALARS = ("npv", "nominal", "pv_benefits", "pv_costs", "hump_depth")
YEARS = ("break_even", "break_even_nominal", "payback", "hump_year")


@dataclass(frozen=True)
class Item:
    """One line of the calculation: an amount, an effect or a transfer.

    Its amount in the calculation's year ``years[k]`` is
    ``sign * share * scale * unit_cost[k] * value[k]`` (``unit_cost = 1`` without an
    item of the unit-cost table) for ``actor``; a transfer gives ``-amount`` to
    ``actor`` (the payer) and ``+amount`` to ``payee``.
    """

    kind: str  # "amount", "effect" or "transfer"
    actor: str
    years: Tuple[int, ...]
    value: Any  # Evidence or Distribution
    label: str
    unit_cost: Optional[str] = None
    share: float = 1.0
    sign: float = 1.0
    scale: float = 1.0
    payee: Optional[str] = None

    def point(self) -> np.ndarray:
        """The point value of each of the item's years (before unit costs and scaling)."""
        if isinstance(self.value, Distribution):
            return np.full(len(self.years), self.value.mean)
        return np.asarray(self.value.per_year(), dtype=np.float64)

    def scaled(self, factor: float) -> "Item":
        return replace(self, scale=self.scale * factor)

    def replaced(self, value: Any) -> "Item":
        return replace(self, value=value, scale=1.0)


def coefficients(calc: Any, item: Item) -> np.ndarray:
    """The item's multiplier of its value in every year of the grid (0 outside its years)."""
    coef = np.zeros(calc.horizon_years)
    years = np.asarray(item.years, dtype=np.int64)
    unit = np.ones(len(years)) if item.unit_cost is None else \
        calc.unit_costs.lookup(item.unit_cost, calc.base_year + years)
    coef[years] = item.sign * item.share * item.scale * unit
    return coef


def replicate_count(items: List[Item], requested: Optional[int]) -> int:
    """The number of replicates: ``requested``, or the fewest the evidence has (10,000 without any)."""
    counts = {it.label: it.value.n_replicates for it in items
              if not isinstance(it.value, Distribution) and getattr(it.value, "n_replicates", None)}
    fewest = min(counts.values()) if counts else None
    if requested is None:
        return fewest if fewest is not None else 10_000
    if isinstance(requested, bool) or not isinstance(requested, (int, np.integer)) or requested < 1:
        raise SpecError(f"n_replicates must be a whole number >= 1, not {requested!r}")
    if fewest is not None and requested > fewest:
        short = [k for k, v in counts.items() if v < requested]
        raise SpecError(f"n_replicates={requested}, but the effect(s) {short} have only {fewest} replicates; "
                        f"use at most {fewest} (replicate b of every effect is used together)")
    return int(requested)


def build(calc: Any, items: List[Item], n_replicates: Optional[int], seed: int) -> Tuple[List[Any], List[Any]]:
    """Sources and components for the core: point values when ``n_replicates`` is None."""
    t_n = calc.horizon_years
    index = {a: k for k, a in enumerate(calc.actors)}
    sources: List[np.ndarray] = []
    keys: Dict[Tuple[int, Tuple[int, ...]], int] = {}
    draws: Dict[int, np.ndarray] = {}
    components = []
    for item in items:
        coef = coefficients(calc, item)
        years = list(item.years)
        source: Optional[int] = None
        rows = None
        if n_replicates is not None:
            if isinstance(item.value, Distribution):
                if id(item.value) not in draws:
                    draws[id(item.value)] = item.value.draw(
                        n_replicates, child_seed(seed, Purpose.SOCIOECONOMIC_DRAWS, len(draws)))
                rows = np.repeat(draws[id(item.value)][:, None], len(years), axis=1)
            else:
                reps = item.value.replicates()
                rows = None if reps is None else reps[:n_replicates]
        if rows is not None:
            key = (id(item.value), item.years)
            if key not in keys:
                grid = np.zeros((len(rows), t_n))
                grid[:, years] = rows
                keys[key] = len(sources)
                sources.append(grid)
            source = keys[key]
        else:
            values = np.zeros(t_n)
            values[years] = item.point()
            coef = coef * values
        point_total = float(np.sum(coefficients(calc, item)[years] * item.point()))
        if item.kind == "transfer":
            components.append((index[item.actor], False, True, source, np.ascontiguousarray(-coef)))
            components.append((index[item.payee], True, True, source, np.ascontiguousarray(coef)))
        else:
            components.append((index[item.actor], point_total >= 0, False, source, np.ascontiguousarray(coef)))
    return sources, components


class Run:
    """The engine's numbers of one run: ``n_replicates x entities`` arrays (entities: the actors, then society)."""

    def __init__(self, calc: Any, raw: Dict[str, np.ndarray]) -> None:
        self.entities = list(calc.actors) + ["society"]
        self.years = calc.horizon_years
        self.raw = raw

    def column(self, name: str, entity: str) -> np.ndarray:
        return self.raw[name][:, self.entities.index(entity)]

    def grid(self, name: str) -> np.ndarray:
        """``cumulative`` or ``flows`` as ``n_replicates x entities x years``."""
        a = self.raw[name]
        return a.reshape(a.shape[0], len(self.entities), self.years)


def run(calc: Any, items: List[Item], n_replicates: Optional[int] = None, seed: int = 0,
        keep_cumulative: bool = False, n_threads: Optional[int] = None) -> Run:
    """Runs the core on the items (point values when ``n_replicates`` is None)."""
    sources, components = build(calc, items, n_replicates, seed)
    raw = _core.socioeconomic_simulate(calc.discount_factors.tolist(), len(calc.actors), sources, components,
                                       n_replicates or 1, keep_cumulative=keep_cumulative or n_replicates is None,
                                       keep_flows=n_replicates is None, n_threads=n_threads)
    return Run(calc, raw)


def year_or_none(value: int) -> Optional[int]:
    return None if value < 0 else int(value)


def entity_frame(point: Run, term: int) -> pd.DataFrame:
    """The point results per entity (machine column names)."""
    rows = []
    for e in point.entities:
        get = {n: point.column(n, e)[0] for n in SCALARS + YEARS}
        costs, benefits = float(get["pv_costs"]), float(get["pv_benefits"])
        be = year_or_none(int(get["break_even"]))
        rows.append({"entity": e, "npv": float(get["npv"]), "nominal": float(get["nominal"]),
                     "pv_benefits": benefits, "pv_costs": costs,
                     "bcr": benefits / costs if costs > 0 else np.nan,
                     "roi": float(get["npv"]) / costs if costs > 0 else np.nan,
                     "break_even_year": be, "break_even_year_nominal": year_or_none(int(get["break_even_nominal"])),
                     "payback_year": year_or_none(int(get["payback"])),
                     "hump_depth": float(get["hump_depth"]), "hump_year": year_or_none(int(get["hump_year"])),
                     "breaks_even_within_term": be is not None and be <= term - 1})
    frame = pd.DataFrame(rows).set_index("entity")
    for c in ("break_even_year", "break_even_year_nominal", "payback_year", "hump_year"):
        frame[c] = frame[c].astype("Int64")
    return frame
