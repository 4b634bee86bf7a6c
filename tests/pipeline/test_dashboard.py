"""The dashboard and the data models inside the embedded pipeline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import msgspec
from tests.pipeline.test_embedded import Running

from pyplow.pipeline.dashboard import dashboard_token, with_dashboard
from pyplow.pipeline.demo import send_demo_traffic
from pyplow.pipeline.embedded import EmbeddedSettings


def test_a_token_is_made_unless_on_loopback() -> None:
    assert dashboard_token("127.0.0.1", None) is None
    assert dashboard_token("::1", None) is None
    assert dashboard_token("localhost", None) is None
    made = dashboard_token("0.0.0.0", None)
    assert made is not None
    assert len(made) >= 24
    assert dashboard_token("0.0.0.0", None) != made
    assert dashboard_token("127.0.0.1", "mine") == "mine"


async def test_routing_and_the_root_redirect() -> None:
    async def dashboard(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"dashboard"})

    async def other(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 298, "headers": []})
        await send({"type": "http.response.body", "body": b"collector"})

    app = with_dashboard(other, dashboard)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/dashboard/api/x")).status_code == 299
        assert (await client.get("/i")).status_code == 298
        assert (await client.get("/dashboardish")).status_code == 298
        root = await client.get("/")
        assert (root.status_code, root.headers["location"]) == (302, "/dashboard/")
        assert (await client.post("/")).status_code == 298


def test_demo_traffic_shows_on_the_dashboard(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    window = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}

    async def scenario() -> dict[str, int]:
        running = Running(tmp_path)
        running.settings = msgspec.structs.replace(running.settings, model_interval_seconds=0.3)
        async with running as pipeline, httpx.AsyncClient(base_url=pipeline.url) as client:
            await send_demo_traffic(pipeline.url, visitors_count=6, rounds=1, pause_seconds=0)
            for _ in range(200):
                overview = (await client.get("/dashboard/api/overview", params=window)).json()
                if overview.get("sessions", 0) >= 6:
                    break
                await asyncio.sleep(0.1)
            realtime = (await client.get("/dashboard/api/realtime")).json()
            assert realtime["events"] > 0
            page = await client.get("/dashboard/")
            assert page.status_code == 200
            await pipeline.finish()
        return overview

    overview = asyncio.run(scenario())
    with duckdb.connect(str(tmp_path / "pyplow.duckdb"), read_only=True) as con:
        sessions = con.execute("select count(*) from derived.sessions").fetchone()
        views = con.execute("select count(*) from derived.page_views").fetchone()
    assert (overview["sessions"], overview["page_views"]) == (sessions[0], views[0])  # type: ignore[index]
    assert overview["sessions"] == 6


def test_the_dashboard_asks_for_its_token(tmp_path: Path) -> None:
    async def scenario() -> None:
        running = Running(tmp_path)
        running.settings = EmbeddedSettings(
            port=running.settings.port, data_dir=str(tmp_path), dashboard_token="tok"
        )
        async with running as pipeline, httpx.AsyncClient(base_url=pipeline.url) as client:
            assert (await client.get("/dashboard/")).status_code == 401
            assert (await client.get("/dashboard/?token=tok")).status_code == 303
            assert (await client.get("/dashboard/")).status_code == 200  # the cookie
            assert (await client.get("/micro/all")).status_code == 200  # untouched

    asyncio.run(scenario())
