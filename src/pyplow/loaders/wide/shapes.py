"""Column shapes derived from JSON Schemas, their Arrow types and value converters.

A *shape* is the storage type pyplow picks for (a part of) a self-describing JSON:

- :class:`Scalar` ``string`` / ``int`` (int64) / ``float`` (float64) / ``bool``;
- :class:`Scalar` ``json``: a string column holding the value as compact JSON text, used for
  anything a JSON Schema does not pin to one storable type (``oneOf``/``anyOf``/``allOf``,
  ``$ref``, mixed type lists, ``patternProperties``, schema-valued ``additionalProperties``,
  objects without ``properties``, tuple-style ``items``, no type at all);
- :class:`ListOf` an array whose ``items`` has one shape;
- :class:`Record` an object with ``properties``: one field per property, named in
  Snowplow's warehouse style (``snake_case``, see :func:`field_name`), sorted by that name.

``null`` in a type list only makes the value optional: every Arrow field is nullable.
Date-time strings stay strings (a value that is valid JSON-Schema ``date-time`` is not always
parseable by a warehouse, and a failed parse would turn a good event into a bad row).

Revisions of one schema model share a column: :func:`merge` unions their record fields
(fields only in the later revision are added; a field whose shape changed keeps the earlier
shape, and values that do not fit it make their event a loader bad row).

:func:`converter` builds, once per shape, a function turning a decoded JSON value into the
Python value Arrow stores for that shape; it raises :class:`Mismatch` (internal to the loaders)
when the value does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

import msgspec
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = [
    "ListOf",
    "Mismatch",
    "Record",
    "RecordField",
    "Scalar",
    "Shape",
    "arrow_of",
    "arrow_type",
    "converter",
    "field_name",
    "merge",
    "shape_of",
]

ScalarKind = Literal["string", "int", "float", "bool", "json"]


class Scalar(msgspec.Struct, frozen=True):
    """A single storable value."""

    kind: ScalarKind


class ListOf(msgspec.Struct, frozen=True):
    """An array of values of one shape."""

    item: Shape


class RecordField(msgspec.Struct, frozen=True):
    """One field of a record: its column-style ``name`` and the JSON ``key`` it is read from."""

    name: str
    key: str
    shape: Shape


class Record(msgspec.Struct, frozen=True):
    """An object with known properties; ``fields`` are sorted by ``name``."""

    fields: tuple[RecordField, ...]


Shape = Scalar | ListOf | Record

JSON: Final = Scalar("json")
_SCALAR_TYPES: Final[dict[str, ScalarKind]] = {
    "string": "string",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
}
_COMBINATORS: Final = ("oneOf", "anyOf", "allOf", "not", "$ref", "if")
_CAMEL: Final = re.compile(r"([^A-Z_])([A-Z])")
_NOT_WORD: Final = re.compile(r"[^a-z0-9_]")


def field_name(key: str) -> str:
    """Warehouse name of a JSON property: ``useragentFamily`` → ``useragent_family``.

    ``_`` goes between a lower-case letter or digit and a following capital, everything is
    lower-cased and characters other than ``[a-z0-9_]`` become ``_``; a leading digit gets a
    ``_`` prefix so that the name is a valid identifier.
    """
    name = _NOT_WORD.sub("_", _CAMEL.sub(r"\1_\2", key).lower())
    return f"_{name}" if not name or name[0].isdigit() else name


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared} - {"null"}
    if isinstance(declared, list) and all(isinstance(t, str) for t in declared):
        return set(declared) - {"null"}
    return None


def _enum_shape(values: Any) -> Shape:
    if not isinstance(values, list):
        return JSON
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, str) for v in present):
        return Scalar("string")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return Scalar("int")
    return JSON


def _object_shape(schema: Mapping[str, Any]) -> Shape:
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    if (
        not isinstance(properties, dict)
        or not properties
        or "patternProperties" in schema
        or isinstance(extra, dict)
    ):
        return JSON
    fields: dict[str, RecordField] = {}
    for key, sub in properties.items():
        name = field_name(key)
        if name in fields:  # two properties share a warehouse name: keep the object whole
            return JSON
        fields[name] = RecordField(name, key, shape_of(sub) if isinstance(sub, dict) else JSON)
    return Record(tuple(fields[name] for name in sorted(fields)))


def shape_of(schema: Mapping[str, Any]) -> Shape:
    """The storage shape of values valid against ``schema`` (a JSON Schema object)."""
    types = _types(schema)
    if types is None:
        if "type" not in schema and "enum" in schema:
            return _enum_shape(schema["enum"])
        if "type" not in schema and isinstance(schema.get("properties"), dict):
            types = {"object"}
        else:
            return JSON
    if len(types) == 1:
        (only,) = types
        if only in _SCALAR_TYPES:  # combinators may narrow a scalar, never change its type
            return Scalar(_SCALAR_TYPES[only])
        if any(k in schema for k in _COMBINATORS):
            return JSON
        if only == "object":
            return _object_shape(schema)
        if only == "array":
            items = schema.get("items")
            return ListOf(shape_of(items)) if isinstance(items, dict) else JSON
        return JSON
    if types == {"integer", "number"}:
        return Scalar("float")
    return JSON


def merge(old: Shape, new: Shape) -> Shape:
    """``old`` widened with what ``new`` adds (record fields); ``old`` wins on conflicts."""
    if isinstance(old, Record) and isinstance(new, Record):
        fields = {f.name: f for f in old.fields}
        for f in new.fields:
            mine = fields.get(f.name)
            fields[f.name] = (
                f if mine is None else RecordField(mine.name, mine.key, merge(mine.shape, f.shape))
            )
        return Record(tuple(fields[name] for name in sorted(fields)))
    if isinstance(old, ListOf) and isinstance(new, ListOf):
        return ListOf(merge(old.item, new.item))
    return old


_ARROW_SCALARS: Final[dict[ScalarKind, Callable[[], Any]]] = {
    "string": pa.string,
    "json": pa.string,
    "int": pa.int64,
    "float": pa.float64,
    "bool": pa.bool_,
}


def arrow_of(shape: Shape) -> pa.DataType:
    """The Arrow type storing ``shape``."""
    if isinstance(shape, Scalar):
        return _ARROW_SCALARS[shape.kind]()
    if isinstance(shape, ListOf):
        return pa.list_(arrow_of(shape.item))
    return pa.struct([pa.field(f.name, arrow_of(f.shape)) for f in shape.fields])


def arrow_type(json_schema: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type of values valid against ``json_schema`` (see the module docstring)."""
    return arrow_of(shape_of(json_schema))


class Mismatch(Exception):  # noqa: N818 - an internal signal, caught by the layout
    """A value does not fit its shape (raised by converters, turned into a bad row)."""

    def __init__(self, value: Any, expected: str) -> None:
        super().__init__(f"{value!r} does not fit {expected}")
        self.value = value
        self.expected = expected


Convert = Callable[[Any], Any]
_JSON_ENCODER: Final = msgspec.json.Encoder()
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


def _to_string(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    raise Mismatch(value, "string")


def _to_json(value: Any) -> Any:
    if value is None:
        return None
    return _JSON_ENCODER.encode(value).decode()


def _to_int(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return value
    if type(value) is float and value.is_integer() and INT64_MIN <= value <= INT64_MAX:
        return int(value)
    raise Mismatch(value, "integer (int64)")


def _to_float(value: Any) -> Any:
    if value is None or type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Mismatch(value, "number (float64)")


def _to_bool(value: Any) -> Any:
    if value is None or type(value) is bool:
        return value
    raise Mismatch(value, "boolean")


_SCALAR_CONVERTERS: Final[dict[ScalarKind, Convert]] = {
    "string": _to_string,
    "json": _to_json,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
}


def _list_converter(item: Convert) -> Convert:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list:
            raise Mismatch(value, "array")
        return [item(v) for v in value]

    return convert


def _record_converter(fields: tuple[tuple[str, str, Convert], ...]) -> Convert:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not dict:
            raise Mismatch(value, "object")
        get = value.get
        return {name: conv(get(key)) for name, key, conv in fields}

    return convert


def converter(shape: Shape) -> Convert:
    """A function from a decoded JSON value to the Arrow-ready value of ``shape``."""
    if isinstance(shape, Scalar):
        return _SCALAR_CONVERTERS[shape.kind]
    if isinstance(shape, ListOf):
        return _list_converter(converter(shape.item))
    return _record_converter(tuple((f.name, f.key, converter(f.shape)) for f in shape.fields))
