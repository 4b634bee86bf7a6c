"""Cost of a non-blocking ``track`` call: pyplow-tracker next to Snowplow's ``snowplow-tracker``.

Run: ``python benchmarks/tracker.py``. Both trackers send POST batches from a background thread
to the same local sink (a minimal HTTP server answering 200 on 127.0.0.1), so the call being
timed only builds the event and buffers it:

- pyplow-tracker: ``Tracker`` + ``BackgroundEmitter`` (batch size 100);
- snowplow-tracker (if installed): ``Tracker`` + ``AsyncEmitter`` (batch size 100).

Two calls are timed, each with the same subject and a custom entity (base64 encoding):
``track_struct_event`` and ``track_self_describing_event``. Prints µs per call, best of several
rounds, and the ratio. Without ``snowplow-tracker`` only pyplow's figures are printed.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyplow_tracker as pp

CALLS = 20_000
ROUNDS = 5
ENTITY_SCHEMA = "iglu:com.acme/product/jsonschema/1-0-0"
EVENT_SCHEMA = "iglu:com.acme/checkout/jsonschema/1-0-0"
ENTITY = {"sku": "BW-001", "name": "Blue widget", "price": 19.99}
EVENT = {"orderId": "o-1", "step": 2, "total": 39.98}


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _ok(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._ok()

    def do_POST(self) -> None:
        self._ok()

    def log_message(self, format: str, *args: object) -> None:
        return None


def best_us(call: Callable[[int], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for n in range(CALLS):
            call(n)
        best = min(best, (time.perf_counter() - started) / CALLS)
    return best * 1e6


def bench_pyplow(endpoint: str) -> tuple[float, float]:
    emitter = pp.BackgroundEmitter(
        pp.EmitterConfig(endpoint=endpoint, batch_size=100, max_bytes=1_000_000),
        queue=pp.MemoryQueue(capacity=1_000_000),
        flush_at_exit=False,
    )
    subject = pp.Subject(platform="srv", user_id="u-1", lang="en-GB", ip_address="203.0.113.7")
    tracker = pp.Tracker(emitter, namespace="bench", app_id="bench", subject=subject)
    entity = [pp.SelfDescribingJson(ENTITY_SCHEMA, ENTITY)]
    event = pp.SelfDescribingJson(EVENT_SCHEMA, EVENT)
    se = best_us(lambda n: tracker.track_struct_event("c", "a", value=n, context=entity))
    ue = best_us(lambda n: tracker.track_self_describing_event(event, context=entity))
    emitter.close()
    return se, ue


def bench_snowplow(host: str, port: int) -> tuple[float, float] | None:
    try:
        import snowplow_tracker as sp
        from snowplow_tracker.self_describing_json import SelfDescribingJson as SpJson
    except ImportError:
        return None
    # Its emitter logs every send at INFO, and its track_* methods warn of deprecation: both
    # silenced, so that only the tracking work is timed.
    logging.getLogger("snowplow_tracker").setLevel(logging.WARNING)
    logging.getLogger("snowplow_tracker.emitters").setLevel(logging.WARNING)
    warnings.simplefilter("ignore", DeprecationWarning)
    emitter = sp.AsyncEmitter(host, protocol="http", port=port, batch_size=100)
    subject = sp.Subject().set_platform("srv").set_user_id("u-1").set_lang("en-GB")
    subject.set_ip_address("203.0.113.7")
    tracker = sp.Tracker("bench", emitter, subject=subject, app_id="bench")
    entity = [SpJson(ENTITY_SCHEMA, ENTITY)]
    event = SpJson(EVENT_SCHEMA, EVENT)
    se = best_us(lambda n: tracker.track_struct_event("c", "a", value=n, context=entity))
    ue = best_us(lambda n: tracker.track_self_describing_event(event, context=entity))
    emitter.flush()
    return se, ue


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    ours = bench_pyplow(f"http://127.0.0.1:{port}")
    theirs = bench_snowplow("127.0.0.1", port)
    print(f"non-blocking track call, µs per call (best of {ROUNDS} × {CALLS:,} calls)")
    print(f"{'call':<30}{'pyplow-tracker':>16}{'snowplow-tracker':>18}{'ratio':>8}")
    for label, mine, other in zip(
        ("track_struct_event", "track_self_describing_event"),
        ours,
        theirs or (None, None),
        strict=True,
    ):
        if other is None:
            print(f"{label:<30}{mine:>16.1f}{'not installed':>18}")
        else:
            print(f"{label:<30}{mine:>16.1f}{other:>18.1f}{other / mine:>7.1f}x")
    server.shutdown()


if __name__ == "__main__":
    main()
