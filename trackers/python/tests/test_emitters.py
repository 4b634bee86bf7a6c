"""Emitters against a fake collector on 127.0.0.1: batching, retries, callbacks, exit flush."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from pyplow_tracker import (
    AsyncEmitter,
    BackgroundEmitter,
    Backoff,
    Emitter,
    EmitterConfig,
    NetworkError,
    SqliteQueue,
    Tracker,
)
from pyplow_tracker.transport import UrllibTransport

SRC = Path(__file__).resolve().parents[1] / "src"
FAST = Backoff(max_retries=3, base=0.01, cap=0.05)


class FakeCollector(ThreadingHTTPServer):
    """Answers with the scripted statuses in turn (then 200) and records every event."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = statuses
        self.requests: list[tuple[str, str, list[dict[str, str]]]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def events(self) -> list[dict[str, str]]:
        with self.lock:
            return [e for _, _, events in self.requests for e in events]


class _Handler(BaseHTTPRequestHandler):
    server: FakeCollector

    def _answer(self, events: list[dict[str, str]]) -> None:
        with self.server.lock:
            status = self.server.statuses.pop(0) if self.server.statuses else 200
            if status == 200:
                self.server.requests.append((self.command, self.path, events))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._answer([dict(parse_qsl(urlsplit(self.path).query))])

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["Content-Type"] == "application/json; charset=utf-8"
        self._answer(json.loads(body)["data"])

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def fake_collector(statuses: list[int] | None = None) -> Iterator[FakeCollector]:
    server = FakeCollector(list(statuses or []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for(check: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_post_batches_by_count() -> None:
    with fake_collector() as server:
        emitter = Emitter(EmitterConfig(endpoint=server.url, batch_size=3), flush_at_exit=False)
        tracker = Tracker(emitter, namespace="t", app_id="a")
        for n in range(7):
            tracker.track_struct_event("c", f"a{n}")
        assert [len(r[2]) for r in server.requests] == [3, 3]
        emitter.close()
        assert [len(r[2]) for r in server.requests] == [3, 3, 1]
        assert {r[1] for r in server.requests} == {"/com.snowplowanalytics.snowplow/tp2"}
        first = server.requests[0][2]
        assert len({e["stm"] for e in first}) == 1  # one send time per batch
        assert int(first[0]["stm"]) >= int(first[0]["dtm"])
        assert [e["se_ac"] for e in server.events()] == [f"a{n}" for n in range(7)]


def test_post_batches_by_bytes() -> None:
    with fake_collector() as server:
        emitter = Emitter(
            EmitterConfig(endpoint=server.url, batch_size=100, max_bytes=1200),
            flush_at_exit=False,
        )
        tracker = Tracker(emitter)
        for _ in range(6):
            tracker.track_page_view("http://x.test/", page_title="t" * 300)
        emitter.close()
        sizes = [len(r[2]) for r in server.requests]
        assert sum(sizes) == 6
        assert max(sizes) <= 3
        assert len(sizes) >= 2


def test_get_sends_one_request_per_event() -> None:
    with fake_collector() as server:
        emitter = Emitter(
            EmitterConfig(endpoint=server.url, method="GET", batch_size=2), flush_at_exit=False
        )
        tracker = Tracker(emitter, namespace="g")
        tracker.track_page_view("http://x.test/a")
        tracker.track_page_view("http://x.test/b")
        assert [(r[0], r[1].split("?")[0]) for r in server.requests] == [("GET", "/i")] * 2
        assert [e["url"] for e in server.events()] == ["http://x.test/a", "http://x.test/b"]
        assert list(server.events()[0])[-1] == "stm"
        emitter.close()


def test_retries_500s_then_succeeds_and_calls_back() -> None:
    ok: list[int] = []
    bad: list[str] = []
    with fake_collector([500, 503]) as server:
        emitter = Emitter(
            EmitterConfig(endpoint=server.url, batch_size=2, backoff=FAST),
            on_success=lambda events: ok.append(len(events)),
            on_failure=lambda events, reason: bad.append(reason),
            flush_at_exit=False,
        )
        tracker = Tracker(emitter)
        tracker.track_struct_event("c", "a")
        tracker.track_struct_event("c", "b")
        assert ok == [2]
        assert bad == []
        assert len(server.events()) == 2
        assert emitter.sent == 2
        emitter.close()


def test_gives_up_after_the_retries_with_a_reason() -> None:
    failures: list[tuple[int, str]] = []
    with fake_collector([500] * 10) as server:
        emitter = Emitter(
            EmitterConfig(endpoint=server.url, batch_size=1, backoff=FAST),
            on_failure=lambda events, reason: failures.append((len(events), reason)),
            flush_at_exit=False,
        )
        Tracker(emitter).track_struct_event("c", "a")
        assert failures == [(1, "HTTP status 500 (expected a 2xx answer) after 4 attempt(s)")]
        assert server.statuses == [500] * 6  # 4 attempts used
        assert emitter.failed == 1
        emitter.close()


def test_connection_refused_is_a_failure_value() -> None:
    with fake_collector() as server:
        url = server.url  # closed below: nothing listens there any more
    outcome = UrllibTransport(timeout=1).send("GET", url + "/i?e=pv", None)
    assert isinstance(outcome, NetworkError)
    assert "refused" in outcome.reason.lower()
    failures: list[str] = []
    emitter = Emitter(
        EmitterConfig(endpoint=url, batch_size=1, backoff=FAST),
        on_failure=lambda events, reason: failures.append(reason),
        flush_at_exit=False,
    )
    Tracker(emitter).track_page_view("http://x.test/")
    assert len(failures) == 1
    assert "after 4 attempt(s)" in failures[0]
    emitter.close()


def test_backoff_grows_exponentially_with_jitter() -> None:
    backoff = Backoff(base=0.1, cap=1.0, jitter=0.5)
    assert [backoff.delay(n, rand=lambda: 0.0) for n in range(5)] == [0.1, 0.2, 0.4, 0.8, 1.0]
    assert backoff.delay(2, rand=lambda: 1.0) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="jitter"):
        Backoff(jitter=2)


def test_buffer_overflow_reports_the_dropped_event() -> None:
    from pyplow_tracker import MemoryQueue

    dropped: list[str] = []
    emitter = Emitter(
        EmitterConfig(endpoint="http://127.0.0.1:9", batch_size=100),
        queue=MemoryQueue(capacity=2),
        on_failure=lambda events, reason: dropped.extend(e["se_ac"] for e in events),
        flush_at_exit=False,
    )
    tracker = Tracker(emitter)
    for action in ("a", "b", "c"):
        tracker.track_struct_event("c", action)
    assert dropped == ["a"]
    assert emitter.dropped == 1


def test_sqlite_queue_keeps_unsent_events_for_the_next_run(tmp_path: Path) -> None:
    path = str(tmp_path / "events.sqlite")
    with fake_collector([500] * 4) as server:
        config = EmitterConfig(endpoint=server.url, batch_size=2, backoff=FAST)
        emitter = Emitter(config, queue=SqliteQueue(path), flush_at_exit=False)
        tracker = Tracker(emitter)
        tracker.track_struct_event("c", "kept-1")
        tracker.track_struct_event("c", "kept-2")  # 4 x 500: given up, but still on disk
        assert server.events() == []
        emitter.close()
        restarted = Emitter(config, queue=SqliteQueue(path), flush_at_exit=False)
        restarted.flush()
        assert [e["se_ac"] for e in server.events()] == ["kept-1", "kept-2"]
        restarted.close()
        assert len(SqliteQueue(path)) == 0


def test_background_emitter_sends_by_time_and_flushes() -> None:
    with fake_collector() as server:
        emitter = BackgroundEmitter(
            EmitterConfig(endpoint=server.url, batch_size=50, flush_interval=0.05),
            flush_at_exit=False,
        )
        tracker = Tracker(emitter)
        tracker.track_page_view("http://x.test/timer")
        wait_for(lambda: len(server.events()) == 1)  # the time trigger
        for n in range(5):
            tracker.track_struct_event("c", str(n))
        assert emitter.flush(timeout=5)
        assert len(server.events()) == 6
        emitter.close()


def test_background_emitter_input_does_not_wait_for_the_network() -> None:
    with fake_collector() as server:
        slow = Backoff(max_retries=1, base=0.5, cap=0.5, jitter=0)
        server.statuses = [500]
        emitter = BackgroundEmitter(
            EmitterConfig(endpoint=server.url, batch_size=1, backoff=slow), flush_at_exit=False
        )
        tracker = Tracker(emitter)
        started = time.perf_counter()
        tracker.track_page_view("http://x.test/")
        tracker.track_page_view("http://x.test/")
        assert time.perf_counter() - started < 0.2
        emitter.close()
        assert len(server.events()) == 2


def test_async_emitter() -> None:
    async def scenario(url: str) -> AsyncEmitter:
        emitter = AsyncEmitter(
            EmitterConfig(endpoint=url, batch_size=2, flush_interval=0.05), flush_at_exit=False
        )
        tracker = Tracker(emitter)
        tracker.track_struct_event("c", "1")
        tracker.track_struct_event("c", "2")  # due: a send task starts
        tracker.track_struct_event("c", "3")  # sent by the timer
        for _ in range(200):
            if len(server.events()) == 3:
                break
            await asyncio.sleep(0.01)
        tracker.track_struct_event("c", "4")
        await emitter.aclose()
        return emitter

    with fake_collector() as server:
        emitter = asyncio.run(scenario(server.url))
        assert sorted(e["se_ac"] for e in server.events()) == ["1", "2", "3", "4"]
        assert emitter.sent == 4


def test_flush_at_exit(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    with fake_collector() as server:
        script.write_text(
            "from pyplow_tracker import BackgroundEmitter, Emitter, EmitterConfig, Tracker\n"
            f"config = EmitterConfig(endpoint={server.url!r}, batch_size=100, flush_interval=60)\n"
            "Tracker(Emitter(config)).track_page_view('http://x.test/sync')\n"
            "Tracker(BackgroundEmitter(config)).track_page_view('http://x.test/thread')\n"
        )
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        subprocess.run([sys.executable, str(script)], check=True, env=env, timeout=30)
        assert sorted(e["url"] for e in server.events()) == [
            "http://x.test/sync",
            "http://x.test/thread",
        ]


def test_a_raising_callback_does_not_break_sending() -> None:
    def boom(events: object) -> None:
        raise RuntimeError("callback bug")

    with fake_collector() as server:
        emitter = Emitter(
            EmitterConfig(endpoint=server.url, batch_size=1), on_success=boom, flush_at_exit=False
        )
        Tracker(emitter).track_page_view("http://x.test/")
        Tracker(emitter).track_page_view("http://x.test/")
        assert len(server.events()) == 2


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="must start with http"):
        EmitterConfig(endpoint="localhost:9090")
    with pytest.raises(ValueError, match="method"):
        EmitterConfig(endpoint="http://x", method="PUT")  # type: ignore[arg-type]
