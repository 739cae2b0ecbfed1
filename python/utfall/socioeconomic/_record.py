"""The calculation's JSON record: every input (the unit-cost table fingerprinted) and the point results."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional

import numpy as np

from .._core import __version__
from . import _discount
from ._evidence import Distribution, Evidence

FORMAT = "utfall.socioeconomic/1"


def _plain(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if np.isfinite(v) else str(v).replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if v is None or (hasattr(v, "__class__") and type(v).__name__ == "NAType"):
        return None
    return v


def _value(value: Any) -> Dict[str, Any]:
    if isinstance(value, Distribution):
        return {"distribution": value.to_dict()}
    ev = value if isinstance(value, Evidence) else Evidence(value.per_year(), value.replicates(),
                                                             unit=value.unit, label=value.label)
    return {"evidence": ev.to_dict()}


def inputs(calc: Any) -> Dict[str, Any]:
    """Every input of the calculation as plain JSON data."""
    lines = [{"kind": it.kind, "actor": it.actor, "payee": it.payee, "years": list(it.years), "label": it.label,
              "unit_cost": it.unit_cost, "share": it.share, "sign": it.sign, "scale": it.scale, **_value(it.value)}
             for it in calc.items]
    return {"actors": calc.actors, "horizon_years": calc.horizon_years,
            "discount_rate": _discount.describe(calc.discount_rate), "base_year": calc.base_year,
            "timing": calc.timing, "term_years": calc.term_years, "currency": calc.currency,
            "unit_costs": None if calc._unit_costs is None else calc._unit_costs.to_dict(), "lines": lines}


def to_dict(calc: Any, simulation: Any = None) -> Dict[str, Any]:
    """The audit record: format, version, the inputs and their SHA-256, the point results (and a simulation's)."""
    data = inputs(calc)
    text = json.dumps(data, sort_keys=True, allow_nan=False, ensure_ascii=False)
    results = {e: {k: _plain(v) for k, v in row.items()} for e, row in calc.results().iterrows()}
    out = {"format": FORMAT, "utfall_version": __version__, "inputs": data,
           "inputs_sha256": hashlib.sha256(text.encode()).hexdigest(), "results": results}
    if simulation is not None:
        out["simulation"] = simulation.to_dict()
    return out


def to_json(calc: Any, path: Any = None, indent: Optional[int] = None, simulation: Any = None) -> str:
    text = json.dumps(to_dict(calc, simulation), indent=indent, allow_nan=False, ensure_ascii=False)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text
