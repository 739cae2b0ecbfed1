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
from typing import Any, Dict, List, Optional, Tuple

import pandas as pd

from ..errors import RecordError, ReproductionError, UtfallError
from ._record import FORMATS, _plain
from ._schema import MAX_DEPTH, MAX_RECORD_CHARS, SCHEMA, check_contents, count_values, table_rows, validate
from ._spec import make_spec

_SPEC_FIELDS = ("matching", "horizons", "outcome", "care_types", "intervention_cost", "bootstrap", "seed", "partial")
#: Fields a specification holds only when set (``adjust=``).
_OPTIONAL_SPEC_FIELDS = ("adjust",)
#: Fields of format 3 only, and of its aggregate records only.
_FORMAT3 = ("disclosure", "contents")
_AGGREGATE = ("key_check", "threshold", "sealed")


def malformed(field: str, problem: str) -> RecordError:
    return RecordError(f"the record is malformed: field '{field}' {problem}", table="record", column=field,
                       problem=problem)


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise RecordError(f"the record is not valid JSON data: the key {k[:40]!r} appears twice in an object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise RecordError(f"the record is not standard JSON: it holds the literal {name} (utfall writes \"{name}\")")


def parse(text: Any, other_formats: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The record as JSON data, refused with a :class:`~utfall.errors.RecordError` (a DataError) when it is not
    JSON, longer than :data:`~._schema.MAX_RECORD_CHARS`, nested too deep, holds a key twice or breaks the
    schema (:func:`check`).

    A record of one of ``other_formats`` (one that embeds an evaluation's record, checked by its own
    subpackage) is returned as read."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > 4 * MAX_RECORD_CHARS:
            raise RecordError(f"the record is longer than {MAX_RECORD_CHARS} characters")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise RecordError(f"the record is not UTF-8 text: {err}") from None
    if not isinstance(text, str):
        raise RecordError(f"a record is JSON text, not {type(text).__name__}")
    if len(text) > MAX_RECORD_CHARS:
        raise RecordError(f"the record is {len(text)} characters long, more than the {MAX_RECORD_CHARS} read")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise RecordError(f"the record is nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
        if isinstance(err, RecordError):
            raise
        raise RecordError(f"the record is not JSON: {str(err)[:200]}") from None
    if isinstance(data, dict) and data.get("format") in other_formats:
        return data
    return check(data, len(text))


def check(data: Any, chars: Optional[int] = None) -> Dict[str, Any]:
    """``data`` when it has the shape of an audit record: of :data:`~._schema.SCHEMA`, no deeper than
    :data:`~._schema.MAX_DEPTH`, a format-3 record holding what it declares (``chars``: the text's length)."""
    if not isinstance(data, dict):
        raise RecordError(f"the record must be a JSON object, not {type(data).__name__}")
    if data.get("format") not in FORMATS:
        raise RecordError(f"not an utfall evaluation record (format {str(data.get('format'))[:40]!r}, "
                          f"expected one of {list(FORMATS)})")
    count_values(data)  # refuses a record nested deeper than MAX_DEPTH before anything walks it
    validate(data, SCHEMA, "")
    version3 = data["format"] == FORMATS[-1]
    for name in ("not_counted", "content_fingerprints") + (_FORMAT3 if version3 else ()):
        if data["format"] != FORMATS[0] and name not in data:
            raise malformed(name, "is missing")
    for name in (() if version3 else _FORMAT3) + (() if data.get("disclosure") == "aggregate" else _AGGREGATE):
        if name in data:
            raise malformed(name, f"is not a field of a {data.get('disclosure', 'full')} record of format "
                                  f"{data['format']}")
    if data.get("disclosure") == "aggregate":
        for name in _AGGREGATE:
            if name not in data:
                raise malformed(name, "is missing (an aggregate record has it)")
    if version3:
        check_contents(data, chars if chars is not None else len(json.dumps(data, ensure_ascii=False)))
    else:
        table_rows(data["results"])
    return data


def specification(data: Dict[str, Any]) -> Dict[str, Any]:
    """The record's specification, checked: the top-level seed is its seed and it re-normalises to itself."""
    spec = data["specification"]
    if data["seed"] != spec.get("seed"):
        raise ReproductionError(f"the record's seed {data['seed']!r} differs from the seed of its specification "
                                f"{spec.get('seed')!r}: the record was edited")
    missing = [f for f in _SPEC_FIELDS if f not in spec]
    extra = sorted(set(spec) - set(_SPEC_FIELDS) - set(_OPTIONAL_SPEC_FIELDS))
    if missing or extra:
        raise malformed("specification", f"lacks {missing} or has unknown fields {extra}")
    try:
        again = make_spec(_matching_argument(spec["matching"]), spec["horizons"], spec["outcome"], spec["care_types"],
                          _cost_argument(spec["intervention_cost"]),
                          False if spec["bootstrap"] is None else spec["bootstrap"], spec["seed"], spec["partial"],
                          adjust=spec.get("adjust"))
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
