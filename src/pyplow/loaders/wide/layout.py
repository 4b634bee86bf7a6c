"""The wide-row layout: atomic columns plus one column per self-describing schema family.

Snowplow's wide-row loaders (Snowflake, Databricks, the lake loader) store each entity type in a
column ``contexts_<vendor>_<name>_<model>`` (a list: an event may carry several entities of one
type) and the self-describing event in ``unstruct_event_<vendor>_<name>_<model>``. Custom and
derived entities of one type share the column (custom ones first). Context items carry the
entity's ``_schema_version`` (``1-0-2``) as Snowplow's SDKs add it.

Column types come from the JSON Schemas (:mod:`~pyplow.loaders.wide.shapes`). All revisions of
a model share a column: its type is the union of the revisions up to the newest one seen
(looked up with ``Resolver.list_schemas``; when a registry cannot list, the revisions seen so
far). When a later revision adds properties the column is **widened**: :meth:`columns_for`
reports it with its ``previous`` type and the target rebuilds it (DuckDB ``ALTER COLUMN ... TYPE``
casts structs by field name, filling new fields with NULL; Parquet files written later simply
have the wider type).

The layout is pure until :meth:`WideLayout.accept` records columns as existing in the target:
``columns_for`` and ``to_arrow`` never change it, so a failed transaction leaves it in step with
the target. A target that already has columns passes ``known`` (column → URI of the newest
revision the column was built for) to restore it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import msgspec
import pyarrow as pa  # type: ignore[import-untyped]

import pyplow
from pyplow.badrows import LoaderIgluError, Processor, encode
from pyplow.event import EnrichedEvent, Entity, scala_sdk_key, to_lossless_json
from pyplow.iglu import IgluParseError, ResolutionError, Resolver, SchemaKey
from pyplow.loaders.wide.atomic import ATOMIC_COLUMNS, atomic_arrays, atomic_failures
from pyplow.loaders.wide.shapes import (
    Convert,
    ListOf,
    Mismatch,
    Record,
    RecordField,
    Scalar,
    Shape,
    arrow_of,
    converter,
    merge,
    shape_of,
)

__all__ = [
    "DEFAULT_PROCESSOR",
    "SCHEMA_VERSION_FIELD",
    "WideBatch",
    "WideColumn",
    "WideLayout",
    "wide_column",
]

DEFAULT_PROCESSOR: Final = Processor("pyplow-loader", pyplow.__version__)
SCHEMA_VERSION_FIELD: Final = "_schema_version"
_CONTEXTS: Final = "contexts"
_UNSTRUCT: Final = "unstruct_event"


def wide_column(prefix: str, schema_uri: str) -> str:
    """The column of a schema family: ``contexts_com_acme_checkout_1`` for
    ``wide_column("contexts", "iglu:com.acme/checkout/jsonschema/1-0-2")``."""
    return scala_sdk_key(prefix, schema_uri)


class WideColumn(msgspec.Struct, frozen=True):
    """A wide column the target must create (``previous is None``) or widen."""

    name: str
    #: The column's Arrow type.
    type: Any
    #: The newest revision the type includes.
    schema_key: SchemaKey
    #: The type the target has now, when the column exists and must be widened.
    previous: Any = None


class WideBatch(msgspec.Struct, frozen=True):
    """Events as an Arrow table, and loader bad rows for the events that could not be stored."""

    table: Any
    #: The stored events, in table order.
    events: tuple[EnrichedEvent, ...]
    bad: tuple[bytes, ...] = ()


class _Column(msgspec.Struct, frozen=True):
    key: SchemaKey
    shape: Shape
    arrow: Any
    #: Converts the column's value (an unstruct event's data).
    convert: Convert
    #: Converts one item of a list column (a context entity's data).
    convert_item: Convert


def _column_shape(prefix: str, entity: Shape) -> Shape:
    if prefix != _CONTEXTS:
        return entity
    if isinstance(entity, Record):
        version = RecordField(SCHEMA_VERSION_FIELD, SCHEMA_VERSION_FIELD, Scalar("string"))
        fields = {f.name: f for f in entity.fields}
        fields.setdefault(SCHEMA_VERSION_FIELD, version)
        return ListOf(Record(tuple(fields[n] for n in sorted(fields))))
    return ListOf(entity)


class _Plan(msgspec.Struct):
    columns: dict[str, _Column]
    failed: dict[str, Any]  # schema URI → the failure of every event using it


class WideLayout:
    """Knows the wide columns so far and turns events into Arrow tables. Not thread-safe."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        processor: Processor = DEFAULT_PROCESSOR,
        known: Mapping[str, str] | None = None,
    ) -> None:
        self._resolver = resolver
        self._processor = processor
        self._shapes: dict[SchemaKey, Shape | ResolutionError] = {}
        self._columns: dict[str, _Column] = {}
        self._known: dict[str, SchemaKey] = {}
        for name, uri in (known or {}).items():
            key = SchemaKey.parse(uri)
            if isinstance(key, IgluParseError):
                raise ValueError(f"known column {name!r}: {key.message}")
            self._known[name] = key

    @property
    def columns(self) -> dict[str, pa.DataType]:
        """The accepted wide columns and their Arrow types."""
        return {name: col.arrow for name, col in self._columns.items()}

    # -- schema lookups ------------------------------------------------------------------------

    def _entity_shape(self, key: SchemaKey) -> Shape | ResolutionError:
        cached = self._shapes.get(key)
        if cached is None:
            found = self._resolver.lookup(key)
            cached = found if isinstance(found, ResolutionError) else shape_of(found.schema)
            self._shapes[key] = cached
        return cached

    def _revisions(self, key: SchemaKey) -> list[SchemaKey]:
        listed = self._resolver.list_schemas(key.vendor, key.name, key.version.model)
        if isinstance(listed, ResolutionError):
            return [key]
        keys = [k for k in listed if k.format == key.format and k.version <= key.version]
        return keys if key in keys else [*keys, key]

    def _build(self, prefix: str, key: SchemaKey, base: _Column | None) -> _Column | None:
        """The column for revisions up to ``key``, widening ``base``; None if ``key`` fails."""
        if isinstance(self._entity_shape(key), ResolutionError):
            return None
        shape: Shape | None = None
        for revision in self._revisions(key):
            found = self._entity_shape(revision)
            if not isinstance(found, ResolutionError):
                shape = found if shape is None else merge(shape, found)
        assert shape is not None  # key itself resolved
        column_shape = _column_shape(prefix, shape)
        if base is not None:
            column_shape = merge(base.shape, column_shape)
        newest = key if base is None or base.key < key else base.key
        item = column_shape.item if isinstance(column_shape, ListOf) else column_shape
        return _Column(
            newest, column_shape, arrow_of(column_shape), converter(column_shape), converter(item)
        )

    def _accepted(self, name: str, prefix: str) -> _Column | None:
        column = self._columns.get(name)
        if column is None and name in self._known:
            column = self._build(prefix, self._known.pop(name), None)
            if column is not None:
                self._columns[name] = column
        return column

    def _plan(
        self,
        events: Sequence[EnrichedEvent],
        include_known: bool = False,
        also: Iterable[tuple[str, str]] = (),
    ) -> _Plan:
        newest: dict[str, tuple[str, SchemaKey]] = {}
        failed: dict[str, Any] = {}
        uses = ((prefix, entity.schema) for prefix, entity in _entities(events))
        # each distinct (prefix, URI) once: a batch repeats a few schemas in every event
        for prefix, uri in dict.fromkeys(itertools.chain(uses, also)):
            key = SchemaKey.parse(uri)
            if isinstance(key, IgluParseError):  # decode_tsv never lets one through
                failed[uri] = {"schemaKey": uri, "message": key.message}
                continue
            name = wide_column(prefix, uri)
            seen = newest.get(name)
            if seen is None or seen[1] < key:
                newest[name] = (prefix, key)
            if uri not in failed:
                shape = self._entity_shape(key)
                if isinstance(shape, ResolutionError):
                    error = msgspec.to_builtins(shape)
                    failed[uri] = {"schemaKey": uri, "error": error}
        columns: dict[str, _Column] = {}
        for name, (prefix, key) in newest.items():
            base = self._accepted(name, prefix)
            if base is not None and key <= base.key:
                columns[name] = base
                continue
            built = self._build(prefix, key, base)
            if built is not None:
                columns[name] = built
            elif base is not None:
                columns[name] = base
        if include_known:
            for name in list(self._known):
                self._accepted(name, _CONTEXTS if name.startswith("contexts_") else _UNSTRUCT)
            for name, column in self._columns.items():
                columns.setdefault(name, column)
        return _Plan(columns, failed)

    # -- public API ----------------------------------------------------------------------------

    def columns_for(
        self, events: Sequence[EnrichedEvent], *, also: Iterable[tuple[str, str]] = ()
    ) -> list[WideColumn]:
        """Columns the target lacks (or must widen) to store ``events``, sorted by name;
        ``also``: more ``(prefix, schema URI)`` uses (``contexts`` or ``unstruct_event``) to
        plan for, from events that are not decoded (the columnar bulk path)."""
        out = []
        for name, column in sorted(self._plan(events, also=also).columns.items()):
            accepted = self._columns.get(name)
            if accepted is None:
                out.append(WideColumn(name, column.arrow, column.key))
            elif accepted.arrow != column.arrow or accepted.key != column.key:
                out.append(WideColumn(name, column.arrow, column.key, accepted.arrow))
        return out

    def accept(self, columns: Iterable[WideColumn]) -> None:
        """Record ``columns`` (from :meth:`columns_for`) as present in the target."""
        for wide in columns:
            prefix = _CONTEXTS if wide.name.startswith("contexts_") else _UNSTRUCT
            built = self._build(prefix, wide.schema_key, self._columns.get(wide.name))
            if built is not None:
                self._columns[wide.name] = built

    def to_arrow(
        self,
        events: Sequence[EnrichedEvent],
        load_tstamp: datetime,
        *,
        include_known: bool = False,
        also: Iterable[tuple[str, str]] = (),
    ) -> WideBatch:
        """The events as a table: atomic columns, then the wide columns of the families present
        (all accepted ones too with ``include_known``) sorted by name. Events whose entities do
        not fit their column (or whose schema cannot be resolved) become ``loader_iglu_error``
        bad rows instead. ``also``: as for :meth:`columns_for` (the columns are planned for
        them too, so that a batch split between the two paths gets one layout)."""
        plan = self._plan(events, include_known, also)
        rows = [msgspec.structs.astuple(e) for e in events]
        failures = atomic_failures(rows)
        wide_rows: list[dict[str, Any]] = []
        for i, event in enumerate(events):
            values, problems = _wide_values(event, plan)
            wide_rows.append(values)
            if problems:
                failures.setdefault(i, []).extend(problems)
        good = [i for i in range(len(events)) if i not in failures]
        arrays = atomic_arrays([rows[i] for i in good], load_tstamp)
        names = [name for name, _ in ATOMIC_COLUMNS]
        for name in sorted(plan.columns):
            column = plan.columns[name]
            arrays.append(pa.array([wide_rows[i].get(name) for i in good], type=column.arrow))
            names.append(name)
        bad = tuple(self._bad_row(events[i], failures[i]) for i in sorted(failures))
        table = pa.Table.from_arrays(arrays, names=names)
        return WideBatch(table, tuple(events[i] for i in good), bad)

    def shapes_for(
        self, events: Sequence[EnrichedEvent], *, also: Iterable[tuple[str, str]] = ()
    ) -> tuple[dict[str, tuple[Shape, Any]], set[str]]:
        """The planned columns (name → shape and Arrow type) for ``events`` and ``also``, and
        the schema URIs whose events cannot be stored (unparseable or unresolvable)."""
        plan = self._plan(events, also=also)
        shapes = {name: (c.shape, c.arrow) for name, c in plan.columns.items()}
        return shapes, set(plan.failed)

    def _bad_row(self, event: EnrichedEvent, failure: list[Any]) -> bytes:
        payload = to_lossless_json(event)
        return encode(LoaderIgluError(self._processor, tuple(failure), payload))


def _entities(events: Sequence[EnrichedEvent]) -> Iterable[tuple[str, Entity]]:
    for event in events:
        yield from _event_entities(event)


def _event_entities(event: EnrichedEvent) -> Iterable[tuple[str, Entity]]:
    for contexts in (event.contexts, event.derived_contexts):
        if contexts is not None:
            for entity in contexts.data:
                yield _CONTEXTS, entity
    if event.unstruct_event is not None:
        yield _UNSTRUCT, event.unstruct_event.data


def _wide_values(event: EnrichedEvent, plan: _Plan) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    problems: list[Any] = []
    for prefix, entity in _event_entities(event):
        failure = plan.failed.get(entity.schema)
        if failure is not None:
            problems.append(failure)
            continue
        name = wide_column(prefix, entity.schema)
        column = plan.columns[name]
        if prefix == _UNSTRUCT:
            try:
                values[name] = column.convert(entity.data)
            except Mismatch as exc:
                problems.append(_wrong_type(entity, exc))
            continue
        try:
            converted = _item(column, entity)
        except Mismatch as exc:
            problems.append(_wrong_type(entity, exc))
            continue
        values.setdefault(name, []).append(converted)
    return values, problems


def _item(column: _Column, entity: Entity) -> Any:
    """One context item: the converted data, plus ``_schema_version`` for record items."""
    converted = column.convert_item(entity.data)
    if isinstance(converted, dict):
        converted[SCHEMA_VERSION_FIELD] = entity.schema.rsplit("/", 1)[1]
    return converted


def _wrong_type(entity: Entity, exc: Mismatch) -> dict[str, Any]:
    return {"schemaKey": entity.schema, "value": exc.value, "expected": exc.expected}
