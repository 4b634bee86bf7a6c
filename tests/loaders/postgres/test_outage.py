"""PostgreSQL restarted in the middle of loading: nothing lost, nothing doubled.

Runs its own throwaway server (``initdb`` into a temporary directory, owned by the
``postgres`` user) so the machine's shared server is never touched.
"""

from __future__ import annotations

import threading
import time

import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, TransientLoadError
from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

from ...conftest import ThrowawayPostgres
from .events import page_view

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg")

BATCHES = 40
BATCH_SIZE = 250


def test_restart_mid_load_loses_and_doubles_nothing(
    postgres_server: ThrowawayPostgres, resolver: Resolver
) -> None:
    server = postgres_server
    dsn = server.dsn
    loader = PostgresLoader(PostgresConfig(dsn=dsn, connect_timeout=2), resolver)
    batches = [[page_view(b * BATCH_SIZE + i) for i in range(BATCH_SIZE)] for b in range(BATCHES)]
    batches.insert(BATCHES // 2, batches[3])  # a redelivered batch on top of the outage
    failures: list[str] = []
    done = threading.Event()
    acked = 0

    def run() -> None:
        nonlocal acked
        for batch in batches:
            delay = 0.05
            while True:
                try:
                    loader.load(LoadBatch(events=batch))
                    break
                except TransientLoadError as exc:
                    failures.append(str(exc))
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
            acked += 1  # the input is acknowledged only after load returned
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    for _ in range(2):
        while acked < 4 and not done.is_set():
            time.sleep(0.01)
        time.sleep(0.05)
        server.stop("fast")
        time.sleep(0.5)
        server.start()
        time.sleep(0.3)
    assert done.wait(60), "the loader did not finish after the restarts"
    loader.close()

    assert failures, "the restarts should have interrupted some loads"
    total = BATCHES * BATCH_SIZE
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            b"SELECT count(*), count(DISTINCT event_id) FROM atomic.events"
        ).fetchone()
        pages = conn.execute(
            b"SELECT count(*), count(DISTINCT root_id)"
            b" FROM atomic.com_snowplowanalytics_snowplow_web_page_1"
        ).fetchone()
        flagged = conn.execute(
            b"SELECT count(*) FROM pg_tables WHERE tablename LIKE '%duplicate%'"
        ).fetchone()
    assert counts == (total, total)
    assert pages == (total, total)
    assert flagged == (0,)
