"""Entities to shredded-table rows: the nine metadata columns, then the schema's columns.

Every row starts with Snowplow's metadata columns::

    schema_vendor, schema_name, schema_format, schema_version   -- the entity's schema key
    root_id, root_tstamp                                        -- event_id, collector_tstamp
    ref_root, ref_tree, ref_parent                  -- 'events', 'events.<name>', 'events'

then one value per :class:`~pyplow.loaders.postgres.columns.Column`, taken from the entity's
data by the column's path and checked against the column type. A value that does not fit
(wrong JSON type, too long, not a timestamp, out of range, a NUL character PostgreSQL cannot
store) becomes a :class:`CastFailure` (``schemaKey``/``value``/``expected``, the shape of a
``loader_iglu_error`` failure) instead of breaking the whole COPY.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import msgspec

from pyplow.iglu import SchemaKey
from pyplow.loaders.postgres.columns import Column, ColumnKind

__all__ = ["METADATA_COLUMNS", "CastFailure", "EntityShredder", "entity_row"]

METADATA_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("schema_vendor", "varchar(128)"),
    ("schema_name", "varchar(128)"),
    ("schema_format", "varchar(128)"),
    ("schema_version", "varchar(128)"),
    ("root_id", "char(36)"),
    ("root_tstamp", "timestamp"),
    ("ref_root", "varchar(255)"),
    ("ref_tree", "varchar(1500)"),
    ("ref_parent", "varchar(255)"),
)
"""The metadata columns every shredded table starts with (all ``NOT NULL``)."""

_ROOT: Final = "events"
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_RANGES: Final[dict[ColumnKind, tuple[int, int]]] = {
    ColumnKind.SMALLINT: (-(2**15), 2**15 - 1),
    ColumnKind.INTEGER: (-(2**31), 2**31 - 1),
    ColumnKind.BIGINT: (-(2**63), 2**63 - 1),
}
_JSON: Final = msgspec.json.Encoder()


class CastFailure(msgspec.Struct, frozen=True, rename="camel"):
    """A value that does not fit its column (a ``loader_iglu_error`` failure item)."""

    schema_key: str
    value: Any
    expected: str


class _UnfitError(Exception):
    """Internal: raised by a converter, caught in :func:`entity_row`."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _text(value: Any, column: Column) -> Any:
    length = column.length
    what = f"a string of at most {length} characters" if length else "a string"
    if not isinstance(value, str):
        raise _UnfitError(what)
    if length is not None and len(value) > length:
        raise _UnfitError(what)
    if "\x00" in value:
        raise _UnfitError(f"{what} without NUL characters")
    return value


def _timestamp(value: Any, column: Column) -> Any:
    expected = "an ISO-8601 date-time"
    if not isinstance(value, str):
        raise _UnfitError(expected)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _UnfitError(expected) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _date(value: Any, column: Column) -> Any:
    if not isinstance(value, str):
        raise _UnfitError("an ISO-8601 date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _UnfitError("an ISO-8601 date") from None


def _uuid(value: Any, column: Column) -> Any:
    if not isinstance(value, str) or _UUID.fullmatch(value) is None:
        raise _UnfitError("a UUID")
    return value


def _integer(value: Any, column: Column) -> Any:
    low, high = _RANGES[column.kind]
    expected = f"an integer from {low} to {high}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _UnfitError(expected)
    return value


def _double(value: Any, column: Column) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _UnfitError("a number")
    try:
        return float(value)
    except OverflowError:
        raise _UnfitError("a number within double precision range") from None


def _boolean(value: Any, column: Column) -> Any:
    if not isinstance(value, bool):
        raise _UnfitError("a boolean")
    return value


def _json(value: Any, column: Column) -> Any:
    text = _JSON.encode(value).decode()
    if "\\u0000" in text:
        raise _UnfitError("JSON without NUL characters")
    return text


_CONVERTERS: Final[dict[ColumnKind, Callable[[Any, Column], Any]]] = {
    ColumnKind.VARCHAR: _text,
    ColumnKind.CHAR: _text,
    ColumnKind.TIMESTAMP: _timestamp,
    ColumnKind.DATE: _date,
    ColumnKind.UUID: _uuid,
    ColumnKind.SMALLINT: _integer,
    ColumnKind.INTEGER: _integer,
    ColumnKind.BIGINT: _integer,
    ColumnKind.DOUBLE: _double,
    ColumnKind.BOOLEAN: _boolean,
    ColumnKind.JSON: _json,
}


_UNBOUNDED: Final = 1 << 62


def _text_limit(column: Column) -> int:
    """The longest string :func:`_text` lets through for ``column`` (-1: not a text column)."""
    if _CONVERTERS[column.kind] is not _text:
        return -1
    return _UNBOUNDED if column.length is None else column.length


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


class EntityShredder:
    """:func:`entity_row` for one schema key and its columns, with the per-column choices
    (converter, how to reach the value) made once instead of for every entity."""

    def __init__(self, key: SchemaKey, columns: Sequence[Column]) -> None:
        self.key = key
        #: The metadata values before ``root_id`` and ``root_tstamp``, and after them.
        self.head = (key.vendor, key.name, key.format, str(key.version))
        self.tail = (_ROOT, f"{_ROOT}.{key.name}", _ROOT)
        self.width = len(columns)
        """How many columns the schema has (besides the metadata)."""
        self._steps = tuple(
            (
                column.path[0] if len(column.path) == 1 else None,
                column,
                _CONVERTERS[column.kind],
                _text_limit(column),
            )
            for column in columns
        )

    def values(self, data: Any) -> list[Any] | CastFailure:
        """The values of the schema's columns (no metadata), or the first that does not fit."""
        if data.__class__ is not dict and not isinstance(data, Mapping):
            return CastFailure(self.key.to_uri(), data, "a JSON object")
        values: list[Any] = []
        append = values.append
        get = data.get
        for first, column, convert, limit in self._steps:
            value = get(first) if first is not None else _lookup(data, column.path)
            if value.__class__ is str and len(value) <= limit and "\x00" not in value:
                append(value)  # what _text returns, without the call
            elif value is None:
                if not column.nullable:
                    return CastFailure(
                        self.key.to_uri(), None, f"a value for {'.'.join(column.path)}"
                    )
                append(None)
            else:
                try:
                    append(convert(value, column))
                except _UnfitError as unfit:
                    return CastFailure(
                        self.key.to_uri(), value, f"{'.'.join(column.path)}: {unfit.expected}"
                    )
        return values

    def row(self, data: Any, root_id: str, root_tstamp: datetime) -> tuple[Any, ...] | CastFailure:
        """The row for one entity (metadata columns first), or the first value that does not
        fit."""
        values = self.values(data)
        if isinstance(values, CastFailure):
            return values
        return (*self.head, root_id, root_tstamp, *self.tail, *values)


def entity_row(
    key: SchemaKey,
    columns: Sequence[Column],
    data: Any,
    root_id: str,
    root_tstamp: datetime,
) -> tuple[Any, ...] | CastFailure:
    """The row for one entity (metadata columns first), or the first value that does not fit
    (one-off: a loader keeps an :class:`EntityShredder` per schema)."""
    return EntityShredder(key, columns).row(data, root_id, root_tstamp)
