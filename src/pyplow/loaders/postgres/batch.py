"""One batch inside one transaction: deduplicate, shred, migrate, COPY.

:class:`BatchWriter` does the work between ``BEGIN`` and ``COMMIT`` (the loader owns the
connection, the transaction and error handling). Steps:

1. look up which of the batch's ``event_id`` values ``events`` already holds, with their
   fingerprints (:mod:`~pyplow.loaders.postgres.stored`), and
   :func:`~pyplow.loaders.dedup.deduplicate`;
2. resolve each schema the entities use, derive its columns and create or migrate its table;
   events whose entities cannot be stored become ``loader_iglu_error`` bad rows;
3. ``COPY`` the events (in a savepoint: if PostgreSQL refuses a value, the offending events are
   found, turned into ``loader_runtime_error`` bad rows, and the rest are copied again);
4. ``COPY`` each shredded table's rows, then store the batch's bad rows.

Rows go to ``COPY`` as text built here, many lines per write
(:mod:`~pyplow.loaders.postgres.copytext`); a row with a value that has no text form there goes
through psycopg's ``write_row`` as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import msgspec

from pyplow import badrows
from pyplow.event import EnrichedEvent, Entity, to_lossless_json
from pyplow.iglu import IgluParseError, ResolutionError, Resolver, SchemaKey
from pyplow.loaders.dedup import deduplicate
from pyplow.loaders.postgres.atomic import EVENT_COLUMNS, atomic_problem, event_row
from pyplow.loaders.postgres.atomic_text import event_line
from pyplow.loaders.postgres.columns import Column, schema_columns
from pyplow.loaders.postgres.copytext import CopyBlocks, row_text
from pyplow.loaders.postgres.ddl import BAD_ROWS_TABLE, EVENTS_TABLE
from pyplow.loaders.postgres.entity_text import EntityLines, root_text
from pyplow.loaders.postgres.identifiers import qualified, quote, table_name
from pyplow.loaders.postgres.migrations import (
    TABLE_QUERY,
    Incompatible,
    Migration,
    TableState,
    plan_migration,
    table_state,
)
from pyplow.loaders.postgres.shredding import METADATA_COLUMNS, CastFailure, EntityShredder
from pyplow.loaders.postgres.stored import flagged_ids_needed, stored_fingerprints

if TYPE_CHECKING:
    import psycopg

__all__ = ["BatchOutcome", "BatchWriter", "SchemaCache", "Shredded"]

_BAD_ROW_SCHEMA_FALLBACK: Final = "unknown"
_JSON_DECODER: Final = msgspec.json.Decoder()


class BatchOutcome(msgspec.Struct):
    """What the transaction stored (applied to the loader's caches only after COMMIT)."""

    loaded: int = 0
    skipped: int = 0
    flagged: int = 0
    bad_rows_stored: int = 0
    bad: list[bytes] = msgspec.field(default_factory=list)
    tables: dict[str, TableState] = msgspec.field(default_factory=dict)


class SchemaCache:
    """Columns per schema key (only successful lookups are kept: a registry may come back)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._columns: dict[SchemaKey, tuple[SchemaKey, tuple[Column, ...]]] = {}

    def columns(self, key: SchemaKey) -> tuple[SchemaKey, tuple[Column, ...]] | ResolutionError:
        """The version whose schema applies (after ``$supersededBy``) and its columns."""
        found = self._columns.get(key)
        if found is not None:
            return found
        resolved = self._resolver.lookup(key)
        if isinstance(resolved, ResolutionError):
            return resolved
        found = (resolved.schema_key, schema_columns(resolved.schema))
        self._columns[key] = found
        return found


class Shredded(msgspec.Struct):
    """Rows per schema key (COPY lines, or tuples for psycopg), each tagged with its event's
    id."""

    rows: dict[SchemaKey, list[tuple[str, str | tuple[Any, ...]]]] = msgspec.field(
        default_factory=dict
    )


def _entities(event: EnrichedEvent) -> Sequence[Entity]:
    contexts, derived, unstruct = event.contexts, event.derived_contexts, event.unstruct_event
    if derived is None and unstruct is None:
        return () if contexts is None else contexts.data
    found = [] if contexts is None else [*contexts.data]
    if derived is not None:
        found += derived.data
    if unstruct is not None:
        found.append(unstruct.data)
    return found


class BatchWriter:
    """Writes one batch through an open transaction (see the module docstring)."""

    def __init__(
        self,
        cursor: psycopg.Cursor[Any],
        *,
        schema: str,
        schemas: SchemaCache,
        tables: dict[str, TableState],
        processor: badrows.Processor,
        load_tstamp: datetime,
    ) -> None:
        self._cur = cursor
        self._schema = schema
        self._schemas = schemas
        self._known = tables
        self._processor = processor
        self.load_tstamp = load_tstamp
        """The ``load_tstamp`` of the batch's events."""
        self.outcome = BatchOutcome()
        # key -> (table, columns) when storable, else the failure item for bad rows
        self._status: dict[SchemaKey, tuple[str, tuple[Column, ...]] | dict[str, Any]] = {}
        # entity schema URI -> (key, its rows' maker) when storable, else the failure item
        self._by_uri: dict[str, tuple[SchemaKey, EntityLines] | dict[str, Any]] = {}

    # -- 1. deduplication -------------------------------------------------------------------

    def deduplicated(self, events: Sequence[EnrichedEvent]) -> list[EnrichedEvent]:
        table = qualified(self._schema, EVENTS_TABLE)
        ids = {e.event_id or "" for e in events}
        ids.discard("")
        stored = stored_fingerprints(self._cur, table, list(ids), {})
        extra = flagged_ids_needed(events, stored) - ids
        stored_fingerprints(self._cur, table, list(extra), stored)
        result = deduplicate(events, stored)
        self.outcome.skipped, self.outcome.flagged = result.skipped, result.flagged
        return result.events

    # -- 2. schemas, tables, shredding ------------------------------------------------------

    def _state(self, table: str) -> TableState | None:
        state = self.outcome.tables.get(table) or self._known.get(table)
        if state is None:
            self._cur.execute(TABLE_QUERY, (self._schema, table))
            state = table_state(table, self._cur.fetchall())
        return state

    def _prepare(self, key: SchemaKey) -> tuple[str, tuple[Column, ...]] | dict[str, Any]:
        uri = key.to_uri()
        found = self._schemas.columns(key)
        if isinstance(found, ResolutionError):
            return {"schemaKey": uri, "error": msgspec.to_builtins(found)}
        applied, columns = found
        table = table_name(key)
        plan = plan_migration(self._schema, table, self._state(table), applied, columns)
        if isinstance(plan, Incompatible):
            return {"schemaKey": uri, "message": plan.message}
        self._migrate(plan)
        return table, columns

    def _migrate(self, plan: Migration) -> None:
        for statement in plan.statements:
            self._cur.execute(statement.encode())
        if plan.statements or plan.state.name not in self._known:
            self.outcome.tables[plan.state.name] = plan.state

    def _storable(self, uri: str) -> tuple[SchemaKey, EntityLines] | dict[str, Any]:
        """The key and row maker of an entity schema, or the failure item for its bad rows."""
        found = self._by_uri.get(uri)
        if found is not None:
            return found
        key = SchemaKey.parse(uri)
        if isinstance(key, IgluParseError):
            found = {"schemaKey": uri, "message": str(key)}
        else:
            status = self._status.get(key)
            if status is None:
                status = self._prepare(key)
                self._status[key] = status
            if isinstance(status, dict):
                found = status
            else:
                found = (key, EntityLines(EntityShredder(key, status[1])))
        self._by_uri[uri] = found
        return found

    def prepare(self, uris: set[str]) -> None:
        """Resolve the entity schemas ``uris`` and create or migrate their tables, in version
        order (so that an addition migrates a table its earlier version created)."""
        for uri in sorted(uris, key=_version_order):
            self._storable(uri)

    def entity_target(self, uri: str) -> tuple[str, tuple[Column, ...], EntityShredder] | None:
        """The table, columns and shredder of a prepared entity schema; ``None`` when its
        entities cannot be stored."""
        found = self._by_uri.get(uri) or self._storable(uri)
        if isinstance(found, dict):
            return None
        key, lines = found
        status = self._status[key]
        assert not isinstance(status, dict), "a storable schema has its table"
        return status[0], status[1], lines.shredder

    def shred_entities(
        self,
        into: Shredded,
        event_id: str,
        tstamp: datetime,
        root: str | None,
        entities: Sequence[Entity],
    ) -> list[Any]:
        """Add the rows of one event's ``entities`` to ``into``; or, when some cannot be
        stored, add none and return their failure items (for a ``loader_iglu_error``).
        ``root`` is :func:`~pyplow.loaders.postgres.entity_text.root_text` of the event."""
        known = self._by_uri
        rows: list[tuple[SchemaKey, str | tuple[Any, ...]]] = []
        failures: list[Any] = []
        for entity in entities:
            uri = entity.schema
            status = known.get(uri) or self._storable(uri)
            if isinstance(status, dict):
                failures.append(status)
                continue
            key, lines = status
            row = lines.line(entity.data, event_id, tstamp, root)
            if isinstance(row, CastFailure):
                failures.append(msgspec.to_builtins(row))
            else:
                rows.append((key, row))
        if failures:
            return failures
        by_key = into.rows
        for key, row in rows:
            tagged = by_key.get(key)
            if tagged is None:
                tagged = by_key[key] = []
            tagged.append((event_id, row))
        return failures

    def shred(self, events: Sequence[EnrichedEvent]) -> tuple[list[EnrichedEvent], Shredded]:
        """Events that can be stored, and their entity rows; the others become bad rows."""
        self.prepare({e.schema for ev in events for e in _entities(ev)})
        now = self.load_tstamp
        good: list[EnrichedEvent] = []
        shredded = Shredded()
        for event in events:
            tstamp = event.collector_tstamp or now
            event_id = event.event_id or ""
            root = root_text(event_id, tstamp)
            failures = self.shred_entities(shredded, event_id, tstamp, root, _entities(event))
            if failures:
                self.bad_iglu(event, failures)
            else:
                good.append(event)
        return good, shredded

    def bad_iglu(self, event: EnrichedEvent, failures: list[Any]) -> None:
        """A ``loader_iglu_error`` bad row for ``event``."""
        row = badrows.LoaderIgluError(self._processor, tuple(failures), to_lossless_json(event))
        self.outcome.bad.append(badrows.encode(row))

    # -- 3./4. COPY -------------------------------------------------------------------------

    def _copy_events(self, events: Sequence[EnrichedEvent]) -> None:
        columns = ", ".join(quote(c) for c in EVENT_COLUMNS)
        sql = f"COPY {qualified(self._schema, EVENTS_TABLE)} ({columns}) FROM STDIN"
        now = self.load_tstamp
        load_text = row_text((now,))
        with self._cur.copy(sql.encode()) as copy:
            blocks = CopyBlocks(copy)
            for event in events:
                text = None if load_text is None else event_line(event, now, load_text)
                if text is None:
                    blocks.flush()
                    copy.write_row(event_row(event, now))
                else:
                    blocks.line(text)
            blocks.flush()

    def copy_events(self, events: list[EnrichedEvent]) -> list[EnrichedEvent]:
        """COPY the events; returns those stored (refused ones become bad rows)."""
        import psycopg

        conn = self._cur.connection
        try:
            with conn.transaction():
                self._copy_events(events)
            return events
        except (psycopg.DataError, psycopg.errors.NotNullViolation):
            pass
        kept: list[EnrichedEvent] = []
        for event in events:
            problem = atomic_problem(event)
            if problem is None:
                kept.append(event)
                continue
            row = badrows.LoaderRuntimeError(self._processor, problem, to_lossless_json(event))
            self.outcome.bad.append(badrows.encode(row))
        self._copy_events(kept)  # a refusal now is a bug in atomic_problem: let it surface
        return kept

    def copy_entities(self, shredded: Shredded, stored_ids: Container[str]) -> None:
        for key, tagged in shredded.rows.items():
            status = self._status[key]
            assert not isinstance(status, dict)
            table, columns = status
            names = [n for n, _ in METADATA_COLUMNS] + [c.name for c in columns]
            sql = (
                f"COPY {qualified(self._schema, table)} ({', '.join(quote(n) for n in names)})"
                " FROM STDIN"
            )
            with self._cur.copy(sql.encode()) as copy:
                blocks = CopyBlocks(copy)
                for event_id, row in tagged:
                    if event_id in stored_ids:
                        if isinstance(row, str):
                            blocks.line(row)
                        else:
                            blocks.row(row)
                blocks.flush()

    def store_bad_rows(self, rows: Sequence[bytes]) -> None:
        """Insert bad rows (each once: keyed by the SHA-256 of its bytes)."""
        if not rows:
            return
        hashes, schemas, documents = [], [], []
        for raw in rows:
            schema, document = _bad_row_document(raw)
            hashes.append(hashlib.sha256(raw).hexdigest())
            schemas.append(schema)
            documents.append(document)
        self._cur.execute(
            f"INSERT INTO {qualified(self._schema, BAD_ROWS_TABLE)}"
            ' ("row_hash", "schema", "data", "load_tstamp")'
            " SELECT h, s, d::jsonb, %s FROM unnest(%s::text[], %s::text[], %s::text[]) AS"
            " t(h, s, d) ON CONFLICT (row_hash) DO NOTHING",
            (self.load_tstamp, hashes, schemas, documents),
        )
        self.outcome.bad_rows_stored = max(self._cur.rowcount, 0)

    def write(
        self,
        events: Sequence[EnrichedEvent],
        bad_rows: Sequence[bytes],
        *,
        deduplicate: bool = True,
    ) -> BatchOutcome:
        """All steps, in order; returns what was stored. ``deduplicate=False``: the events
        were already decided (the columnar path's per-row events)."""
        unique = self.deduplicated(events) if deduplicate else list(events)
        good, shredded = self.shred(unique)
        stored = self.copy_events(good)
        self.copy_entities(shredded, {e.event_id or "" for e in stored})
        self.store_bad_rows(bad_rows)
        self.outcome.loaded += len(stored)
        return self.outcome


def _version_order(uri: str) -> tuple[int, str, tuple[int, int, int]]:
    key = SchemaKey.parse(uri)
    if isinstance(key, IgluParseError):
        return (1, uri, (0, 0, 0))
    v = key.version
    return (0, f"{key.vendor}/{key.name}/{key.format}", (v.model, v.revision, v.addition))


def _bad_row_document(raw: bytes) -> tuple[str, str]:
    """The bad row's schema URI and a JSON text ``jsonb`` accepts: the row itself, or (when it
    is not JSON, or holds NUL characters PostgreSQL cannot store) its text as a JSON string."""
    try:
        value: Any = _JSON_DECODER.decode(raw)
        storable = b"\\u0000" not in raw and b"\x00" not in raw
    except msgspec.DecodeError:
        value, storable = None, False
    if storable:
        document = raw.decode()
    else:
        text = raw.decode("utf-8", errors="replace").replace("\x00", "")
        document = msgspec.json.encode(text).decode()
    schema = value.get("schema") if isinstance(value, dict) else None
    return (schema if isinstance(schema, str) else _BAD_ROW_SCHEMA_FALLBACK)[:512], document
