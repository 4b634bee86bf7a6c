"""The collector as a real server process: it serves, and SIGTERM drains its buffers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pyplow.protocol import CollectorPayload, decode_line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(tmp_path: Path, server: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    config = tmp_path / "collector.toml"
    config.write_text(
        f"""
[collector]
host = "127.0.0.1"
port = {port}
server = "{server}"

[collector.buffer]
# Records stay buffered until shutdown: only the drain can deliver them.
flush_interval_seconds = 60
batch_records = 100000

[collector.good]
type = "file"
path = "{tmp_path / "raw"}"

[collector.bad]
type = "file"
path = "{tmp_path / "bad"}"
"""
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pyplow.cli", "collector", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=0.5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    output = process.communicate()[0].decode(errors="replace")
    pytest.fail(f"collector did not start:\n{output}")


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_sigterm_drains_the_buffer_to_the_sink(tmp_path: Path, server: str) -> None:
    process, base = _start(tmp_path, server)
    try:
        with httpx.Client(base_url=base) as client:
            for n in range(50):
                response = client.get(f"/i?e=pv&n={n}", headers={"User-Agent": "drain-test"})
                assert response.status_code == 200
                assert response.headers["content-type"] == "image/gif"
            keep_alive = client.get("/robots.txt")
            assert keep_alive.status_code == 200
        assert not list((tmp_path / "raw").glob("*.lines"))  # nothing written yet
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=40)[0].decode(errors="replace")
    assert process.returncode is not None
    files = list((tmp_path / "raw").iterdir())
    assert files, output
    assert not [f for f in files if f.name.endswith(".inprogress")], output
    payloads = [
        decode_line(line) for path in files for line in path.read_text().splitlines() if line
    ]
    assert all(isinstance(p, CollectorPayload) for p in payloads)
    queries = sorted(p.querystring or "" for p in payloads if isinstance(p, CollectorPayload))
    assert queries == sorted(f"e=pv&n={n}" for n in range(50)), output
