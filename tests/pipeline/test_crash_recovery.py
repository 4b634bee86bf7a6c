"""kill -9 of the embedded pipeline, then a restart: every accepted event is loaded exactly once,
with or without a tracker event id."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pyplow.cli",
            "quickstart",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.communicate()[1].decode(errors="replace"))


def send(port: int, event_ids: list[str]) -> None:
    body = {
        "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
        "data": [
            {"e": "pv", "p": "web", "tv": "test", "eid": eid, "url": "https://a.test/"}
            for eid in event_ids
        ],
    }
    response = httpx.post(
        f"http://127.0.0.1:{port}/com.snowplowanalytics.snowplow/tp2",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200


def send_pixel(port: int, page: int) -> None:
    """A no-JS pixel hit: no ``eid``, so enrich gives the event its id."""
    query = {"e": "pv", "p": "web", "tv": "no-js-test", "url": f"https://a.test/pixel/{page}"}
    response = httpx.get(f"http://127.0.0.1:{port}/i", params=query)
    assert response.status_code == 200


def test_kill_9_then_restart_loads_every_accepted_event_once(tmp_path: Path) -> None:
    port = free_port()
    sent = [str(uuid.uuid4()) for _ in range(600)]
    process = start(tmp_path, port)
    for start_at in range(0, len(sent), 20):
        send(port, sent[start_at : start_at + 20])
        send_pixel(port, start_at // 20)
    time.sleep(0.3)  # past the collector's 50 ms flush: everything answered is spooled
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list((tmp_path / "spool").iterdir())  # the crash left spooled records to replay
    restarted = start(tmp_path, port)  # replays the spool
    time.sleep(3)
    restarted.send_signal(signal.SIGTERM)
    restarted.communicate(timeout=60)
    connection = duckdb.connect(str(tmp_path / "pyplow.duckdb"), read_only=True)
    try:
        rows = connection.sql("select event_id, page_urlpath from atomic.events").fetchall()
    finally:
        connection.close()
    ids = [event_id for event_id, path in rows if not path.startswith("/pixel/")]
    pixels = sorted(path for _, path in rows if path.startswith("/pixel/"))
    assert len(ids) == len(set(ids))  # nothing doubled
    assert sorted(ids) == sorted(sent)  # nothing lost
    # Replayed pixel hits get the ids they got the first time, so deduplication keeps them once.
    assert pixels == sorted(f"/pixel/{page}" for page in range(len(sent) // 20))
    assert not list((tmp_path / "spool").iterdir())  # a clean stop leaves an empty spool
