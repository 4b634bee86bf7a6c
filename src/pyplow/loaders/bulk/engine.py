"""One chunk of enriched TSV lines, staged in DuckDB: typed, checked, deduplicated, planned.

:func:`stage` works in a DuckDB connection (the target database for the DuckDB loader, an
in-memory one for Parquet) and leaves, for the caller's transaction:

- ``Staged.fast_sql``: a ``SELECT`` of the rows the columnar path stores (the atomic columns
  typed, ``load_tstamp``, then the planned wide columns sorted by name, as
  :meth:`~pyplow.loaders.wide.WideLayout.to_arrow` lays them out);
- ``Staged.slow``: decoded events for the per-row path, in input order: rows the columnar
  checks do not vouch for (which decode after all), events stored under a new id by
  deduplication, events with entities the SQL does not build;
- ``Staged.bad``: ``loader_parsing_error`` bad rows of lines that do not decode.

Deduplication is that of :func:`pyplow.loaders.dedup.decide`, over all the chunk's events in
input order (:mod:`~pyplow.loaders.bulk.dedup_sql`): only events whose ``event_id`` is
repeated in the chunk, or already stored, are decided one by one (in Python); the others are
kept as they are. The wide columns are planned for both paths together (``also``), so the
chunk gets one layout whichever path its rows take.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import msgspec

from pyplow.event import FIELD_INDEX, EnrichedEvent
from pyplow.iglu import IgluParseError, SchemaKey
from pyplow.loaders.bulk.atomic_sql import atomic_ok, typed_columns
from pyplow.loaders.bulk.chunks import (
    ChunkSource,
    Prepared,
    arrow_chunk,
    csv_chunk,
    register_arrow,
)
from pyplow.loaders.bulk.dedup_sql import (
    IDS,
    StoredLookup,
    apply_decisions,
    decode_line,
    sequential,
)
from pyplow.loaders.bulk.entities_sql import (
    JSON_FIELDS,
    NARROW,
    PARSED,
    PARSED_CHECK,
    family_value,
    fast_shape,
    fits_cheaply,
    fits_hint,
    json_ok,
    literal,
    row_fits,
    typed_parsed,
)
from pyplow.loaders.duckdb.ddl import duckdb_type, quote
from pyplow.loaders.wide import WideLayout, wide_column
from pyplow.loaders.wide.shapes import ListOf, Record

__all__ = ["Staged", "StoredLookup", "drop_staging", "exclude", "kept_rows", "stage"]

STAGE: Final = "__pyplow_stage"
EXCLUDED: Final = "__pyplow_excluded"
_ENVELOPE_CRITERIA: Final = {
    "contexts": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-",
    "unstruct_event": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-",
}
_ID: Final = f"c{FIELD_INDEX['event_id']}"
_FP: Final = f"c{FIELD_INDEX['event_fingerprint']}"
_KEEP: Final = f"__row NOT IN (SELECT __row FROM {EXCLUDED})"

#: Rows a cheap check cannot vouch for that are decoded one by one rather than checked in SQL.
_DECODE_AT_MOST: Final = 2000
#: Schema families the SQL builds: column name → prefix, entity record shape, schema URIs.
Families = dict[str, tuple[str, Record, set[str]]]


class Staged(msgspec.Struct):
    """What :func:`stage` leaves for the caller (see the module docstring)."""

    fast_sql: str
    slow: list[EnrichedEvent]
    #: ``(prefix, schema URI)`` used by the rows of ``fast_sql`` (for ``WideLayout`` plans).
    also: list[tuple[str, str]]
    bad: list[bytes]
    source: ChunkSource | None = None
    skipped: int = 0
    flagged: int = 0
    #: How many rows ``fast_sql`` gives.
    fast_rows: int = 0
    #: The schema families the SQL built (the ``hint`` for the next chunk).
    families: dict[str, tuple[str, Record, set[str]]] = msgspec.field(default_factory=dict)
    #: ``(event_id, fingerprint)`` of every event of the chunk (when asked for), in
    #: ``event_id`` order except for those of rows the per-row path decodes (at the end).
    seen: list[tuple[str, str | None]] = msgspec.field(default_factory=list)


def drop_staging(con: Any, staged: Staged | None = None) -> None:
    """Remove what :func:`stage` created (also after a failure)."""
    for table in (STAGE, EXCLUDED):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    with contextlib.suppress(Exception):
        con.unregister(IDS)
    if staged is not None and staged.source is not None:
        staged.source.close(con)


def _iglu(uri: str) -> bool:
    return not isinstance(SchemaKey.parse(uri), IgluParseError)


def _valid_uris(con: Any) -> tuple[dict[str, set[str]], set[str]]:
    envelopes: dict[str, set[str]] = {}
    entities: set[str] = set()
    for _, parsed, prefix in JSON_FIELDS:
        rows = con.execute(f"SELECT DISTINCT {parsed}_env FROM {STAGE}").fetchall()
        criterion = _ENVELOPE_CRITERIA[prefix]
        envelopes.setdefault(prefix, set()).update(
            uri
            for (uri,) in rows
            if isinstance(uri, str) and uri.startswith(criterion) and _iglu(uri)
        )
        if prefix == "unstruct_event":
            sql = f"SELECT DISTINCT {parsed}_s FROM {STAGE}"
        else:
            sql = f"SELECT DISTINCT unnest({parsed}_s) FROM {STAGE}"
        entities.update(uri for (uri,) in con.execute(sql).fetchall() if isinstance(uri, str))
    return envelopes, {uri for uri in entities if _iglu(uri)}


def exclude(con: Any, rows: list[int]) -> None:
    """Take ``rows`` (line indexes) out of the rows the columnar path stores."""
    if rows:
        con.execute(f"INSERT INTO {EXCLUDED} SELECT unnest(?::BIGINT[])", [rows])


def _fast_uses(con: Any) -> list[tuple[str, str]]:
    parts = []
    for _, parsed, prefix in JSON_FIELDS:
        select = f"{parsed}_s" if prefix == "unstruct_event" else f"unnest({parsed}_s)"
        parts.append(
            f"SELECT DISTINCT '{prefix}' AS p, {select} AS s FROM {STAGE} "
            f"WHERE NOT {parsed}_none AND {_KEEP}"
        )
    rows = con.execute(" UNION ".join(parts)).fetchall()
    return sorted((p, s) for p, s in rows if s is not None)


def _staged_narrow(con: Any, source: ChunkSource, hint: Families | None) -> bool:
    narrow = ", ".join(f"{sql} AS {name}" for name, sql in NARROW)
    narrow += f", {fits_hint(hint)} AS __fit0"
    parsed = ", ".join(f"{sql} AS {name}" for name, sql in PARSED_CHECK)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT __row, __id, __fp, "
            f"__atomic_ok, {narrow} FROM (SELECT __row, {_ID} AS __id, {_FP} AS __fp, "
            f"{atomic_ok()} AS __atomic_ok, c52, c58, c122, {parsed} FROM {source.sql})"
        )
        (count,) = con.execute(f"SELECT count(*) FROM {STAGE}").fetchall()[0]
    except Exception:
        return False
    return bool(count == source.rows)


def _first_pass(
    con: Any,
    lines: list[bytes],
    scratch: Path,
    hint: Families | None,
    prepared: Prepared | None,
) -> ChunkSource | None:
    """Stage the narrow table of the chunk; the chunk's source, or ``None`` (row by row)."""
    if prepared is not None and prepared.arrow is not None:
        registered = register_arrow(con, prepared.arrow)
        if _staged_narrow(con, registered, hint):
            return registered
        registered.close(con)
        prepared = None
    source = csv_chunk(lines, scratch) if prepared is None else prepared.source
    if source is not None:
        if _staged_narrow(con, source, hint):
            return source
        source.close(con)
    source = arrow_chunk(con, lines)
    if source is not None:
        if _staged_narrow(con, source, hint):
            return source
        source.close(con)
    return None


def _same(families: Families, hint: Families | None) -> bool:
    if hint is None:
        return False
    return all(
        name in hint and hint[name][:2] == (prefix, record)
        for name, (prefix, record, _) in families.items()
    )


def _unfit(con: Any, source: ChunkSource, families: Families, hint: Families | None) -> list[int]:
    """Kept rows whose entities the SQL does not build (they take the per-row path)."""
    cheap = f"NOT coalesce({fits_cheaply(families)}, false)"
    if _same(families, hint):  # the first pass made the guess (``__fit0``) for these families
        suspect = f"SELECT __row FROM {STAGE} WHERE {_KEEP} AND {cheap}"
    else:  # the same guess, over the raw JSON fields: no parsing
        suspect = (
            f"SELECT s.__row FROM (SELECT * EXCLUDE (__fit0) FROM {STAGE} WHERE {_KEEP}) s "
            f"JOIN (SELECT __row, {fits_hint(families)} AS __fit0 FROM {source.sql}) c "
            f"ON s.__row = c.__row WHERE {cheap}"
        )
    suspects = [r for (r,) in con.execute(suspect).fetchall()]
    if len(suspects) <= _DECODE_AT_MOST:
        return suspects
    where = f"__row IN ({suspect})"
    parsed = ", ".join(f"{sql} AS {name}" for name, sql in PARSED)
    chunk = f"(SELECT *, {parsed} FROM {source.sql} WHERE {where})"
    return [
        r
        for (r,) in con.execute(
            f"SELECT __row FROM {chunk} WHERE NOT coalesce({row_fits(families)}, false)"
        ).fetchall()
    ]


def _fast_families(
    uses: list[tuple[str, str]], shapes: dict[str, tuple[Any, Any]], failed: set[str]
) -> Families:
    """The planned families whose columns the SQL builds, with the schema URIs of ``uses``."""
    families: Families = {}
    for prefix, uri in uses:
        name = wide_column(prefix, uri)
        found = shapes.get(name)
        if uri in failed or found is None:
            continue
        shape = found[0]
        record = shape.item if isinstance(shape, ListOf) else shape
        if isinstance(record, Record) and fast_shape(record):
            families.setdefault(name, (prefix, record, set()))[2].add(uri)
    return families


def _fast_select(
    source: ChunkSource,
    shapes: dict[str, tuple[Any, Any]],
    families: Families,
    load_tstamp: datetime,
) -> str:
    """The ``SELECT`` of the rows the columnar path stores, laid out as ``to_arrow`` does."""
    stamp = load_tstamp.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    columns = [f"{expr} AS {quote(name)}" for name, expr in typed_columns()]
    columns.append(f"TIMESTAMP {literal(stamp)} AS load_tstamp")
    for name in sorted(shapes):
        arrow = shapes[name][1]
        if name in families:
            prefix, record, uris = families[name]
            value = family_value(prefix, record, uris, arrow, families)
            columns.append(f"{value} AS {quote(name)}")
        else:
            columns.append(f"CAST(NULL AS {duckdb_type(arrow)}) AS {quote(name)}")
    typed = ", ".join(f"{sql} AS {name}" for name, sql in typed_parsed(families))
    chunk = f"(SELECT *, {typed} FROM {source.sql} WHERE {_KEEP})"
    return f"SELECT {', '.join(columns)} FROM {chunk}"


def stage(
    con: Any,
    lines: list[bytes],
    layout: WideLayout | None,
    stored: StoredLookup,
    *,
    fresh_ids: bool,
    load_tstamp: datetime,
    scratch: Path,
    seen: bool = False,
    hint: Families | None = None,
    prepared: Prepared | None = None,
) -> Staged | None:
    """Stage ``lines`` (see the module docstring); ``None`` when the chunk must be loaded row
    by row. ``stored`` looks up stored events (``fresh_ids``: also under the ids their
    duplicates would get, as :func:`~pyplow.loaders.dedup.lookup_ids` does); ``seen``: fill
    ``Staged.seen`` with the ``(event_id, fingerprint)`` of every event of the chunk;
    ``hint``: the ``Staged.families`` of the previous chunk (when the chunk's families are
    the same, the first pass has already told which rows surely fit them); ``prepared``:
    what was made of ``lines`` ahead of time (:class:`~pyplow.loaders.bulk.chunks.Prepared`).
    Without a ``layout`` no wide columns are planned: ``fast_sql`` is empty and the caller
    reads the rows the columnar path stores with :func:`kept_rows`."""

    source = _first_pass(con, lines, scratch, hint, prepared)
    if source is None:
        return None
    bad = [b for b in map(decode_line, source.malformed) if isinstance(b, bytes)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EXCLUDED} (__row BIGINT)")
    envelopes, entities = _valid_uris(con)
    ok = f"__atomic_ok AND {json_ok(envelopes, entities)}"
    unsure = [
        r
        for (r,) in con.execute(
            f"SELECT __row FROM {STAGE} WHERE NOT coalesce({ok}, false)"
        ).fetchall()
    ]
    exclude(con, unsure)
    slow: dict[int, EnrichedEvent] = {}
    for row in unsure:
        decoded = decode_line(lines[row])
        if isinstance(decoded, bytes):
            bad.append(decoded)
        else:
            slow[row] = decoded

    keys, known = sequential(con, STAGE, _KEEP, slow, stored, fresh_ids)
    out = Staged(fast_sql="", slow=[], also=[], bad=bad, source=source)
    if seen:
        pairs = con.sql(
            f"SELECT DISTINCT __id, __fp FROM {STAGE} WHERE {_KEEP} ORDER BY __id, __fp"
        ).to_arrow_table()
        ids, fingerprints = (pairs.column(i).to_pylist() for i in (0, 1))
        out.seen = list(zip(ids, fingerprints, strict=True))
        out.seen.extend((e.event_id or "", e.event_fingerprint) for e in slow.values())
    moved, out.skipped, out.flagged = apply_decisions(lines, slow, keys, known)
    exclude(con, moved)

    if layout is not None:
        # the wide columns, planned for both paths; rows the SQL does not build go per row
        out.also = _fast_uses(con)
        events = [slow[r] for r in sorted(slow)]
        shapes, failed = layout.shapes_for(events, also=out.also)
        families = _fast_families(out.also, shapes, failed)
        out.families = families
        unfit = _unfit(con, source, families, hint)
        exclude(con, unfit)
        for row in unfit:
            decoded = decode_line(lines[row])
            assert isinstance(decoded, EnrichedEvent), "a checked row always decodes"
            slow[row] = decoded
        out.fast_sql = _fast_select(source, shapes, families, load_tstamp)
    out.slow = [slow[r] for r in sorted(slow)]
    (out.fast_rows,) = con.execute(f"SELECT count(*) FROM {STAGE} WHERE {_KEEP}").fetchall()[0]
    return out


def kept_rows(staged: Staged, columns: str, where: str | None = None) -> str:
    """A ``SELECT`` of ``columns`` (SQL over ``__row`` and the raw ``c0`` … ``c130``) for the
    rows the columnar path stores (those of them where ``where`` holds), in line order."""
    assert staged.source is not None, "a staged chunk has its source"
    also = "" if where is None else f" AND ({where})"
    return f"SELECT {columns} FROM {staged.source.sql} WHERE {_KEEP}{also} ORDER BY __row"
