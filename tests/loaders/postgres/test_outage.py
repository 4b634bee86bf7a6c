"""PostgreSQL restarted in the middle of loading: nothing lost, nothing doubled.

Runs its own throwaway server (``initdb`` into a temporary directory, owned by the
``postgres`` user) so the machine's shared server is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, TransientLoadError
from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

from .events import page_view

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg")

BIN = Path(os.environ.get("PYPLOW_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
BATCHES = 40
BATCH_SIZE = 250


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server:
    def __init__(self, root: Path, port: int) -> None:
        self.data, self.port, self.root = root / "data", port, root

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")


@pytest.fixture
def server() -> Iterator[_Server]:
    if not (BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip(f"needs PostgreSQL server binaries in {BIN} and runuser")
    if os.geteuid() != 0:
        pytest.skip("needs root to run a throwaway server as the postgres user")
    root = Path(tempfile.mkdtemp(prefix="pyplow-pg-outage-"))
    shutil.chown(root, "postgres")
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(BIN / "initdb"), "-D", str(root / "data"),
         "-A", "trust", "-U", "postgres"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    made = _Server(root, _free_port())
    made.start()
    try:
        yield made
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            made.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_restart_mid_load_loses_and_doubles_nothing(server: _Server, resolver: Resolver) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
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
