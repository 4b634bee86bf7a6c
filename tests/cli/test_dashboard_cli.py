"""``pyplow dashboard`` over PostgreSQL, with the models run in the background."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from tests.analytics.models.dataset import first_batch, load
from tests.conftest import free_port
from tests.loaders.postgres.conftest import PG_DSN, PG_HOST, PG_PORT

from pyplow.cli import main
from pyplow.iglu import Resolver, builtin_repository


@pytest.fixture
def pg_events(require_service: Callable[..., None]) -> Iterator[str]:
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

    schema = f"atomic_{uuid.uuid4().hex[:10]}"
    loader = PostgresLoader(
        PostgresConfig(dsn=PG_DSN, schema=schema), Resolver([builtin_repository()])
    )
    load(loader, first_batch())
    loader.close()
    yield schema
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        for name in (schema, schema + "_derived"):
            conn.execute(f'drop schema if exists "{name}" cascade'.encode())


def test_dashboard_serves_postgres_and_models_it(pg_events: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pyplow.cli", "dashboard", "--target", "postgres",
         "--dsn", PG_DSN, "--port", str(port), "--model-interval", "0.5",
         "--events-schema", pg_events, "--derived-schema", pg_events + "_derived"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYPLOW_DASHBOARD_TOKEN": ""},
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/dashboard/api/overview?start=2024-03-01&end=2024-03-02"
        body: dict[str, object] = {}
        for _ in range(150):
            with contextlib.suppress(httpx.HTTPError):
                body = httpx.get(url, timeout=2).json()
            if body.get("sessions") == 5:
                break
            time.sleep(0.2)
        assert body.get("sessions") == 5, body
        assert body.get("page_views") == 8
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/dashboard/" in err


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--target", "postgres"]) == 2
    assert "needs --dsn" in capsys.readouterr().err
