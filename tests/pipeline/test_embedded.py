"""The embedded pipeline: an event sent over HTTP ends up loaded; stopping drains everything."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx

from pyplow.loaders.memory import MemoryLoader
from pyplow.pipeline.demo import send_demo_traffic
from pyplow.pipeline.embedded import EmbeddedSettings, run_embedded


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Running:
    """The embedded pipeline started in this event loop; ``finish`` stops and drains it."""

    def __init__(self, tmp_path: Path, loader: MemoryLoader | None = None) -> None:
        self.stop = asyncio.Event()
        self.settings = EmbeddedSettings(port=free_port(), data_dir=str(tmp_path))
        self.loader = loader
        self.url = ""

    async def __aenter__(self) -> Running:
        urls: list[str] = []
        self.task = asyncio.create_task(
            run_embedded(self.settings, stop=self.stop, loader=self.loader, ready=urls.append)
        )
        while not urls:
            await asyncio.sleep(0.02)
        self.url = urls[0]
        return self

    async def finish(self, timeout: float = 60) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout)

    async def __aexit__(self, *exc: object) -> None:
        if not self.task.done():
            await self.finish()


def test_events_flow_from_http_to_the_loader(tmp_path: Path) -> None:
    async def scenario() -> None:
        loader = MemoryLoader()
        async with (
            Running(tmp_path, loader) as pipeline,
            httpx.AsyncClient(base_url=pipeline.url) as client,
        ):
            pixel = await client.get("/i", params={"e": "pv", "p": "web", "aid": "t", "tv": "x"})
            assert pixel.status_code == 200
            body = {
                "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                "data": [
                    {"e": "se", "p": "web", "tv": "x", "se_ca": "c", "se_ac": "a"},
                    {"e": "pv", "p": "web", "tv": "x", "vid": "broken"},
                ],
            }
            post = await client.post(
                "/com.snowplowanalytics.snowplow/tp2",
                content=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            assert post.status_code == 200
            for _ in range(100):  # about a second to be loaded
                if len(loader.events) == 2 and len(loader.bad_rows) == 1:
                    break
                await asyncio.sleep(0.02)
            assert sorted(e.event or "" for e in loader.events) == ["page_view", "struct"]
            assert len(loader.bad_rows) == 1

    asyncio.run(scenario())


def test_demo_traffic_and_a_drain_on_stop(tmp_path: Path) -> None:
    async def scenario() -> None:
        loader = MemoryLoader()
        async with Running(tmp_path, loader) as pipeline:
            sent = await send_demo_traffic(
                pipeline.url, visitors_count=8, rounds=1, pause_seconds=0
            )
            await pipeline.finish()  # at once: what is buffered must still arrive
        assert len(loader.events) + len(loader.bad_rows) == sent
        kinds = {e.event for e in loader.events}
        assert {"page_view", "page_ping"} <= kinds
        assert any(e.refr_medium is not None for e in loader.events)  # referrers were parsed

    asyncio.run(scenario())


def test_the_default_store_is_duckdb(tmp_path: Path) -> None:
    import duckdb

    async def scenario() -> None:
        async with Running(tmp_path) as pipeline:
            sent = await send_demo_traffic(
                pipeline.url, visitors_count=4, rounds=1, pause_seconds=0
            )
            await pipeline.finish()
        connection = duckdb.connect(str(tmp_path / "pyplow.duckdb"), read_only=True)
        try:
            ((events,),) = connection.sql("select count(*) from atomic.events").fetchall()
            ((bad,),) = connection.sql("select count(*) from atomic.bad_rows").fetchall()
            ((typed,),) = connection.sql(
                "select typeof(collector_tstamp) from atomic.events limit 1"
            ).fetchall()
        finally:
            connection.close()
        assert events + bad == sent
        assert typed == "TIMESTAMP"

    asyncio.run(scenario())


def test_micro_api_on_the_same_port(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with (
            Running(tmp_path, MemoryLoader()) as pipeline,
            httpx.AsyncClient(base_url=pipeline.url) as client,
        ):
            await client.get("/i", params={"e": "pv", "p": "web", "tv": "x"})
            await client.get("/i", params={"e": "pv", "p": "web", "tv": "x", "vid": "bad"})
            for _ in range(100):
                counts = (await client.get("/micro/all")).json()
                if counts["total"] == 2:
                    break
                await asyncio.sleep(0.02)
            assert counts == {"total": 2, "good": 1, "bad": 1}
            (good,) = (await client.get("/micro/good", params={"event_type": "page_view"})).json()
            assert good["eventType"] == "page_view"
            check = await client.post(
                "/micro/validate", json={"querystring": "e=se&p=web&tv=x&se_ca=c&se_ac=a"}
            )
            assert check.status_code == 200
            assert len(check.json()["good"]) == 1
            assert (await client.get("/micro/reset")).status_code == 200
            assert (await client.get("/micro/all")).json()["total"] == 0

    asyncio.run(scenario())


def test_the_browser_tracker_is_served(tmp_path: Path) -> None:
    """The committed build of trackers/js ships in the package and quickstart serves it."""

    async def scenario() -> None:
        async with (
            Running(tmp_path, MemoryLoader()) as pipeline,
            httpx.AsyncClient(base_url=pipeline.url) as client,
        ):
            sp = await client.get("/sp.js")
            assert sp.status_code == 200
            assert sp.headers["content-type"].startswith("application/javascript")
            assert b"GlobalSnowplowNamespace" in sp.content
            assert b"payload_data" in sp.content

    asyncio.run(scenario())
