"""The fault suite: the distributed pipeline keeps every event exactly once through outages.

Real processes (a collector, two enrich workers, the PostgreSQL loader) on a throwaway NATS
server and a throwaway PostgreSQL, while a sender that retries like a tracker (on 503 and on
connection errors) posts events the whole time. In turn: an enrich worker and the loader are
killed with SIGKILL and restarted; NATS is stopped for ``OUTAGE`` seconds (the collector's sink
fails, its buffer fills, it answers 503 and the sender retries); PostgreSQL is stopped for
``OUTAGE`` seconds. At the end PostgreSQL holds exactly the events the collector accepted: none
lost, none doubled, and no bad rows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from ..conftest import ThrowawayNats, ThrowawayPostgres, free_port

pytestmark = pytest.mark.integration

#: Seconds each server is down (the issue asks for 30; PYPLOW_FAULT_OUTAGE_SECONDS for quick runs).
OUTAGE = float(os.environ.get("PYPLOW_FAULT_OUTAGE_SECONDS", "30"))
SCHEMA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"


def configs(folder: Path, nats: str, dsn: str, port: int) -> dict[str, Path]:
    servers = f'servers = ["{nats}"]'
    raw = f'{servers}\nsubject = "f.raw"\nstream = "F_RAW"'
    enriched = f'{servers}\nsubject = "f.enriched"\nstream = "F_ENRICHED"'
    bad = f'{servers}\nsubject = "f.bad"\nstream = "F_BAD"'
    texts = {
        "collector": f"""[collector]\nport = {port}\n[collector.buffer]
max_records = 50\nflush_interval_seconds = 0.05\nretry_max_seconds = 1.0\nretry_after_seconds = 1
[collector.good]\ntype = "nats"\n{raw}\n[collector.bad]\ntype = "nats"\n{bad}\n""",
        "enrich": f"""[enrich]\nbatch_records = 50\nretry_max_seconds = 1.0
[enrich.source]\ntype = "nats"\n{raw}\ndurable = "enrich"\nack_wait_seconds = 5.0
[enrich.good]\ntype = "nats"\n{enriched}\n[enrich.bad]\ntype = "nats"\n{bad}\n""",
        "load": f"""[load]\ntarget = "postgres"\ndsn = "{dsn}"\nbatch_records = 200
[load.enriched]\ntype = "nats"\n{enriched}\ndurable = "load"
[load.bad]\ntype = "nats"\n{bad}\ndurable = "load-bad"\n""",
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.toml"
        paths[name].write_text(text)
    return paths


class Process:
    def __init__(self, *args: str) -> None:
        self.args = args
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "pyplow.cli", *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restart(self) -> None:
        self.process = self._spawn()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Sender(threading.Thread):
    """Posts batches of 10 page views; retries each batch until the collector accepts it."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.accepted: list[str] = []
        self.rejected = 0
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=5) as client:
            while not self.done.is_set():
                ids = [str(uuid.uuid4()) for _ in range(10)]
                body = json.dumps(
                    {"schema": SCHEMA, "data": [
                        {"e": "pv", "p": "web", "tv": "fault", "eid": i} for i in ids
                    ]}
                )  # fmt: skip
                while True:
                    try:
                        response = client.post(
                            "/com.snowplowanalytics.snowplow/tp2",
                            content=body,
                            headers={"Content-Type": "application/json"},
                        )
                        if response.status_code == 200:
                            self.accepted.extend(ids)
                            break
                        self.rejected += 1
                    except httpx.HTTPError:
                        self.rejected += 1
                    time.sleep(0.2)  # a tracker's retry
                time.sleep(0.05)


def wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("collector did not become healthy")


def test_exactly_once_through_crashes_and_outages(
    tmp_path: Path, nats_server: ThrowawayNats, postgres_server: ThrowawayPostgres
) -> None:
    import psycopg

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    files = configs(tmp_path, nats_server.url, postgres_server.dsn, port)
    collector = Process("collector", "--config", str(files["collector"]))
    workers = [Process("enrich", "--config", str(files["enrich"])) for _ in range(2)]
    loader = Process("load", "--config", str(files["load"]))
    processes = [collector, *workers, loader]
    sender = Sender(base)
    try:
        wait_healthy(base)
        sender.start()
        time.sleep(4)
        workers[0].kill()  # crashes mid-stream...
        loader.kill()
        time.sleep(1)
        workers[0].restart()  # ...and comes back
        loader.restart()
        time.sleep(3)
        nats_server.stop()  # the collector's sink fails: 503s, the sender retries
        time.sleep(OUTAGE)
        nats_server.start()
        time.sleep(3)
        postgres_server.stop()
        time.sleep(OUTAGE)
        postgres_server.start()
        time.sleep(3)
        sender.done.set()
        sender.join(timeout=60)
        accepted = set(sender.accepted)
        deadline = time.monotonic() + 120
        stored: list[str] = []
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(postgres_server.dsn) as connection:
                    rows = connection.execute("select event_id from atomic.events").fetchall()
                    stored = [r[0].strip() for r in rows]
                    bad = connection.execute("select count(*) from atomic.bad_rows").fetchall()
            except psycopg.Error:
                stored, bad = [], [(0,)]
            if len(stored) >= len(accepted):
                break
            time.sleep(1)
        assert sender.rejected > 0  # the outage did reach the sender, which retried
        assert len(stored) == len(set(stored)), "an event was stored twice"
        assert set(stored) == accepted, (
            f"{len(accepted - set(stored))} lost, {len(set(stored) - accepted)} unexpected"
        )
        assert bad == [(0,)]
    finally:
        sender.done.set()
        for process in processes:
            process.stop()
