"""The dashboard in real headless Chromium: every page renders, and the figures it shows are
the SQL answers on the known event set."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import uvicorn
from tests.analytics.models.dataset import first_batch, late_batch, load
from tests.conftest import free_port

from pyplow.analytics.dashboard import QUERIES, DashboardApp, Range, Schemas, connector
from pyplow.analytics.models import DuckDBDatabase, run_models
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NOW = datetime(2024, 3, 2, 9, 3)
RANGE = "start=2024-03-01&end=2024-03-03"


def require_chromium() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    message = "headless Chromium not found (apt-get install chromium, or set CHROMIUM)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Page(HTMLParser):
    """The figures of a rendered page: ``metrics`` (data-metric → the shown value) and
    ``tables`` (data-table → rows of cell texts: table rows, or a bar chart's label/value)."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.metrics: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.body: dict[str, str | None] = {}
        self._metric: str | None = None
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._classes: list[set[str]] = []
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        self._classes.append(classes)
        if tag == "body":
            self.body = a
        if a.get("data-metric"):
            self._metric = a["data-metric"]
        if a.get("data-table"):
            self._table = a["data-table"]
            self.tables[self._table] = []
        if self._table and (tag == "tr" or "bar-row" in classes):
            self._row = []
        in_bar = len(self._classes) > 1 and "bar-row" in self._classes[-2]
        if (self._metric and "value" in classes) or (
            self._row is not None and (tag in ("td", "th") or in_bar)
        ):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        classes = self._classes.pop()
        if self._cell is not None and (tag in ("td", "th", "span")):
            text = "".join(self._cell).strip()
            self._cell = None
            if self._row is not None:
                self._row.append(text)
            elif self._metric:
                self.metrics[self._metric] = text
                self._metric = None
        if self._row is not None and self._table and (tag == "tr" or "bar-row" in classes):
            # a bar row's middle cell is the bar itself, with no text
            self.tables[self._table].append([c for c in self._row if c])
            self._row = None
        if tag == "table" or "chart" in classes:
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DuckDBDatabase]]:
    require_chromium()
    path = tmp_path_factory.mktemp("dashboard") / "d.duckdb"
    loader = DuckDBLoader(DuckDBConfig(path=str(path)), Resolver([builtin_repository()]))
    load(loader, first_batch())
    load(loader, late_batch())
    db = DuckDBDatabase(connection=loader.connection)
    run_models(db)
    port = free_port()
    config = uvicorn.Config(
        DashboardApp(connector(db), clock=lambda: NOW), port=port, log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/dashboard/", db
    instance.should_exit = True
    thread.join(10)
    loader.close()


def render(base: str, fragment: str, tmp: Path) -> Page:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp}", "--virtual-time-budget=8000", "--dump-dom", base + fragment],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    page = Page(result.stdout)
    assert page.body.get("data-ready"), (
        f"the page did not finish rendering: {result.stderr[-2000:]}"
    )
    assert "data-error" not in page.body, page.body["data-error"]
    return page


def answer(db: DuckDBDatabase, name: str) -> dict:  # type: ignore[type-arg]
    return QUERIES[name](db, Schemas(), Range(datetime(2024, 3, 1), datetime(2024, 3, 4)), NOW)


def number(text: str) -> float:
    return float(text.replace(",", "").removesuffix(" s").removesuffix("%"))


def test_every_page_renders(server: tuple[str, DuckDBDatabase], tmp_path: Path) -> None:
    base, _ = server
    for name in QUERIES:
        page = render(base, f"#{name}?{RANGE}", tmp_path)
        assert page.body["data-ready"] == name
        assert page.metrics or page.tables, f"{name} shows no figures"


def test_overview_shows_the_sql_answers(server: tuple[str, DuckDBDatabase], tmp_path: Path) -> None:
    base, db = server
    expected = answer(db, "overview")
    page = render(base, f"#overview?{RANGE}", tmp_path)
    for key in ("page_views", "sessions", "users", "avg_engaged_time_s"):
        assert number(page.metrics[key]) == expected[key], key
    assert number(page.metrics["bounce_rate"]) == round(100 * expected["bounce_rate"], 1)
    assert page.tables["daily"][1:] == [[d, str(v), str(s)] for d, v, s in expected["daily"]]


def test_breakdowns_show_the_sql_answers(
    server: tuple[str, DuckDBDatabase], tmp_path: Path
) -> None:
    base, db = server
    pages = render(base, f"#pages?{RANGE}", tmp_path)
    rows = answer(db, "pages")["pages"]
    assert [r[:4] for r in pages.tables["pages"][1:]] == [
        [p["host"], p["path"], str(p["page_views"]), str(p["sessions"])] for p in rows
    ]
    acquisition = render(base, f"#acquisition?{RANGE}", tmp_path)
    channels = answer(db, "acquisition")["channels"]
    assert acquisition.tables["channels"] == [[c["name"], str(c["sessions"])] for c in channels]
    technology = render(base, f"#technology?{RANGE}", tmp_path)
    devices = answer(db, "technology")["devices"]
    assert technology.tables["devices"] == [[d["name"], str(d["sessions"])] for d in devices]


def test_realtime_explorer_and_quality(server: tuple[str, DuckDBDatabase], tmp_path: Path) -> None:
    base, db = server
    realtime = render(base, "#realtime", tmp_path)
    assert number(realtime.metrics["events"]) == answer(db, "realtime")["events"] == 1
    explorer = render(base, "#explorer", tmp_path)
    events = answer(db, "explorer")["events"]
    assert [row[-1] for row in explorer.tables["events"][1:]] == [e["event_id"] for e in events]
    quality = render(base, "#quality?start=2020-01-01&end=2029-12-31", tmp_path)
    assert number(quality.metrics["good_total"]) == 23
    assert number(quality.metrics["bad_total"]) == 0
