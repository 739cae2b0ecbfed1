"""The schema of an evaluation's audit record, as data, and the small validator that applies it.

A record comes from someone else's disk, so it is read as data and nothing else:
JSON only (no pickle, nothing executed), at most :data:`MAX_RECORD_CHARS` characters,
nested at most :data:`MAX_DEPTH` deep, no key twice in an object, and then checked
against :data:`SCHEMA` before any of it is used. The schema is written in the
vocabulary of JSON Schema (draft 2020-12: ``type``, ``enum``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``maxItems``, ``maxLength``,
``maxProperties``, ``minimum``, ``$ref``), so any JSON Schema validator reads it
the same (the tests check it against the ``jsonschema`` package). utfall applies it
with the 60 lines below instead of depending on ``jsonschema``: that package pulls
four more (``attrs``, ``referencing``, ``rpds-py`` with a compiled extension, and
``jsonschema-specifications``) into closed research environments that install
from a wheelhouse, for the handful of keywords used here.

A record of format 3 declares its contents (``contents``: the rows of every table
and the number of JSON values in the record); a record whose tables hold other rows
than declared, that holds more values than declared, or that is longer than
:func:`declared_chars` allows for them (a few hundred characters a value), is refused.

>>> validate({"a": 1}, {"type": "object", "properties": {"a": {"type": "integer"}},
...                     "additionalProperties": False}, "")
>>> validate({"a": 1, "b": 2}, {"type": "object", "properties": {"a": {}}, "additionalProperties": False}, "")
Traceback (most recent call last):
...
utfall.errors.RecordError: the record is malformed: field 'record' has unknown field(s) ['b']
"""

from __future__ import annotations

from typing import Any, Dict, List

from ..errors import RecordError

#: Longest record read, in characters (a national evaluation of 10,000 participants is about 20 MB).
MAX_RECORD_CHARS = 256 * 1024 * 1024
#: Deepest nesting of JSON arrays and objects.
MAX_DEPTH = 24
#: Longest string anywhere in a record (ids, names, digests, statuses).
MAX_STRING = 4096
#: Characters a record may spend per declared JSON value, plus a fixed allowance.
CHARS_PER_VALUE, CHARS_FIXED = 320, 64 * 1024

_ANY: Dict[str, Any] = {}
_SCALAR = {"type": ["string", "number", "boolean", "null"], "maxLength": MAX_STRING}
_CELL = {"type": ["string", "number", "boolean", "null", "array"], "maxLength": MAX_STRING, "items": _SCALAR}
_COLUMN = {
    "type": "object", "required": ["name", "dtype", "values"], "additionalProperties": False,
    "properties": {"name": {"type": ["string", "null"], "maxLength": 256},
                   "dtype": {"type": "string", "maxLength": 64},
                   "values": {"type": "array", "items": _CELL}},
}
_TABLE = {
    "type": "object", "required": ["index", "columns"], "additionalProperties": False,
    "properties": {"index": {"$ref": "#/$defs/column"},
                   "columns": {"type": "array", "maxItems": 512, "items": {"$ref": "#/$defs/column"}}},
}
_DIGESTS = {"type": "object", "maxProperties": 64, "additionalProperties": {"type": ["string", "null"],
                                                                              "maxLength": 128}}

#: The audit record (formats 1 to 3; the fields of format 3 marked so in ``description``).
SCHEMA: Dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "utfall evaluation audit record",
    "type": "object",
    "required": ["format", "utfall_version", "seed", "specification", "fingerprints", "results"],
    "additionalProperties": False,
    "properties": {
        "format": {"enum": ["utfall.evaluation/1", "utfall.evaluation/2", "utfall.evaluation/3"]},
        "disclosure": {"enum": ["full", "aggregate"], "description": "format 3"},
        "utfall_version": {"type": "string", "maxLength": 64},
        "created": {"type": "string", "maxLength": 64},
        "seed": {"type": "integer", "minimum": 0},
        "specification": {
            "type": "object", "additionalProperties": False,
            "properties": {k: _ANY for k in ("matching", "horizons", "outcome", "care_types", "intervention_cost",
                                             "bootstrap", "seed", "partial", "adjust")}},
        "fingerprints": _DIGESTS,
        "content_fingerprints": {"type": ["object", "null"], "maxProperties": 64,
                                 "additionalProperties": {"type": ["string", "null"], "maxLength": 128}},
        "not_counted": {"type": "object", "additionalProperties": False,
                        "properties": {"outside_observation": {"type": "object"}, "horizons": {"type": "object"}}},
        "results": {
            "type": "object", "required": ["summary", "individuals", "trajectories"], "additionalProperties": False,
            "properties": {"summary": {"$ref": "#/$defs/table"}, "individuals": {"$ref": "#/$defs/table"},
                           "trajectories": {"type": "object", "maxProperties": 64,
                                            "additionalProperties": {"$ref": "#/$defs/table"}}}},
        "validity": {"type": "object"},
        "contents": {
            "type": "object", "required": ["rows", "values"], "additionalProperties": False,
            "description": "format 3: what the record holds; a record holding more is refused",
            "properties": {"rows": {"type": "object", "maxProperties": 66,
                                    "additionalProperties": {"type": "integer", "minimum": 0}},
                           "values": {"type": "integer", "minimum": 0}}},
        "key_check": {"type": "string", "maxLength": 64, "description": "format 3, aggregate"},
        "threshold": {"type": "integer", "minimum": 1, "description": "format 3, aggregate"},
        "sealed": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 64},
                   "description": "format 3, aggregate: HMAC(key, value) of each suppressed value"},
    },
    "$defs": {"column": _COLUMN, "table": _TABLE},
}

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def _fail(where: str, problem: str) -> RecordError:
    where = where or "record"
    return RecordError(f"the record is malformed: field '{where}' {problem}", table="record", column=where,
                       problem=problem)


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def validate(value: Any, schema: Dict[str, Any], where: str, root: Any = None) -> None:
    """Raises :class:`~utfall.errors.RecordError` naming the first place where ``value`` breaks ``schema``."""
    root = schema if root is None else root
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema and value not in schema["enum"]:
        raise _fail(where, f"must be one of {schema['enum']}, not {str(value)[:80]!r}")
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            raise _fail(where, f"must be {' or '.join(kinds)}, not {type(value).__name__}")
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        raise _fail(where, f"is longer than {schema['maxLength']} characters")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < schema.get("minimum", value):
        raise _fail(where, f"must be at least {schema['minimum']}")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            raise _fail(where, f"has more than {schema['maxItems']} items")
        if "items" in schema:
            for k, item in enumerate(value):
                validate(item, schema["items"], f"{where or 'record'}[{k}]", root)
    if isinstance(value, dict):
        if len(value) > schema.get("maxProperties", len(value)):
            raise _fail(where, f"has more than {schema['maxProperties']} fields")
        missing = [k for k in schema.get("required", ()) if k not in value]
        if missing:
            raise _fail(_join(where, missing[0]), "is missing")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        unknown = sorted(k for k in value if k not in properties)
        if extra is False and unknown:
            raise _fail(where, f"has unknown field(s) {unknown[:5]}")
        for k, item in value.items():
            sub = properties.get(k, extra if isinstance(extra, dict) else None)
            if sub is not None:
                validate(item, sub, _join(where, k), root)


def count_values(value: Any, depth: int = 0) -> int:
    """JSON values in ``value`` (every scalar, array and object counts one); deeper than MAX_DEPTH is refused."""
    if depth > MAX_DEPTH:
        raise _fail("record", f"is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return 1 + sum(count_values(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(count_values(v, depth + 1) for v in value)
    return 1


def declared_chars(values: int) -> int:
    """The most characters a record that declares ``values`` JSON values may have."""
    return CHARS_FIXED + CHARS_PER_VALUE * values


def table_rows(results: Dict[str, Any]) -> Dict[str, int]:
    """Rows of every table of ``results`` (``summary``, ``individuals``, ``trajectories.<h>``), each column checked
    to hold as many values as the index."""
    tables = [("summary", results["summary"]), ("individuals", results["individuals"])]
    tables += [(f"trajectories.{h}", t) for h, t in results["trajectories"].items()]
    rows: Dict[str, int] = {}
    for name, table in tables:
        n = len(table["index"]["values"])
        columns: List[Dict[str, Any]] = table["columns"]
        for c in columns:
            if len(c["values"]) != n:
                raise _fail(f"results.{name}", f"column {str(c['name'])[:40]!r} has {len(c['values'])} values for "
                                               f"{n} rows")
        rows[name] = n
    return rows


def check_contents(data: Dict[str, Any], chars: int) -> None:
    """A format-3 record holds exactly what it declares and is no longer than that allows."""
    declared = data["contents"]
    rows = table_rows(data["results"])
    if rows != declared["rows"]:
        more = sorted(t for t in set(rows) | set(declared["rows"]) if rows.get(t) != declared["rows"].get(t))
        raise _fail("contents.rows", f"declares other rows than the record holds (table(s) {more[:5]})")
    without = {k: v for k, v in data.items() if k != "contents"}
    values = count_values(without)
    if values > declared["values"]:
        raise _fail("contents.values", f"declares {declared['values']} values, the record holds more ({values})")
    if chars > declared_chars(declared["values"]):
        raise _fail("record", f"is {chars} characters long, more than its {declared['values']} declared values "
                              f"allow ({declared_chars(declared['values'])})")


def declare(data: Dict[str, Any]) -> Dict[str, Any]:
    """``data`` with its ``contents`` declared (the rows of its tables and its number of JSON values)."""
    data.pop("contents", None)
    data["contents"] = {"rows": table_rows(data["results"]), "values": count_values(data)}
    return data
