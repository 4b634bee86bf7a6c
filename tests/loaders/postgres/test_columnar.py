"""The columnar path into PostgreSQL stores exactly what the per-row path stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.bulk import engine as engine_module
from pyplow.loaders.bulk import run_files
from pyplow.loaders.postgres import PostgresConfig, PostgresLoader
from pyplow.loaders.postgres import columnar as columnar_module

from ..bulk.inputs import line, page_view, write_inputs, write_redelivery
from ..bulk.streaming import stream_both_ways
from ..wide_fixtures import registry
from .database import NOW, query


@pytest.fixture
def iglu(tmp_path: Path) -> Resolver:
    return registry(tmp_path / "iglu")


@pytest.fixture
def schemas(pg_dsn: str) -> Iterator[tuple[str, str]]:
    """Two fresh schema names (per row, columnar), dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    names = (f"rows_{uuid.uuid4().hex[:10]}", f"cols_{uuid.uuid4().hex[:10]}")
    yield names
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'.encode())


def load(
    dsn: str, schema: str, files: list[Path], resolver: Resolver, *, columnar: bool, batch: int
) -> Any:
    loader = PostgresLoader(PostgresConfig(dsn=dsn, schema=schema), resolver, clock=lambda: NOW)
    try:
        return run_files(loader, files, [], batch_records=batch, columnar=columnar)
    finally:
        loader.close()


def differences(dsn: str, a: str, b: str) -> dict[str, tuple[int, int]]:
    """Rows of each table of schema ``a`` missing from ``b`` and the other way round (the
    tables and their column types must be the same)."""

    def tables(schema: str) -> list[str]:
        rows = query(
            dsn,
            "SELECT table_name FROM information_schema.tables "
            f"WHERE table_schema = '{schema}' ORDER BY table_name",
        )
        return [name for (name,) in rows]

    def columns(schema: str, table: str) -> list[tuple[str, str]]:
        return [
            (name, kind)
            for name, kind in query(
                dsn,
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_schema = '{schema}' AND table_name = '{table}' "
                "ORDER BY ordinal_position",
            )
        ]

    assert tables(a) == tables(b)
    out: dict[str, tuple[int, int]] = {}
    for table in tables(a):
        assert columns(a, table) == columns(b, table), table
        names = ", ".join(f'"{n}"' for n, _ in columns(a, table) if n != "load_tstamp")
        counts = []
        for x, y in ((a, b), (b, a)):
            ((n,),) = query(
                dsn,
                f'SELECT count(*) FROM (SELECT {names} FROM "{x}"."{table}" '
                f'EXCEPT ALL SELECT {names} FROM "{y}"."{table}") d',
            )
            counts.append(n)
        out[table] = (counts[0], counts[1])
    return out


def same(found: dict[str, tuple[int, int]]) -> bool:
    return all(counts == (0, 0) for counts in found.values())


@pytest.mark.parametrize("batch", [1000, 70, 9])
def test_same_tables_as_the_per_row_path(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    batch: int,
    fast_rows: list[int],
    fallbacks: list[int],
) -> None:
    files = write_inputs(tmp_path / "in")
    rows_schema, cols_schema = schemas
    rows = load(pg_dsn, rows_schema, files, iglu, columnar=False, batch=batch)
    assert fast_rows == []
    cols = load(pg_dsn, cols_schema, files, iglu, columnar=True, batch=batch)
    assert cols == rows
    assert rows.loaded > 100
    assert rows.parsing_errors >= 15
    assert rows.duplicates_flagged >= 2
    assert sum(n for n in fast_rows if n > 0) > 80  # most rows took the columnar path
    assert fallbacks == []
    found = differences(pg_dsn, rows_schema, cols_schema)
    assert len(found) >= 4  # events, bad_rows and shredded tables
    assert same(found), found
    # loading the same files again stores nothing new, on both paths
    again_rows = load(pg_dsn, rows_schema, files, iglu, columnar=False, batch=batch)
    again_cols = load(pg_dsn, cols_schema, files, iglu, columnar=True, batch=batch)
    assert again_cols == again_rows
    assert again_rows.loaded < rows.loaded
    assert same(differences(pg_dsn, rows_schema, cols_schema))


def test_rows_already_stored_by_the_per_row_path_are_deduplicated(
    tmp_path: Path, iglu: Resolver, pg_dsn: str, schemas: tuple[str, str]
) -> None:
    first, second = write_redelivery(tmp_path / "in")
    for schema, columnar in zip(schemas, (False, True), strict=True):
        load(pg_dsn, schema, [first], iglu, columnar=False, batch=100)
        counts = load(pg_dsn, schema, [second], iglu, columnar=columnar, batch=4)
        assert (counts.loaded, counts.duplicates_skipped, counts.duplicates_flagged) == (7, 5, 2)
    assert same(differences(pg_dsn, *schemas))


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per chunk whose columnar COPY PostgreSQL refused (stored row by row)."""
    found: list[int] = []
    kept_events = columnar_module._kept_events

    def spy(*args: Any) -> Any:
        found.append(1)
        return kept_events(*args)

    monkeypatch.setattr(columnar_module, "_kept_events", spy)
    return found


@pytest.fixture
def fast_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``fast_rows`` of every chunk the columnar path stages during the test."""
    found: list[int] = []
    stage = engine_module.stage

    def spy(*args: Any, **kwargs: Any) -> Any:
        staged = stage(*args, **kwargs)
        found.append(-1 if staged is None else staged.fast_rows)
        return staged

    monkeypatch.setattr(engine_module, "stage", spy)
    return found


def _load_both(
    dsn: str, schemas: tuple[str, str], texts: list[str], folder: Path, iglu: Resolver
) -> list[Any]:
    folder.mkdir()
    (folder / "a.tsv").write_text("\n".join(texts) + "\n")
    return [
        load(dsn, schema, [folder / "a.tsv"], iglu, columnar=columnar, batch=100)
        for schema, columnar in zip(schemas, (False, True), strict=True)
    ]


def test_backslashes_and_quotes_arrive_as_they_are(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    fast_rows: list[int],
    fallbacks: list[int],
) -> None:
    title = "a \\ back\\slash \\N \\t 'q' \"d\" é"
    texts = [line(page_view(n), page_title=f"{title} {n}") for n in range(6)]
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert counts[0] == counts[1]
    assert counts[0].loaded == 6
    assert fast_rows == [6]
    assert fallbacks == []
    assert same(differences(pg_dsn, *schemas))
    titles = query(pg_dsn, f'SELECT page_title FROM "{schemas[1]}".events ORDER BY page_title')
    assert titles[0] == (f"{title} 0",)


def test_values_the_columns_refuse_send_the_chunk_row_by_row(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    fast_rows: list[int],
    fallbacks: list[int],
) -> None:
    """A value longer than its ``events`` column passes the checks but not PostgreSQL: the
    columnar COPY is undone and the per-row path makes that event a bad row."""
    texts = [line(page_view(n)) for n in range(6)]
    texts.append(line(page_view(9), user_fingerprint="x" * 300))  # the column holds 128
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert fast_rows == [7]  # the checks vouched for all seven
    assert fallbacks == [1]
    assert counts[0] == counts[1]
    assert (counts[0].loaded, counts[0].bad_rows) == (6, 1)
    assert same(differences(pg_dsn, *schemas))


SIMPLE = "iglu:com.acme/simple/jsonschema/1-0-0"
_SIMPLE_SCHEMA = {
    "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
    "self": {"vendor": "com.acme", "name": "simple", "format": "jsonschema", "version": "1-0-0"},
    "type": "object",
    "properties": {
        "must": {"type": "string"},
        "label": {"type": ["string", "null"]},
        "short": {"type": ["string", "null"], "maxLength": 5},
        "code": {"type": ["string", "null"], "minLength": 2, "maxLength": 2},
        "uid": {"type": ["string", "null"], "format": "uuid"},
        "small": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "big": {"type": ["integer", "null"]},
        "ratio": {"type": ["number", "null"]},
        "ok": {"type": ["boolean", "null"]},
    },
    "required": ["must"],
    "additionalProperties": False,
}
_ENTITY_DATA = [
    {"must": "a", "label": 'tab\there\nnew\\back"quote\r', "short": "ab😀de", "code": "FR"},
    {"must": "b", "uid": "3B9AE123-0000-4000-8000-00000000000F", "small": 7, "big": -(2**63)},
    {"must": "c", "ratio": 1, "ok": False, "big": 2**63 - 1},
    {"must": "d", "ratio": -0.0, "ok": True, "label": None},
    {"must": "e", "ratio": 1.5e10, "small": 32767},
    {"must": "f", "ratio": 12345678901234567890, "label": "é"},
    {"must": "g", "ratio": 0.1, "small": -32768},
    {"must": "h", "big": 3.0},  # stored as 3 by Python (the SQL does not vouch for it)
    {"must": "i", "short": "abcdef"},  # too long: a bad row
    {"must": "j", "small": 32768},  # beyond smallint: a bad row
    {"must": "k", "ok": "true"},  # not a boolean: a bad row
    {"label": "no must"},  # a required property missing: a bad row
    {"must": "m", "uid": "not-a-uuid"},  # a bad row
    {"must": "n", "big": 2**63},  # beyond bigint: a bad row
    {"must": 5},  # not a string: a bad row
    "not an object",  # a bad row
]


def test_entities_of_simple_schemas_shredded_by_sql(
    tmp_path: Path,
    pg_dsn: str,
    schemas: tuple[str, str],
    fallbacks: list[int],
) -> None:
    """Each column kind the SQL shreds, with values that fit and values that do not: both
    paths store the same rows and make the same bad rows."""
    import json

    iglu = registry(tmp_path / "iglu")
    path = tmp_path / "iglu" / "schemas" / "com.acme" / "simple" / "jsonschema" / "1-0-0"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_SIMPLE_SCHEMA))
    texts = []
    for n, data in enumerate(_ENTITY_DATA):
        envelope = {
            "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "data": [{"schema": SIMPLE, "data": data}],
        }
        texts.append(line(page_view(n), contexts=json.dumps(envelope, ensure_ascii=False)))
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert fallbacks == []
    assert counts[0] == counts[1]
    assert (counts[0].loaded, counts[0].bad_rows) == (8, 8)
    found = differences(pg_dsn, *schemas)
    assert "com_acme_simple_1" in found
    assert same(found), found
    labels = query(
        pg_dsn, f"SELECT label, short FROM \"{schemas[1]}\".com_acme_simple_1 WHERE must = 'a'"
    )
    assert labels == [('tab\there\nnew\\back"quote\r', "ab😀de")]


def test_entities_the_parse_misses_send_the_chunk_row_by_row(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    fallbacks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should DuckDB's parse of the JSON fields hold fewer entities than the rows carry, the
    chunk is stored row by row rather than without them."""
    entities_select = columnar_module.entities_select
    monkeypatch.setattr(
        columnar_module, "entities_select", lambda kept: f"{entities_select(kept)} LIMIT 3"
    )
    texts = [line(page_view(n)) for n in range(5)]
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert fallbacks == [1]
    assert counts[0] == counts[1]
    assert counts[0].loaded == 5
    assert same(differences(pg_dsn, *schemas))


def test_a_staging_failure_rolls_the_batch_back_as_a_terminal_error(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import duckdb

    from pyplow.loaders.base import TerminalLoadError

    def fail(chunk: Any) -> Any:
        raise duckdb.OutOfMemoryException("no memory left")

    monkeypatch.setattr(columnar_module, "_parse_entities", fail)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.tsv").write_text("\n".join(line(page_view(n)) for n in range(3)) + "\n")
    with pytest.raises(TerminalLoadError, match="staging a batch failed"):
        load(pg_dsn, schemas[1], [folder / "a.tsv"], iglu, columnar=True, batch=100)
    monkeypatch.undo()
    counts = load(pg_dsn, schemas[1], [folder / "a.tsv"], iglu, columnar=True, batch=100)
    assert counts.loaded == 3  # nothing of the failed attempt was kept


def test_streamed_batches_load_columnar_as_the_per_row_path_does(
    iglu: Resolver, pg_dsn: str, schemas: tuple[str, str]
) -> None:
    named = dict(zip(("rows", "lines"), schemas, strict=True))

    def loader(name: str) -> PostgresLoader:
        config = PostgresConfig(dsn=pg_dsn, schema=named[name])
        return PostgresLoader(config, iglu, clock=lambda: NOW)

    stream_both_ways(loader)
    assert same(differences(pg_dsn, *schemas))
