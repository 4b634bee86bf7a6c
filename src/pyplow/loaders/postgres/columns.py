"""Warehouse columns derived from a JSON schema, the way Snowplow's shredder types them.

:func:`schema_columns` walks a self-describing JSON schema's ``properties``; nested objects with
their own ``properties`` are flattened into ``parent_child`` columns; everything else becomes one
column whose type follows the schema:

=====================================  ===============================  =====================
JSON schema                            PostgreSQL                       Redshift
=====================================  ===============================  =====================
string, ``format: date-time``          ``timestamp``                    ``timestamp``
string, ``format: date``               ``date``                         ``date``
string, ``format: uuid``               ``uuid``                         ``char(36)``
string, ``minLength == maxLength``     ``char(n)``                      ``char(n)``
string with ``maxLength`` / ``enum``   ``varchar(n)``                   ``varchar(n)``
other strings                          ``text``                         ``varchar(4096)``
integer (by ``minimum``/``maximum``)   ``smallint``/``integer``/        same
                                       ``bigint``
number                                 ``double precision``             ``double precision``
boolean                                ``boolean``                      ``boolean``
arrays, objects without properties,    ``jsonb``                        ``varchar(65535)``
mixed or unknown types
=====================================  ===============================  =====================

A column is ``NOT NULL`` only when its property (and every enclosing object) is required and its
type does not allow ``null``. Columns come not-null first, then by name, as Snowplow orders them.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any, Final

import msgspec

from pyplow.iglu.reports import json_type
from pyplow.loaders.postgres.identifiers import sanitise, snake_case

__all__ = ["Column", "ColumnKind", "column_type", "schema_columns"]

_SMALLINT: Final = (-(2**15), 2**15 - 1)
_INTEGER: Final = (-(2**31), 2**31 - 1)
_REDSHIFT_MAX_VARCHAR: Final = 65535
_REDSHIFT_DEFAULT_VARCHAR: Final = 4096
_POSTGRES_MAX_VARCHAR: Final = 10485760


class ColumnKind(enum.Enum):
    """The value family of a column (decides its SQL type and how values are converted)."""

    VARCHAR = "varchar"
    CHAR = "char"
    TIMESTAMP = "timestamp"
    DATE = "date"
    UUID = "uuid"
    SMALLINT = "smallint"
    INTEGER = "integer"
    BIGINT = "bigint"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    JSON = "json"


class Column(msgspec.Struct, frozen=True, kw_only=True):
    """One shredded column: its sanitised name, where its value sits in the entity, its type."""

    name: str
    path: tuple[str, ...]
    kind: ColumnKind
    #: Maximum characters (``VARCHAR``/``CHAR``); ``None`` means unbounded.
    length: int | None = None
    nullable: bool = True


_FIXED_TYPES: Final[dict[ColumnKind, str]] = {
    ColumnKind.TIMESTAMP: "timestamp",
    ColumnKind.DATE: "date",
    ColumnKind.SMALLINT: "smallint",
    ColumnKind.INTEGER: "integer",
    ColumnKind.BIGINT: "bigint",
    ColumnKind.DOUBLE: "double precision",
    ColumnKind.BOOLEAN: "boolean",
}


def column_type(column: Column, *, redshift: bool = False) -> str:
    """The column's SQL type as DDL spells it (``varchar(32)``, ``jsonb``, ...)."""
    kind = column.kind
    fixed = _FIXED_TYPES.get(kind)
    if fixed is not None:
        return fixed
    if kind is ColumnKind.CHAR:
        return f"char({column.length})"
    if kind is ColumnKind.UUID:
        return "char(36)" if redshift else "uuid"
    if kind is ColumnKind.JSON:
        return f"varchar({_REDSHIFT_MAX_VARCHAR})" if redshift else "jsonb"
    length = column.length
    if redshift:
        if length is None:
            return f"varchar({_REDSHIFT_DEFAULT_VARCHAR})"
        return f"varchar({min(length, _REDSHIFT_MAX_VARCHAR)})"
    if length is None or length > _POSTGRES_MAX_VARCHAR:
        return "text"
    return f"varchar({length})"


def _types(schema: Mapping[str, Any]) -> tuple[set[str], bool]:
    """The declared JSON types (without ``null``) and whether ``null`` is allowed."""
    declared = schema.get("type")
    if isinstance(declared, str):
        names = {declared}
    elif isinstance(declared, list):
        names = {t for t in declared if isinstance(t, str)}
    else:
        names = set()
    enum_values = schema.get("enum")
    if not names and isinstance(enum_values, list):
        names = {json_type(v) for v in enum_values}
    nullable = "null" in names or not names
    if isinstance(enum_values, list) and None in enum_values:
        nullable = True
    names.discard("null")
    if names == {"integer", "number"}:
        names = {"number"}
    return names, nullable


def _int_bound(schema: Mapping[str, Any], key: str) -> int | None:
    value = schema.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _integer_kind(schema: Mapping[str, Any]) -> ColumnKind:
    low, high = _int_bound(schema, "minimum"), _int_bound(schema, "maximum")
    if low is None or high is None:
        return ColumnKind.BIGINT
    if _SMALLINT[0] <= low and high <= _SMALLINT[1]:
        return ColumnKind.SMALLINT
    if _INTEGER[0] <= low and high <= _INTEGER[1]:
        return ColumnKind.INTEGER
    return ColumnKind.BIGINT


def _string_kind(schema: Mapping[str, Any]) -> tuple[ColumnKind, int | None]:
    fmt = schema.get("format")
    if fmt == "date-time":
        return ColumnKind.TIMESTAMP, None
    if fmt == "date":
        return ColumnKind.DATE, None
    if fmt == "uuid":
        return ColumnKind.UUID, None
    enum_values = schema.get("enum")
    if isinstance(enum_values, list) and all(isinstance(v, str | None) for v in enum_values):
        longest = max((len(v) for v in enum_values if isinstance(v, str)), default=1)
        return ColumnKind.VARCHAR, max(longest, 1)
    max_length = _int_bound(schema, "maxLength")
    if max_length is None or max_length < 1:
        return ColumnKind.VARCHAR, None
    if _int_bound(schema, "minLength") == max_length:
        return ColumnKind.CHAR, max_length
    return ColumnKind.VARCHAR, max_length


def _scalar(schema: Mapping[str, Any], names: set[str]) -> tuple[ColumnKind, int | None]:
    if names == {"string"}:
        return _string_kind(schema)
    if names == {"integer"}:
        return _integer_kind(schema), None
    if names == {"number"}:
        return ColumnKind.DOUBLE, None
    if names == {"boolean"}:
        return ColumnKind.BOOLEAN, None
    return ColumnKind.JSON, None


def _walk(
    properties: Mapping[str, Any],
    required: set[str],
    prefix: tuple[str, ...],
    parent_required: bool,
) -> Iterator[Column]:
    for prop, sub in properties.items():
        if not isinstance(prop, str) or not isinstance(sub, Mapping):
            continue
        path = (*prefix, prop)
        names, nullable = _types(sub)
        is_required = parent_required and prop in required and not nullable
        children = sub.get("properties")
        if names == {"object"} and isinstance(children, Mapping) and children:
            inner = sub.get("required")
            inner_required = (
                {r for r in inner if isinstance(r, str)} if isinstance(inner, list) else set()
            )
            yield from _walk(children, inner_required, path, is_required)
            continue
        kind, length = _scalar(sub, names)
        name = "_".join(snake_case(p) for p in path)
        yield Column(name=name, path=path, kind=kind, length=length, nullable=not is_required)


def schema_columns(schema: Mapping[str, Any]) -> tuple[Column, ...]:
    """The shredded columns (without the nine metadata columns) of a JSON schema."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return ()
    declared = schema.get("required")
    required = {r for r in declared if isinstance(r, str)} if isinstance(declared, list) else set()
    columns = sorted(_walk(properties, required, (), True), key=lambda c: (c.nullable, c.name))
    seen: set[str] = set()
    named: list[Column] = []
    for column in columns:
        name = sanitise(column.name)
        if name in seen:  # two properties that snake_case alike: keep both, distinctly named
            digest = hashlib.sha256(".".join(column.path).encode()).hexdigest()[:8]
            name = sanitise(f"{name[:54]}_{digest}")
        seen.add(name)
        named.append(msgspec.structs.replace(column, name=name))
    return tuple(named)
