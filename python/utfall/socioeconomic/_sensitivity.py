"""Scenarios, one-way sensitivity (the tornado) and the effect needed to break even."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from .._validation import whole_number
from ..errors import ComputationError, SpecError

MSEK = 1e6


def default_scenarios(calc: Any) -> Dict[str, Dict[str, Any]]:
    """Full success (every effect as estimated), half, failure (no effect) and, with
    several effects, "only <label> succeeds" for each (seed 004's risk analysis)."""
    out: Dict[str, Dict[str, Any]] = {"full success": {"scale": 1.0}, "half": {"scale": 0.5},
                                      "failure": {"scale": 0.0}}
    labels = list(dict.fromkeys(it.label for it in calc.items if it.kind == "effect"))
    if len(labels) > 1:
        out.update({f"only {label} succeeds": {"only": label} for label in labels})
    return out


def scenarios(calc: Any, spec: Optional[Dict[str, Any]] = None) -> pd.DataFrame:
    """Each named scenario's NPV, break-even year, hump and verdict per actor and society.

    ``spec`` maps a name to a factor (every effect scaled) or to the keyword
    arguments of :meth:`Calculation.scenario` (``scale``, ``effects``, ``replace``,
    ``only``); by default :func:`default_scenarios`. Index ``(scenario, actor)``.
    """
    spec = default_scenarios(calc) if spec is None else spec
    frames = []
    for name, how in spec.items():
        kwargs: Dict[str, Any] = dict(how) if isinstance(how, dict) else {"scale": float(how)}
        frame = calc.scenario(**kwargs).results()
        frame.insert(0, "scenario", name)
        frames.append(frame)
    table = pd.concat(frames).reset_index().set_index(["scenario", "entity"])
    table.index.names = ["scenario", "actor"]
    out: pd.DataFrame = table[["npv", "nominal", "break_even_year", "payback_year", "hump_depth", "hump_year",
                  "breaks_even_within_term"]]
    return out


def _parameters(calc: Any) -> List[Tuple[str, str, Any]]:
    """(name, kind, key) of every parameter: the discount rate, each unit cost, each line's amount."""
    params: List[Tuple[str, str, Any]] = [("discount rate", "discount", None)]
    for item in sorted({it.unit_cost for it in calc.items if it.unit_cost is not None}):
        params.append((f"unit cost: {item}", "unit_cost", item))
    seen = set()
    for it in calc.items:
        key = (it.kind, it.label)
        if key not in seen:
            seen.add(key)
            params.append((f"{it.kind}: {it.label}", "line", key))
    return params


def _varied(calc: Any, kind: str, key: Any, factor: float) -> Any:
    if kind == "discount":
        return calc.copy(discount_rate=[r * factor for r in calc.rates])
    if kind == "unit_cost":
        return calc.copy([it.scaled(factor) if it.unit_cost == key else it for it in calc.items])
    return calc.copy([it.scaled(factor) if (it.kind, it.label) == key else it for it in calc.items])


class Tornado:
    """One-way sensitivity: each parameter at its low and high value, the rest as given.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per parameter, largest swing first: ``low``, ``high`` (the factors
        applied: the discount rate's every yearly rate, a unit cost, a line's
        amount), ``npv_low``, ``npv_high`` and ``swing = |npv_high - npv_low|``.
    base : float
        The NPV as given.
    actor : str
    """

    def __init__(self, table: pd.DataFrame, base: float, actor: str, currency: str) -> None:
        self.table, self.base, self.actor, self.currency = table, base, actor, currency

    def plot(self, ax: Any = None, scale: float = MSEK) -> Any:
        from ._plots import plot_tornado

        return plot_tornado(self, ax=ax, scale=scale)

    def __repr__(self) -> str:
        top = self.table.head(5)
        lines = [f"Tornado(NPV of {self.actor}, base {self.base / MSEK:,.2f} M{self.currency})"]
        lines += [f"  {name}: {r['npv_low'] / MSEK:,.2f} .. {r['npv_high'] / MSEK:,.2f}" for name, r in top.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (f"<p><b>Tornado</b>: NPV of {self.actor} (base {self.base / MSEK:,.2f} M{self.currency})</p>"
                + self.table.to_html(float_format=lambda v: f"{v:,.3f}"))


def tornado(calc: Any, actor: Optional[str] = None, low: float = 0.8, high: float = 1.2,
            ranges: Optional[Dict[str, Tuple[float, float]]] = None) -> Tornado:
    """One-way sensitivity of the NPV of ``actor`` (None: society) on every parameter.

    Every parameter is multiplied by ``low`` and by ``high`` in turn (default
    -20 % and +20 %); ``ranges={name: (low, high)}`` sets the factors of one
    parameter (names as in the table: ``"discount rate"``, ``"unit cost: <item>"``,
    ``"effect: <label>"``, ``"amount: <label>"``, ``"transfer: <label>"``).
    """
    entity = calc._entity(actor)
    params = _parameters(calc)
    names = {p[0] for p in params}
    unknown = sorted(set(ranges or {}) - names)
    if unknown:
        raise SpecError(f"tornado: no parameter {unknown}; the parameters are {sorted(names)}")
    rows = []
    for name, kind, key in params:
        lo, hi = (ranges or {}).get(name, (low, high))
        npv_lo = _varied(calc, kind, key, lo).npv(actor)
        npv_hi = _varied(calc, kind, key, hi).npv(actor)
        rows.append({"parameter": name, "low": lo, "high": hi, "npv_low": npv_lo, "npv_high": npv_hi,
                     "swing": abs(npv_hi - npv_lo)})
    table = pd.DataFrame(rows).set_index("parameter").sort_values("swing", ascending=False, kind="stable")
    return Tornado(table, calc.npv(actor), entity, calc.currency)


def effect_needed(calc: Any, label: str, within: Optional[int] = None, actor: Optional[str] = None,
                  discounted: bool = True) -> Dict[str, Any]:
    """The smallest factor ``k >= 0`` on the effect ``label`` with which ``actor``
    breaks even within ``within`` years (default: the term of office).

    The cumulative position of year ``t`` is linear in the factor,
    ``C_t(k) = a_t + k b_t`` (``a_t`` without the effect, ``b_t`` the effect's
    share), so it is solved in closed form, not by a grid: break-even within
    ``N`` years needs ``C_t(k) >= 0`` for some ``t`` from the first cash flow
    ``t0`` to ``N - 1``, hence ``k* = min over t0 <= t <= N - 1 with b_t > 0 of
    max(-a_t / b_t, 0)`` (0 when the actor already breaks even without the effect). The answer is checked by
    substitution: the scaled calculation's break-even year is at most ``N - 1``.

    Returns ``factor``, ``year`` (the year it breaks even at that factor),
    ``per_year`` (the effect's values times the factor) and ``calculation``.
    """
    n = calc.term_years if within is None else whole_number(within, "within", 1, calc.horizon_years)
    if label not in {it.label for it in calc.items if it.kind == "effect"}:
        raise SpecError(f"effect_needed: no effect labelled {label!r}")

    def position(k: float) -> Tuple[np.ndarray, np.ndarray]:
        run = calc.scenario(effects={label: k}).point_run()
        e = run.entities.index(calc._entity(actor))
        flows = run.grid("flows")[0, e]
        cumulative = run.grid("cumulative")[0, e] if discounted else np.cumsum(flows)
        return np.asarray(cumulative[:n]), np.asarray(flows[:n])

    (a, flows_a), (c1, flows_b) = position(0.0), position(1.0)
    b = c1 - a
    if calc.scenario(effects={label: 0.0}).breaks_even_within(n, actor, discounted):
        k = 0.0
    else:
        nonzero = np.flatnonzero((flows_a != 0) | (flows_b != 0))
        first = int(nonzero[0]) if len(nonzero) else 0
        grows = (b > 0) & (np.arange(n) >= first)
        if not grows.any():
            raise ComputationError(f"effect_needed: no size of {label!r} makes {calc._entity(actor)} break even "
                                   f"within {n} years (the effect does not raise its position in years 0-{n - 1})")
        k = float(np.min(np.maximum(-a[grows] / b[grows], 0.0)))
    scaled = calc.scenario(effects={label: k})
    for _ in range(64):  # the closed form can land a rounding error short of zero: step up to the next float
        if scaled.breaks_even_within(n, actor, discounted):
            break
        k = float(np.nextafter(k, np.inf)) if k > 0 else 5e-324
        k *= 1 + 1e-15
        scaled = calc.scenario(effects={label: k})
    else:
        raise ComputationError("effect_needed: the solution does not survive substitution; please report this")
    effect = next(it for it in calc.items if it.kind == "effect" and it.label == label)
    return {"factor": k, "year": scaled.break_even_year(actor, discounted), "per_year": effect.point() * k,
            "calculation": scaled}
