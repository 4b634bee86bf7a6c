"""Whatever arrives, the collector answers: never a crash, never a 5xx but the documented 503."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import CollectorConfig, RedirectSettings

from .conftest import FAST, Harness

CONFIG = CollectorConfig(buffer=FAST, redirect=RedirectSettings(enabled=True, domains=("a.test",)))

_segment = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="/?#"),
    max_size=12,
)
_paths = st.one_of(
    st.sampled_from(["/i", "/ice.png", "/com.snowplowanalytics.snowplow/tp2", "/r/tp2", "/"]),
    st.lists(_segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)
_latin1 = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"),
    max_size=60,
)
_header_names = st.sampled_from(
    [
        "Cookie",
        "Origin",
        "Referer",
        "User-Agent",
        "X-Forwarded-For",
        "SP-Anonymous",
        "Content-Type",
        "Host",
        "X-Custom",
    ]
)


async def _exchange(
    method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> int:
    harness = Harness(CONFIG)
    app = CollectorApp(harness.collector)
    await harness.collector.start()
    sent: list[dict[str, object]] = []
    chunks = [body[:7], body[7:]]

    async def receive() -> dict[str, object]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": query,
        "headers": headers,
        "client": ("198.51.100.4", 5555),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    await harness.collector.stop()
    assert sent[0]["type"] == "http.response.start"
    assert sent[1]["type"] == "http.response.body"
    status = sent[0]["status"]
    assert isinstance(status, int)
    return status


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE"]),
    _paths,
    st.binary(max_size=120),
    st.lists(st.tuples(_header_names, _latin1), max_size=6),
    st.binary(max_size=300),
)
def test_any_request_gets_a_sane_answer(
    method: str, path: str, query: bytes, headers: list[tuple[str, str]], body: bytes
) -> None:
    raw_headers = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers]
    status = asyncio.run(_exchange(method, path, query, raw_headers, body))
    assert status < 500 or status == 503


async def test_a_body_that_never_arrives_is_answered_408() -> None:
    from pyplow.collector.config import CollectorConfig

    harness = Harness(CollectorConfig(buffer=FAST, body_read_timeout_seconds=0.05))
    app = CollectorApp(harness.collector)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        await asyncio.sleep(10)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/com.snowplowanalytics.snowplow/tp2",
        "query_string": b"",
        "headers": [],
        "client": ("198.51.100.4", 5555),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 408
    assert len(harness.good_stream) == 0
