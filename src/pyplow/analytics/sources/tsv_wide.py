"""Wide columns for events read from TSV: one column per self-describing schema family.

Columns are named and shaped as the wide-row loaders make them: ``contexts_…`` a list of the
entities' data (custom entities before derived ones, each with its ``_schema_version``),
``unstruct_event_…`` the event's data, properties renamed the warehouse way (``unitPrice`` →
``unit_price``) and sorted.

Types come from the JSON Schemas when a resolver knows the family (by default pyplow's
embedded registry, which holds Snowplow's own schemas; pass your resolver for your own): the
column then has exactly the type the DuckDB and Parquet loaders give it, properties absent
from an event are null and properties the schema does not declare are left out. A value of
a property the loaders keep as JSON text is written as JSON text. Otherwise, or when the
values do not fit the schema's type, the type is inferred from the values; a family whose
values share no type becomes JSON text.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pyplow.event import Contexts, EnrichedEvent, Entity, UnstructEvent, scala_sdk_key
from pyplow.iglu import Resolver

__all__ = ["WideColumns", "warehouse_value"]

_SCHEMA_VERSION: Final = "_schema_version"
_CONTEXTS: Final = "contexts"
_UNSTRUCT: Final = "unstruct_event"
_JSON: Final = msgspec.json.Encoder(decimal_format="number")


def warehouse_value(value: Any) -> Any:
    """``value`` with object properties renamed and ordered as the loaders store them."""
    from pyplow.loaders.wide import field_name

    if isinstance(value, dict):
        renamed = {field_name(k): warehouse_value(v) for k, v in value.items()}
        return {k: renamed[k] for k in sorted(renamed)}
    if isinstance(value, list):
        return [warehouse_value(v) for v in value]
    return value


def _context_item(schema: str, data: Any) -> Any:
    item = warehouse_value(data)
    if isinstance(item, dict):
        item[_SCHEMA_VERSION] = schema.rsplit("/", 1)[1]
        item = {k: item[k] for k in sorted(item)}
    return item


def _json_text(value: Any) -> str:
    return _JSON.encode(value).decode()


def _fit(value: Any, kind: Any) -> Any:
    """``value`` shaped for Arrow type ``kind``: record fields picked by name, values of JSON
    text fields encoded. ``ValueError`` when a record or list is not one."""
    import pyarrow as pa  # type: ignore[import-untyped]

    if value is None:
        return None
    if pa.types.is_struct(kind):
        if not isinstance(value, dict):
            raise ValueError(f"{value!r} is not an object")
        return {
            f.name: _fit(value.get(f.name), f.type)
            for f in (kind.field(i) for i in range(kind.num_fields))
        }
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        if not isinstance(value, list):
            raise ValueError(f"{value!r} is not an array")
        return [_fit(v, kind.value_type) for v in value]
    if pa.types.is_string(kind) and not isinstance(value, str):
        return _json_text(value)
    return value


def _has_empty_struct(kind: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_struct(kind):
        fields = [kind.field(i) for i in range(kind.num_fields)]
        return not fields or any(_has_empty_struct(f.type) for f in fields)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_empty_struct(kind.value_type)
    return False


def _array(values: list[Any], kind: Any) -> Any:
    """The values as an Arrow array of type ``kind`` (``None``: inferred), falling back to an
    inferred type, then to JSON text."""
    import pyarrow as pa

    errors = (pa.ArrowException, OverflowError, TypeError, ValueError)
    if kind is not None:
        try:
            return pa.array([_fit(v, kind) for v in values], type=kind)
        except errors:
            pass
    try:
        array = pa.array(values)
        if not _has_empty_struct(array.type):
            return array
    except errors:
        pass
    return pa.array([None if v is None else _json_text(v) for v in values], type=pa.string())


class WideColumns:
    """Collects the wide values of events row by row, then builds their Arrow arrays."""

    def __init__(self, resolver: Resolver | None = None) -> None:
        if resolver is None:
            from pyplow.iglu import builtin_repository

            resolver = Resolver([builtin_repository()])
        self._resolver = resolver
        self._values: dict[str, dict[int, Any]] = {}
        self._schemas: dict[str, tuple[str, set[str]]] = {}  # column → (prefix, URIs)
        self.rows = 0

    def _put(self, prefix: str, entity: Entity) -> str:
        name = scala_sdk_key(prefix, entity.schema)
        self._schemas.setdefault(name, (prefix, set()))[1].add(entity.schema)
        return name

    def add(self, event: EnrichedEvent) -> None:
        """Record the next row's values (``event``'s entities and self-describing event)."""
        row = self.rows
        for contexts in (event.contexts, event.derived_contexts):
            if contexts is not None:
                for entity in contexts.data:
                    name = self._put(_CONTEXTS, entity)
                    items = self._values.setdefault(name, {}).setdefault(row, [])
                    items.append(_context_item(entity.schema, entity.data))
        if event.unstruct_event is not None:
            entity = event.unstruct_event.data
            name = self._put(_UNSTRUCT, entity)
            self._values.setdefault(name, {})[row] = warehouse_value(entity.data)
        self.rows += 1

    def _types(self, names: list[str]) -> dict[str, Any]:
        """Column → Arrow type from the schemas, for the families the resolver knows."""
        from pyplow.loaders.wide import WideLayout

        probes: list[EnrichedEvent] = []
        for prefix, uris in (self._schemas[n] for n in names):
            for uri in sorted(uris):
                entity = Entity(uri, {})
                if prefix == _CONTEXTS:
                    probes.append(EnrichedEvent(contexts=Contexts(data=(entity,))))
                else:
                    probes.append(EnrichedEvent(unstruct_event=UnstructEvent(data=entity)))
        layout = WideLayout(self._resolver)
        return {column.name: column.type for column in layout.columns_for(probes)}

    def arrays(self, wanted: tuple[str, ...] | None = None) -> list[tuple[str, Any]]:
        """``(column, array)`` sorted by column, for the columns in ``wanted`` (default all)."""
        names = sorted(n for n in self._values if wanted is None or n in wanted)
        types = self._types(names)
        out = []
        for name in names:
            by_row = self._values[name]
            values = [by_row.get(i) for i in range(self.rows)]
            out.append((name, _array(values, types.get(name))))
        return out
