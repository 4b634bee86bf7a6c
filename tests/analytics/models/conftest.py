"""A DuckDB and a PostgreSQL warehouse holding the known event set, for the model tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.loaders.postgres.conftest import PG_DSN, PG_HOST, PG_PORT

from pyplow.analytics.models import (
    Database,
    DuckDBDatabase,
    ModelSettings,
    PostgresDatabase,
)
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.base import Loader


class Warehouse:
    """A loader and a model database over the same events."""

    def __init__(self, loader: Loader, db: Database, settings: ModelSettings) -> None:
        self.loader = loader
        self.db = db
        self.settings = settings

    def rows(self, table: str, order: str) -> list[dict[str, Any]]:
        name = f'"{self.settings.derived_schema}"."{table}"'
        columns = self.db.columns(self.settings.derived_schema, table)
        rows = self.db.query(f"select * from {name} order by {order}")
        return [dict(zip(columns, r, strict=True)) for r in rows]


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(
    request: pytest.FixtureRequest, tmp_path: Path, require_service: Callable[..., None]
) -> Iterator[Warehouse]:
    resolver = Resolver([builtin_repository()])
    if request.param == "duckdb":
        from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

        loader: Loader = DuckDBLoader(DuckDBConfig(path=str(tmp_path / "w.duckdb")), resolver)
        db: Database = DuckDBDatabase(connection=loader.connection)  # type: ignore[attr-defined]
        yield Warehouse(loader, db, ModelSettings())
        db.close()
        loader.close()
        return
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

    schema = f"atomic_{uuid.uuid4().hex[:10]}"
    loader = PostgresLoader(PostgresConfig(dsn=PG_DSN, schema=schema), resolver)
    db = PostgresDatabase(PG_DSN)
    try:
        yield Warehouse(
            loader, db, ModelSettings(events_schema=schema, derived_schema=schema + "_derived")
        )
    finally:
        db.close()
        loader.close()
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            for name in (schema, schema + "_derived"):
                conn.execute(f'drop schema if exists "{name}" cascade'.encode())
