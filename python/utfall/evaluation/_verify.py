"""Checks of an audit record before it is trusted: its shape, its seed and its specification.

A record is read from a file someone may have edited. Every field that states
what was done must be one utfall could have written: the top-level ``seed``
equal to the specification's, the specification exactly what
:func:`utfall.evaluation.make_spec` makes of itself, every table of results a
table. Anything else is a :class:`~utfall.ReproductionError` naming the field,
never a ``KeyError`` or ``TypeError`` from deep inside.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import pandas as pd

from ..errors import ReproductionError, UtfallError
from ._record import FORMATS, _plain
from ._spec import make_spec

_FIELDS = {"format": str, "utfall_version": str, "seed": int, "specification": dict, "fingerprints": dict,
           "results": dict}
_SPEC_FIELDS = ("matching", "horizons", "outcome", "care_types", "intervention_cost", "bootstrap", "seed", "partial")


def malformed(field: str, problem: str) -> ReproductionError:
    return ReproductionError(f"the record is malformed: field '{field}' {problem}")


def parse(text: Any, other_formats: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The record as JSON data; text that is not JSON or not an object is a ReproductionError.

    A record of one of ``other_formats`` (one that embeds an evaluation's record, checked by its own
    subpackage) is returned as read."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
        raise ReproductionError(f"the record is not JSON: {err}") from None
    if isinstance(data, dict) and data.get("format") in other_formats:
        return data
    return check(data)


def check(data: Any) -> Dict[str, Any]:
    """``data`` when it has the shape of an audit record (see the module docstring)."""
    if not isinstance(data, dict):
        raise ReproductionError(f"the record must be a JSON object, not {type(data).__name__}")
    if data.get("format") not in FORMATS:
        raise ReproductionError(f"not an utfall evaluation record (format {data.get('format')!r}, "
                                f"expected one of {list(FORMATS)})")
    for name, kind in _FIELDS.items():
        if name not in data:
            raise malformed(name, "is missing")
        if not isinstance(data[name], kind) or isinstance(data[name], bool):
            raise malformed(name, f"must be a {kind.__name__}, not {type(data[name]).__name__}")
    for name in ("not_counted", "content_fingerprints"):
        if data["format"] != FORMATS[0] and name not in data:
            raise malformed(name, "is missing")
    for table, value in data["fingerprints"].items():
        if value is not None and not isinstance(value, str):
            raise malformed(f"fingerprints.{table}", "must be a hexadecimal digest or null")
    results = data["results"]
    for name in ("summary", "individuals", "trajectories"):
        if not isinstance(results.get(name), dict):
            raise malformed(f"results.{name}", "is missing or not an object")
    _table(results["summary"], "results.summary")
    _table(results["individuals"], "results.individuals")
    for h, t in results["trajectories"].items():
        if not isinstance(t, dict):
            raise malformed(f"results.trajectories.{h}", "is not an object")
        _table(t, f"results.trajectories.{h}")
    return data


def _table(table: Dict[str, Any], where: str) -> None:
    columns = table.get("columns")
    if not isinstance(table.get("index"), dict) or not isinstance(columns, list):
        raise malformed(where, "must have an 'index' and a list of 'columns'")
    for k, column in enumerate([table["index"]] + columns):
        if (not isinstance(column, dict) or not isinstance(column.get("values"), list)
                or not isinstance(column.get("dtype"), str)
                or not isinstance(column.get("name", 0), (str, type(None)))):
            raise malformed(f"{where}.columns[{k - 1}]" if k else f"{where}.index",
                            "must have a 'name' (text), a 'dtype' and a list of 'values'")


def specification(data: Dict[str, Any]) -> Dict[str, Any]:
    """The record's specification, checked: the top-level seed is its seed and it re-normalises to itself."""
    spec = data["specification"]
    if data["seed"] != spec.get("seed"):
        raise ReproductionError(f"the record's seed {data['seed']!r} differs from the seed of its specification "
                                f"{spec.get('seed')!r}: the record was edited")
    missing = [f for f in _SPEC_FIELDS if f not in spec]
    extra = sorted(set(spec) - set(_SPEC_FIELDS))
    if missing or extra:
        raise malformed("specification", f"lacks {missing} or has unknown fields {extra}")
    try:
        again = make_spec(_matching_argument(spec["matching"]), spec["horizons"], spec["outcome"], spec["care_types"],
                          _cost_argument(spec["intervention_cost"]),
                          False if spec["bootstrap"] is None else spec["bootstrap"], spec["seed"], spec["partial"])
    except UtfallError as err:
        raise ReproductionError(f"the record's specification is not valid: {err}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise malformed("specification", f"cannot be read ({type(err).__name__}: {err})") from None
    if _plain(again) != _plain(spec):
        field = next((f for f in _SPEC_FIELDS if _plain(again[f]) != _plain(spec[f])), "?")
        raise ReproductionError(f"the record's specification is not one utfall writes: field '{field}' is "
                                f"{spec[field]!r}, which reads as {again[field]!r}")
    checked: Dict[str, Any] = spec
    return checked


def _matching_argument(matching: Any) -> Any:
    """The ``matching`` argument of :func:`utfall.evaluate` that gives the recorded matching."""
    if isinstance(matching, dict) and matching.get("estimator") == "given":
        pairs = matching.get("pairs")
        if not isinstance(pairs, dict) or not all(isinstance(p, dict) for p in pairs.values()):
            raise malformed("specification.matching.pairs", "must map each horizon to its pairs")
        return {h: pd.DataFrame(p) for h, p in pairs.items()}
    return matching


def _cost_argument(cost: Any) -> Any:
    if isinstance(cost, dict):
        pairs = cost.get("per_participant")
        if set(cost) != {"per_participant"} or not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in pairs):
            raise malformed("specification.intervention_cost", "must be a number or {'per_participant': [[id, cost]]}")
        return {k: v for k, v in pairs}
    return cost
