"""The PostgreSQL loader's columnar path: a chunk of enriched TSV lines staged in DuckDB.

:func:`write_staged` stores a chunk that :func:`pyplow.loaders.bulk.engine.stage` checked and
deduplicated (without wide columns) through an open transaction's
:class:`~pyplow.loaders.postgres.batch.BatchWriter`:

- the ``events`` rows of the rows the checks vouch for are made by DuckDB, not Python: each
  is the line's 128 atomic fields as they are (the checks guarantee the forms PostgreSQL reads
  as the values the per-row path stores: timestamps, plain numbers, ``0``/``1``), TAB-joined,
  backslashes doubled, an empty field NULL (``COPY … WITH (NULL '')``: the per-row path has
  no empty strings), then ``load_tstamp``; the text goes to ``COPY`` straight from DuckDB's
  Arrow buffer, in a thread, while the entities are shredded;
- their entities are parsed once by DuckDB (:func:`_parse_entities`, which also prepares
  their schemas' tables); those of simple schemas are checked and turned into COPY lines by
  DuckDB (:mod:`~pyplow.loaders.postgres.entities_sql`), the others, and those the SQL does
  not vouch for, are shredded by the writer in Python from the JSON fields alone. An event
  with an entity that cannot be stored becomes its ``loader_iglu_error`` bad row and is
  deleted from ``events`` again (its id was new to the table);
- the per-row events of the chunk (those the checks do not vouch for, duplicates flagged
  under a new id) and its bad rows go through ``BatchWriter.write``, already deduplicated.

If PostgreSQL refuses the columnar ``COPY`` (a value too long for its column), it is rolled
back to a savepoint and those rows are decoded and stored by the per-row path, which finds
the culprits; so are they when DuckDB's parse of the JSON fields does not hold every entity.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final

import msgspec

from pyplow.event import EnrichedEvent, Entity
from pyplow.event.entities import strict_contexts, strict_unstruct_event
from pyplow.event.values import strict_timestamp
from pyplow.loaders.bulk.dedup_sql import decode_line
from pyplow.loaders.bulk.engine import Staged, exclude, kept_rows
from pyplow.loaders.bulk.entities_sql import JSON_FIELDS, literal
from pyplow.loaders.postgres.atomic import EVENT_COLUMNS
from pyplow.loaders.postgres.batch import BatchOutcome, BatchWriter, Shredded
from pyplow.loaders.postgres.copytext import row_text
from pyplow.loaders.postgres.ddl import ATOMIC_FIELDS, EVENTS_TABLE
from pyplow.loaders.postgres.entities_sql import (
    ID_COLUMN,
    TSTAMP_COLUMN,
    entities_select,
    family_select,
    fits,
    line,
    simple,
)
from pyplow.loaders.postgres.identifiers import qualified, quote
from pyplow.loaders.postgres.shredding import METADATA_COLUMNS
from pyplow.loaders.postgres.stored import array_literal

if TYPE_CHECKING:
    import psycopg

__all__ = ["write_staged"]

#: The raw columns of the three JSON fields (contexts, derived contexts, unstruct event).
_JSON: Final = tuple(raw for raw, _, _ in JSON_FIELDS)
_ENTITIES: Final = "__pyplow_pg_entities"
_PYTHON_ROWS: Final = "__pyplow_pg_python_rows"
#: Bytes per ``copy.write`` of the columnar text.
_BLOCK: Final = 4 << 20


def _line_sql(load_text: str) -> str:
    """DuckDB SQL of a kept row's ``events`` COPY line (with its LF)."""
    parts: list[str] = []
    for field in ATOMIC_FIELDS:
        parts += [f"c{field.index}", "chr(9)"]
    parts.append(literal(load_text))
    return f"replace(concat({', '.join(parts)}, chr(10)), '\\', '\\\\')"


def _entities(contexts: str | None, derived: str | None, unstruct: str | None) -> list[Entity]:
    """The entities of a row the checks vouch for, in the per-row path's order."""
    found: list[Entity] = []
    if contexts is not None:
        found += strict_contexts(contexts).data
    if derived is not None:
        found += strict_contexts(derived).data
    if unstruct is not None:
        found.append(strict_unstruct_event(unstruct).data)
    return found


class _Chunk(msgspec.Struct, frozen=True):
    """What the steps of :func:`write_staged` work on: the staged chunk in its DuckDB
    connection, its lines, and the writer and cursor of the open transaction."""

    con: Any
    staged: Staged
    lines: list[bytes]
    writer: BatchWriter
    cursor: Any
    schema: str


class _SqlFamily(msgspec.Struct):
    """One entity schema shredded by DuckDB: the table of its parsed entities and the SQL
    that fills it, the check they must pass, their COPY line and the ``COPY`` statement."""

    table: str
    select: str
    check: str
    line: str
    copy: str


def _sql_family(writer: BatchWriter, schema: str, uri: str, table: str) -> _SqlFamily | None:
    """How DuckDB shreds the entities of ``uri`` (parsed into ``table``); ``None``: the
    schema's entities are shredded in Python."""
    target = writer.entity_target(uri)
    if target is None or not simple(target[1]):
        return None
    name, columns, shredder = target
    head, tail = row_text(shredder.head), row_text(shredder.tail)
    if head is None or tail is None:
        return None
    names = [n for n, _ in METADATA_COLUMNS] + [c.name for c in columns]
    return _SqlFamily(
        table=table,
        select=family_select(_ENTITIES, uri, columns),
        check=fits(columns),
        line=line(head + "\t", "\t" + tail, columns),
        copy=f"COPY {qualified(schema, name)} ({', '.join(quote(n) for n in names)}) FROM STDIN",
    )


def _parse_entities(chunk: _Chunk) -> set[str] | None:
    """Parse the kept rows' entities into :data:`_ENTITIES` and prepare their schemas' tables
    (the last use of the database before the ``COPY``); returns their schema URIs, or ``None``
    when the parse does not hold every entity the rows carry (counted another way): the
    batch then takes the per-row path rather than lose one."""
    con = chunk.con
    any_json = " OR ".join(f"{c} IS NOT NULL" for c in _JSON)
    kept = kept_rows(chunk.staged, "*", any_json)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_ENTITIES} AS {entities_select(kept)}")
    ((parsed,),) = con.execute(f"SELECT count(*) FROM {_ENTITIES}").fetchall()
    contexts, derived, unstruct = _JSON
    carried = (
        f"coalesce(json_array_length({contexts}, '$.data'), 0) + "
        f"coalesce(json_array_length({derived}, '$.data'), 0) + ({unstruct} IS NOT NULL)::INT"
    )
    ((expected,),) = con.execute(f"SELECT sum({carried})::BIGINT FROM ({kept})").fetchall()
    if parsed != (expected or 0):
        return None
    uris = {s for (s,) in con.execute(f"SELECT DISTINCT s FROM {_ENTITIES}").fetchall()}
    chunk.writer.prepare(uris)
    return uris


def _shred(chunk: _Chunk, uris: set[str], families: list[_SqlFamily]) -> tuple[Shredded, list[str]]:
    """The entities of :data:`_ENTITIES` (schemas ``uris``, prepared): adds the SQL families
    to ``families`` (their lines are made by DuckDB, for the rows not in
    :data:`_PYTHON_ROWS`) and returns the rows Python shredded. Rows with an entity that
    cannot be stored become bad rows and are excluded; their event ids are returned too.
    Uses DuckDB and Python only, not the database."""
    con, writer = chunk.con, chunk.writer
    in_sql: list[str] = []
    python = [
        f"SELECT __row FROM {_ENTITIES} WHERE s IS NULL OR s NOT IN (SELECT unnest(?::VARCHAR[]))"
    ]
    for uri in sorted(uris):
        family = _sql_family(writer, chunk.schema, uri, f"{_ENTITIES}_{len(families)}")
        if family is None:
            continue
        families.append(family)
        in_sql.append(uri)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {family.table} AS {family.select}")
        python.append(f"SELECT __row FROM {family.table} WHERE NOT coalesce({family.check}, false)")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_PYTHON_ROWS} AS SELECT DISTINCT __row FROM "
        f"({' UNION ALL '.join(python)})",
        [in_sql],
    )
    columns = f"__row, {ID_COLUMN}, {TSTAMP_COLUMN}, {', '.join(_JSON)}"
    rows = con.execute(
        kept_rows(chunk.staged, columns, f"__row IN (SELECT __row FROM {_PYTHON_ROWS})")
    ).fetchall()
    parsed = [(row, event_id, ts, _entities(*json)) for row, event_id, ts, *json in rows]
    shredded = Shredded()
    refused: list[int] = []
    refused_ids: list[str] = []
    for row, event_id, ts, entities in parsed:
        # the checks vouch for the id (a UUID) and the timestamp's text: no escaping needed
        root = f"{event_id}\t{ts}"
        failures = writer.shred_entities(shredded, event_id, strict_timestamp(ts), root, entities)
        if failures:
            event = decode_line(chunk.lines[row])
            assert isinstance(event, EnrichedEvent), "a checked row always decodes"
            writer.bad_iglu(event, failures)
            refused.append(row)
            refused_ids.append(event_id)
    exclude(con, refused)
    return shredded, refused_ids


def _family_texts(con: Any, families: list[_SqlFamily]) -> list[tuple[str, Any]]:
    """``(COPY statement, Arrow text)`` of each SQL family's lines."""
    return [
        (
            family.copy,
            con.sql(
                f"SELECT {family.line} FROM {family.table} "
                f"WHERE __row NOT IN (SELECT __row FROM {_PYTHON_ROWS})"
            )
            .to_arrow_table()
            .column(0),
        )
        for family in families
    ]


def _copy_text(cursor: psycopg.Cursor[Any], sql: str, text: Any) -> None:
    """``COPY`` an Arrow column of COPY lines."""
    if len(text):
        with cursor.copy(sql.encode()) as copy:
            for block in _text_blocks(text):
                copy.write(block)


def _text_blocks(text: Any) -> Iterator[memoryview]:
    """The bytes of an Arrow text column's values, one after the other, in blocks."""
    import pyarrow as pa  # type: ignore[import-untyped]

    for chunk in text.chunks:
        if not len(chunk):
            continue
        if not pa.types.is_large_string(chunk.type):
            chunk = chunk.cast(pa.large_string())
        _, offsets, data = chunk.buffers()
        first = chunk.offset * 8
        start = int.from_bytes(offsets[first : first + 8], "little")
        last = (chunk.offset + len(chunk)) * 8
        end = int.from_bytes(offsets[last : last + 8], "little")
        view = memoryview(data)
        for at in range(start, end, _BLOCK):
            yield view[at : min(at + _BLOCK, end)]


def _kept_events(chunk: _Chunk) -> list[EnrichedEvent]:
    """The kept rows, decoded (for the per-row path)."""
    events: list[EnrichedEvent] = []
    for (row,) in chunk.con.execute(kept_rows(chunk.staged, "__row")).fetchall():
        event = decode_line(chunk.lines[row])
        assert isinstance(event, EnrichedEvent), "a checked row always decodes"
        events.append(event)
    return events


def _copy_columnar(chunk: _Chunk, uris: set[str], families: list[_SqlFamily]) -> int:
    """COPY the kept rows' events and entities (in a savepoint); returns how many events."""
    con, cursor = chunk.con, chunk.cursor
    load_text = row_text((chunk.writer.load_tstamp,))
    assert load_text is not None, "a timestamp always has COPY text"
    text = con.sql(kept_rows(chunk.staged, _line_sql(load_text))).to_arrow_table().column(0)
    stored = len(text)
    columns = ", ".join(quote(c) for c in EVENT_COLUMNS)
    table = qualified(chunk.schema, EVENTS_TABLE)
    copy_events = f"COPY {table} ({columns}) FROM STDIN WITH (NULL '')"
    with cursor.connection.transaction():
        # PostgreSQL takes the events while DuckDB and Python shred the entities
        with ThreadPoolExecutor(1, thread_name_prefix="pyplow-copy") as pool:
            copying = pool.submit(_copy_text, cursor, copy_events, text)
            shredded, refused = _shred(chunk, uris, families)
            texts = _family_texts(con, families)
        copying.result()
        if refused:  # their ids were new to the table: only they are removed
            cursor.execute(
                f"DELETE FROM {table} WHERE event_id = ANY(%s::bpchar[])",
                (array_literal(refused),),
            )
            stored -= len(refused)
        for sql, family_text in texts:
            _copy_text(cursor, sql, family_text)
        chunk.writer.copy_entities(shredded, _EVERY_ID)
    return stored


def write_staged(
    con: Any,
    staged: Staged,
    lines: list[bytes],
    writer: BatchWriter,
    cursor: psycopg.Cursor[Any],
    schema: str,
) -> BatchOutcome:
    """Store ``staged`` (see the module docstring); returns what was stored."""
    import psycopg

    chunk = _Chunk(con, staged, lines, writer, cursor, schema)
    families: list[_SqlFamily] = []
    fast = 0
    slow: Sequence[EnrichedEvent] = staged.slow
    try:
        uris = _parse_entities(chunk)
        if uris is None:
            slow = [*_kept_events(chunk), *staged.slow]
        else:
            try:
                fast = _copy_columnar(chunk, uris, families)
            except (psycopg.DataError, psycopg.errors.NotNullViolation):
                slow = [*_kept_events(chunk), *staged.slow]
    finally:
        for name in (_ENTITIES, _PYTHON_ROWS, *(f.table for f in families)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    outcome = writer.write(slow, staged.bad, deduplicate=False)
    outcome.loaded += fast
    outcome.skipped, outcome.flagged = staged.skipped, staged.flagged
    return outcome


class _EveryId:
    """Every event id: the columnar ``COPY`` stored all the events it was given."""

    def __contains__(self, event_id: object) -> bool:
        return True


_EVERY_ID: Final = _EveryId()
