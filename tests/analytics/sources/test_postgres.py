"""The PostgreSQL loader's ``atomic.events`` as a source (needs the local server).

Like the loader's own tests (``tests/loaders/postgres``), these run against PostgreSQL on
127.0.0.1:5432 (trust auth, database ``test``; ``PYPLOW_TEST_PG_*`` override it), each in a
schema of its own; they are skipped when the server is absent locally and fail in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from pyplow.analytics import SourceError, read_arrow, read_events
from pyplow.analytics.columns import ATOMIC_NAMES
from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch

from ..sdk_data import LOADED, event, stamp

PG_HOST = os.environ.get("PYPLOW_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PYPLOW_TEST_PG_PORT", "5432"))
PG_DSN = os.environ.get("PYPLOW_TEST_PG_DSN", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")


@pytest.fixture
def pg_dsn(require_service: Any) -> str:
    """The local PostgreSQL's DSN (skips locally, fails in CI, when it is not running)."""
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    return PG_DSN


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[str]:
    """A fresh schema name, dropped with everything in it after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"sdk_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'.encode())


@pytest.fixture
def loaded(
    pg_dsn: str, pg_schema: str, sdk_resolver: Resolver, sdk_events: list[EnrichedEvent]
) -> str:
    """The twelve test events loaded into ``pg_schema``; the schema's name."""
    from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

    config = PostgresConfig(dsn=pg_dsn, schema=pg_schema, application_name=pg_schema)
    loader = PostgresLoader(config, sdk_resolver, clock=lambda: LOADED)
    try:
        result = loader.load(LoadBatch(events=sdk_events))
    finally:
        loader.close()
    assert (result.loaded, result.bad) == (len(sdk_events), [])
    return pg_schema


@pytest.mark.integration
def test_the_canonical_columns_equal_duckdbs(
    pg_dsn: str, loaded: str, sdk_sources: dict[str, str]
) -> None:
    table = read_arrow(pg_dsn, schema=loaded)
    assert table.column_names == list(ATOMIC_NAMES)  # the entities live in shredded tables
    from_duckdb = read_arrow(sdk_sources["duckdb"], columns=ATOMIC_NAMES)
    assert table.schema == from_duckdb.schema
    assert table.to_pylist() == from_duckdb.to_pylist()
    assert table.column("event_id")[0].as_py() == event(0).event_id  # char(36), no padding
    assert table.column("load_tstamp")[0].as_py() == LOADED


@pytest.mark.integration
def test_window_and_columns(pg_dsn: str, loaded: str) -> None:
    frame = read_events(
        pg_dsn,
        stamp(3),
        stamp(6),
        schema=loaded,
        columns=["tr_total", "event_id", "contexts_com_acme_product_1"],
    )
    assert frame.columns == ["tr_total", "event_id", "contexts_com_acme_product_1"]
    assert frame["event_id"].to_list() == [event(n).event_id for n in (3, 4, 5)]
    assert [str(v) if v is not None else None for v in frame["tr_total"].to_list()] == [
        None,
        "12.35",
        None,
    ]
    assert frame["contexts_com_acme_product_1"].null_count() == 3


@pytest.mark.integration
def test_many_rows_come_in_chunks(
    pg_dsn: str, pg_schema: str, sdk_resolver: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyplow.analytics.sources import postgres
    from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

    config = PostgresConfig(dsn=pg_dsn, schema=pg_schema, application_name=pg_schema)
    loader = PostgresLoader(config, sdk_resolver, clock=lambda: LOADED)
    try:
        loader.load(LoadBatch(events=[event(n) for n in range(25)]))
    finally:
        loader.close()
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 10)
    table = read_arrow(pg_dsn, schema=pg_schema, columns=["event_id"])
    assert table.num_rows == 25
    assert table.column("event_id").type == pa.string()
    empty = read_arrow(pg_dsn, "2030-01-01", schema=pg_schema)
    assert empty.num_rows == 0
    assert empty.num_columns == len(ATOMIC_NAMES)


@pytest.mark.integration
def test_a_missing_table(pg_dsn: str, pg_schema: str) -> None:
    with pytest.raises(SourceError, match=rf"no table {pg_schema}\.events"):
        read_arrow(pg_dsn, schema=pg_schema)


def test_an_unreachable_server() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(SourceError, match="reading PostgreSQL failed"):
        read_arrow("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
