"""Reading a calculation back from its record (:func:`load_calculation`)."""

from __future__ import annotations

import json
from typing import Any, Dict

from ..errors import ReproductionError
from . import _discount
from ._calculation import Calculation
from ._evidence import Distribution, Evidence
from ._model import Item
from ._record import FORMAT, to_dict
from ._unit_costs import UnitCosts


def _read_value(data: Dict[str, Any]) -> Any:
    if "distribution" in data:
        d = dict(data["distribution"])
        return Distribution(d.pop("distribution"), **d)
    return Evidence.from_dict(data["evidence"])


def load_calculation(source: Any) -> Calculation:
    """A :class:`Calculation` from its record (text, a path or a dict, from :meth:`Calculation.to_json`).

    Raises
    ------
    ReproductionError
        When the record is not a calculation's, its inputs do not match their
        SHA-256, or the recomputed point results differ from the recorded ones.
    """
    if isinstance(source, dict):
        data = source
    else:
        text = source
        if not (isinstance(source, str) and source.lstrip().startswith("{")):
            with open(source, encoding="utf-8") as f:
                text = f.read()
        data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ReproductionError(f"not a social investment calculation record (format {data.get('format')!r}, "
                                f"expected {FORMAT!r})")
    d = data["inputs"]
    uc = None if d["unit_costs"] is None else UnitCosts.from_dict(d["unit_costs"])
    calc = Calculation(d["actors"], d["horizon_years"], _discount.parse(d["discount_rate"]), d["base_year"],
                       timing=d["timing"], unit_costs=uc, term_years=d["term_years"], currency=d["currency"])
    calc.items = [Item(line["kind"], line["actor"], tuple(line["years"]), _read_value(line), line["label"],
                       unit_cost=line["unit_cost"], share=line["share"], sign=line["sign"], scale=line["scale"],
                       payee=line["payee"]) for line in d["lines"]]
    again = to_dict(calc)
    if again["inputs_sha256"] != data["inputs_sha256"]:
        raise ReproductionError("the record's inputs do not match their recorded SHA-256")
    if again["results"] != data["results"]:
        raise ReproductionError("the recomputed results differ from the recorded ones")
    return calc
