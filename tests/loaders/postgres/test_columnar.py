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

from ..bulk.inputs import line, page_view, write_inputs, write_redelivery
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
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = write_inputs(tmp_path / "in")
    staged_rows: list[int] = []
    stage = engine_module.stage

    def spy(*args: Any, **kwargs: Any) -> Any:
        staged = stage(*args, **kwargs)
        staged_rows.append(-1 if staged is None else staged.fast_rows)
        return staged

    monkeypatch.setattr(engine_module, "stage", spy)
    rows_schema, cols_schema = schemas
    rows = load(pg_dsn, rows_schema, files, iglu, columnar=False, batch=batch)
    assert staged_rows == []
    cols = load(pg_dsn, cols_schema, files, iglu, columnar=True, batch=batch)
    assert cols == rows
    assert rows.loaded > 100
    assert rows.parsing_errors >= 15
    assert rows.duplicates_flagged >= 2
    assert sum(n for n in staged_rows if n > 0) > 80  # most rows took the columnar path
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


def _fast_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``fast_rows`` of every chunk the columnar path stages from now on."""
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
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = _fast_rows(monkeypatch)
    title = "a \\ back\\slash \\N \\t 'q' \"d\" é"
    texts = [line(page_view(n), page_title=f"{title} {n}") for n in range(6)]
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert counts[0] == counts[1]
    assert counts[0].loaded == 6
    assert fast == [6]
    assert same(differences(pg_dsn, *schemas))
    titles = query(pg_dsn, f'SELECT page_title FROM "{schemas[1]}".events ORDER BY page_title')
    assert titles[0] == (f"{title} 0",)


def test_values_the_columns_refuse_send_the_chunk_row_by_row(
    tmp_path: Path,
    iglu: Resolver,
    pg_dsn: str,
    schemas: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A value longer than its ``events`` column passes the checks but not PostgreSQL: the
    columnar COPY is undone and the per-row path makes that event a bad row."""
    fast = _fast_rows(monkeypatch)
    texts = [line(page_view(n)) for n in range(6)]
    texts.append(line(page_view(9), user_fingerprint="x" * 300))  # the column holds 128
    counts = _load_both(pg_dsn, schemas, texts, tmp_path / "in", iglu)
    assert fast == [7]  # the checks vouched for all seven
    assert counts[0] == counts[1]
    assert (counts[0].loaded, counts[0].bad_rows) == (6, 1)
    assert same(differences(pg_dsn, *schemas))
