"""A distributed collector with ``micro = true`` answers the Micro API for what it collected."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ..conftest import free_port


def test_collector_with_micro(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "collector.toml"
    config.write_text(
        f"""[collector]\nport = {port}\nmicro = true\nmicro_store = "{tmp_path / "micro.sqlite"}"
[collector.buffer]\nflush_interval_seconds = 0.05
[collector.good]\ntype = "file"\npath = "{tmp_path / "raw"}"
[collector.bad]\ntype = "file"\npath = "{tmp_path / "bad"}"\n"""
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pyplow.cli", "collector", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/micro/all", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "collector did not start"
            time.sleep(0.2)
        assert httpx.get(base + "/i", params={"e": "pv", "p": "web", "tv": "t"}).status_code == 200
        assert httpx.get(base + "/i", params={"e": "pv", "vid": "bad"}).status_code == 200
        counts: dict[str, int] = {}
        for _ in range(100):
            counts = httpx.get(base + "/micro/all").json()
            if counts["total"] == 2:
                break
            time.sleep(0.05)
        assert counts == {"total": 2, "good": 1, "bad": 1}
        (good,) = httpx.get(base + "/micro/good").json()
        assert good["eventType"] == "page_view"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert list((tmp_path / "raw").iterdir())  # the sink got the records as usual
