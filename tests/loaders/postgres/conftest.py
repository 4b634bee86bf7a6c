"""Fixtures for the PostgreSQL loader tests: the local server, a throwaway schema, a resolver."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyplow.iglu import DirectoryRepository, Resolver, builtin_repository
from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

from .database import NOW

PG_HOST = os.environ.get("PYPLOW_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PYPLOW_TEST_PG_PORT", "5432"))
PG_DSN = os.environ.get("PYPLOW_TEST_PG_DSN", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")
DATA = Path(__file__).parent / "data"


@pytest.fixture
def resolver() -> Resolver:
    """The embedded registry plus this folder's ``com.acme`` test schemas."""
    return Resolver([builtin_repository(), DirectoryRepository(DATA, name="tests")])


@pytest.fixture
def pg_dsn(require_service: object) -> str:
    """The local PostgreSQL's DSN (skips locally, fails in CI, when it is not running)."""
    assert callable(require_service)
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    return PG_DSN


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[str]:
    """A fresh schema name, dropped (with everything in it) after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"atomic_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'.encode())


@pytest.fixture
def loader(pg_dsn: str, pg_schema: str, resolver: Resolver) -> Iterator[PostgresLoader]:
    """A loader into the throwaway schema, its clock fixed at ``NOW``."""
    pytest.importorskip("psycopg")
    made = PostgresLoader(
        PostgresConfig(dsn=pg_dsn, schema=pg_schema, application_name=pg_schema),
        resolver,
        clock=lambda: NOW,
    )
    yield made
    made.close()
