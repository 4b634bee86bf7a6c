"""The dashboard's HTTP surface: pages, static files, the JSON API, the token, read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from tests.analytics.models.dataset import first_batch, load

from pyplow.analytics.dashboard import DashboardApp, connector
from pyplow.analytics.dashboard.app import parse_range
from pyplow.analytics.models import DuckDBDatabase, run_models
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

TOKEN = "s3cret-token"


@pytest.fixture
def db(tmp_path: Path) -> DuckDBDatabase:
    loader = DuckDBLoader(
        DuckDBConfig(path=str(tmp_path / "d.duckdb")), Resolver([builtin_repository()])
    )
    load(loader, first_batch())
    database = DuckDBDatabase(connection=loader.connection)
    run_models(database)
    return database


def client(app: DashboardApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def open_app(db: DuckDBDatabase) -> AsyncIterator[httpx.AsyncClient]:
    app = DashboardApp(connector(db), clock=lambda: datetime(2024, 3, 2, 9, 3))
    async with client(app) as c:
        yield c


async def test_page_and_static_files(open_app: httpx.AsyncClient) -> None:
    page = await open_app.get("/dashboard/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="static/charts.js"' in page.text
    for name, kind in (("dashboard.js", "text/javascript"), ("charts.js", "text/javascript"),
                       ("dashboard.css", "text/css")):  # fmt: skip
        response = await open_app.get(f"/dashboard/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        text = response.text.replace("http://www.w3.org/2000/svg", "")  # a namespace, not a URL
        assert "http://" not in text  # nothing from a CDN
        assert "https://" not in text
    assert (await open_app.get("/dashboard/static/../app.py")).status_code == 404


async def test_api_answers_json_with_the_range(open_app: httpx.AsyncClient) -> None:
    response = await open_app.get("/dashboard/api/overview?start=2024-03-01&end=2024-03-02")
    assert response.status_code == 200
    body = response.json()
    assert (body["sessions"], body["page_views"]) == (5, 8)
    assert body["range"] == {"start": "2024-03-01T00:00:00", "end": "2024-03-03T00:00:00"}
    default = (await open_app.get("/dashboard/api/overview")).json()
    assert default["range"] == {"start": "2024-02-25T00:00:00", "end": "2024-03-03T00:00:00"}


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/dashboard/api/nothing", 404, "no dashboard query"),
        ("/dashboard/api/overview?start=yesterday", 400, "YYYY-MM-DD"),
        ("/dashboard/api/overview?start=2024-03-05&end=2024-03-01", 400, "start is after end"),
        ("/dashboard/api/overview?start=1900-01-01&end=2024-03-01", 400, "at most"),
    ],
)
async def test_api_errors_are_clear(
    open_app: httpx.AsyncClient, url: str, status: int, message: str
) -> None:
    response = await open_app.get(url)
    assert response.status_code == status
    assert message in response.json()["error"]


async def test_read_only(open_app: httpx.AsyncClient) -> None:
    response = await open_app.post("/dashboard/api/overview", content=b"drop table x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert (await open_app.head("/dashboard/")).status_code == 200


async def test_token_is_required_and_accepted_three_ways(db: DuckDBDatabase) -> None:
    async with client(DashboardApp(connector(db), token=TOKEN)) as c:
        assert (await c.get("/dashboard/")).status_code == 401
        assert (await c.get("/dashboard/api/overview")).status_code == 401
        assert (await c.get("/dashboard/?token=wrong")).status_code == 401
        bearer = {"authorization": f"Bearer {TOKEN}"}
        assert (await c.get("/dashboard/api/overview", headers=bearer)).status_code == 200
        first = await c.get(f"/dashboard/?token={TOKEN}")
        assert (first.status_code, first.headers["location"]) == (303, "/dashboard/")
        assert "HttpOnly" in first.headers["set-cookie"]
        assert (await c.get("/dashboard/")).status_code == 200
        # the cookie now carries the token for the page's own API calls
        assert (await c.get("/dashboard/api/pages")).status_code == 200


async def test_a_database_failure_is_a_503(tmp_path: Path) -> None:
    database = DuckDBDatabase(str(tmp_path / "x.duckdb"))
    database.execute("create schema atomic")
    database.execute("create table atomic.events (collector_tstamp varchar)")
    async with client(DashboardApp(connector(database))) as c:
        response = await c.get("/dashboard/api/realtime")
    assert response.status_code == 503
    assert "realtime query failed" in response.json()["error"]


async def test_no_events_yet(tmp_path: Path) -> None:
    async with client(DashboardApp(connector(DuckDBDatabase(str(tmp_path / "e.duckdb"))))) as c:
        body = (await c.get("/dashboard/api/realtime")).json()
    assert body["notice"] == "no events have been loaded yet"


def test_range_parsing() -> None:
    today = datetime(2024, 3, 9).date()
    r = parse_range({"start": ["2024-03-01"]}, today)
    assert (r.start, r.end) == (datetime(2024, 3, 1), datetime(2024, 3, 10))
