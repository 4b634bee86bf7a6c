"""The distributed pipeline as real processes: collector → NATS → 2 enrich workers → NATS →
PostgreSQL loader. Events sent over HTTP end in PostgreSQL exactly once, even when an enrich
worker is killed with SIGKILL mid-stream."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

DSN = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def config_files(folder: Path, tag: str, port: int) -> dict[str, Path]:
    nats = 'servers = ["nats://127.0.0.1:4222"]'
    raw = f'{nats}\nsubject = "t{tag}.raw"\nstream = "T{tag}_RAW"'
    enriched = f'{nats}\nsubject = "t{tag}.enriched"\nstream = "T{tag}_ENRICHED"'
    bad = f'{nats}\nsubject = "t{tag}.bad"\nstream = "T{tag}_BAD"'
    files = {
        "collector": f"""[collector]\nport = {port}\n[collector.buffer]
flush_interval_seconds = 0.05\n[collector.good]\ntype = "nats"\n{raw}
[collector.bad]\ntype = "nats"\n{bad}\n""",
        "enrich": f"""[enrich]\nbatch_records = 20\n[enrich.source]\ntype = "nats"\n{raw}
durable = "enrich"\nack_wait_seconds = 5.0\n[enrich.good]\ntype = "nats"\n{enriched}
[enrich.bad]\ntype = "nats"\n{bad}\n""",
        "load": f"""[load]\ntarget = "postgres"\ndsn = "{DSN}"
batch_records = 50\n[load.enriched]\ntype = "nats"\n{enriched}\ndurable = "load"
[load.bad]\ntype = "nats"\n{bad}\ndurable = "load-bad"\n""",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.toml"
        paths[name].write_text(text)
    return paths


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pyplow.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_events_arrive_once_through_nats_with_an_enrich_worker_killed(
    tmp_path: Path, require_service: object
) -> None:
    require_service("NATS", "127.0.0.1", 4222)  # type: ignore[operator]
    require_service("PostgreSQL", "127.0.0.1", 5432)  # type: ignore[operator]
    import psycopg

    tag = uuid.uuid4().hex[:8].upper()  # streams of this test; its events carry aid=tag
    port = free_port()
    files = config_files(tmp_path, tag, port)
    processes = [
        spawn(["collector", "--config", str(files["collector"])]),
        spawn(["enrich", "--config", str(files["enrich"])]),
        spawn(["enrich", "--config", str(files["enrich"])]),
    ]
    loader = None
    sent: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "collector did not start"
            time.sleep(0.2)
        loader = spawn(["load", "--config", str(files["load"])])
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for batch in range(30):
                ids = [str(uuid.uuid4()) for _ in range(10)]
                body = {
                    "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                    "data": [{"e": "pv", "p": "web", "tv": "t", "eid": i, "aid": tag} for i in ids],
                }
                response = client.post(
                    "/com.snowplowanalytics.snowplow/tp2",
                    content=json.dumps(body),
                    headers={"Content-Type": "application/json"},
                )
                assert response.status_code == 200
                sent.extend(ids)
                if batch == 10:
                    processes[1].send_signal(signal.SIGKILL)  # an enrich worker dies
        deadline = time.monotonic() + 90
        found: list[str] = []
        while time.monotonic() < deadline:
            with psycopg.connect(DSN) as connection:
                try:
                    rows = connection.execute(
                        "select event_id from atomic.events where app_id = %s", (tag,)
                    ).fetchall()
                except psycopg.errors.UndefinedTable:
                    rows = []
            found = [r[0].strip() for r in rows]
            if len(found) >= len(sent):
                break
            time.sleep(1)
        assert len(found) == len(set(found))  # nothing doubled
        assert sorted(found) == sorted(sent)  # nothing lost
    finally:
        for process in [*processes, *([loader] if loader else [])]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*processes, *([loader] if loader else [])]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        import asyncio

        async def drop_streams() -> None:
            import nats

            client = await nats.connect("nats://127.0.0.1:4222")
            for name in ("RAW", "ENRICHED", "BAD"):
                with contextlib.suppress(Exception):  # a stream never created
                    await client.jetstream().delete_stream(f"T{tag}_{name}")
            await client.close()

        asyncio.run(drop_streams())
