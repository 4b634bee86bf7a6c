"""The collector's routes and behaviour, through its ASGI app."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from pyplow.collector.config import (
    BufferSettings,
    CollectorConfig,
    CrossDomainSettings,
    MemorySinkSettings,
    RedirectSettings,
    RootResponseSettings,
)
from pyplow.collector.cookies import DoNotTrackConfig
from pyplow.collector.responses import PIXEL

from .conftest import FAST, Harness

PAGE_VIEW = "e=pv&url=https%3A%2F%2Fshop.acme.com%2F&page=Home&tv=js-4.6.8&p=web&aid=shop"
TP2 = "/com.snowplowanalytics.snowplow/tp2"
FIRST_ID = "00000000-0000-4000-8000-000000000001"


async def test_pixel_records_the_request_and_sets_the_cookie(harness: Harness) -> None:
    response = await harness.client.get(
        "/i?" + PAGE_VIEW,
        headers={"User-Agent": "Mozilla/5.0 (test)", "Referer": "https://shop.acme.com/"},
    )
    assert response.status_code == 200
    assert response.content == PIXEL
    assert response.headers["content-type"] == "image/gif"
    assert response.headers["cache-control"] == "no-cache, no-store, must-revalidate"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["set-cookie"] == (
        f"sp={FIRST_ID}; Expires=Sat, 01 Mar 2025 12:00:00 GMT; Path=/; SameSite=None; Secure; "
        "HttpOnly"
    )
    (record,) = await harness.records()
    assert record.path == "/i"
    assert record.querystring == PAGE_VIEW
    assert record.network_user_id == FIRST_ID
    assert record.timestamp == 1709294400123
    assert record.user_agent == "Mozilla/5.0 (test)"
    assert record.referer_uri == "https://shop.acme.com/"
    assert record.collector is not None
    assert record.collector.startswith("pyplow-")
    assert record.hostname == "collector.test"
    assert record.ip_address == "127.0.0.1"
    assert record.body is None


async def test_an_existing_cookie_is_kept_and_refreshed(harness: Harness) -> None:
    response = await harness.client.get("/i?e=pv", headers={"Cookie": "sp=returning-visitor"})
    assert response.headers["set-cookie"].startswith("sp=returning-visitor; Expires=")
    (record,) = await harness.records()
    assert record.network_user_id == "returning-visitor"


async def test_nuid_parameter_wins_over_the_cookie(harness: Harness) -> None:
    await harness.client.get("/i?e=pv&nuid=from-param", headers={"Cookie": "sp=from-cookie"})
    (record,) = await harness.records()
    assert record.network_user_id == "from-param"


async def test_post_tp2_batch(harness: Harness) -> None:
    body = json.dumps(
        {
            "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
            "data": [{"e": "pv", "tv": "js-4.6.8", "p": "web"}],
        }
    )
    response = await harness.client.post(
        TP2,
        content=body,
        headers={"Content-Type": "application/json; charset=UTF-8", "Origin": "https://a.test"},
    )
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.headers["access-control-allow-origin"] == "https://a.test"
    (record,) = await harness.records()
    assert record.path == TP2
    assert record.body == body
    assert record.content_type == "application/json; charset=utf-8"
    assert record.headers is not None
    assert record.headers[-1] == "application/json; charset=utf-8"
    assert "Origin: https://a.test" in record.headers


async def test_webhook_paths_are_recorded_for_enrich(harness: Harness) -> None:
    get = await harness.client.get("/com.snowplowanalytics.iglu/v1?schema=iglu%3Acom.acme%2Fx")
    post = await harness.client.post("/com.acme/v3", content=b"a=1", headers={"Content-Type": "x"})
    assert get.content == PIXEL
    assert post.text == "ok"
    records = await harness.records()
    assert [r.path for r in records] == ["/com.snowplowanalytics.iglu/v1", "/com.acme/v3"]


async def test_preflight(harness: Harness) -> None:
    response = await harness.client.options(TP2, headers={"Origin": "https://shop.acme.com"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://shop.acme.com"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-headers"] == "Content-Type, SP-Anonymous"
    assert response.headers["access-control-max-age"] == "3600"
    assert await harness.records() == []


async def test_sp_anonymous(harness: Harness) -> None:
    response = await harness.client.get(
        "/i?e=pv",
        headers={"SP-Anonymous": "*", "Cookie": "sp=known", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.headers["set-cookie"].startswith("sp=; Expires=Thu, 02 Mar 2023")
    plain = await harness.client.get("/i?e=pv", headers={"SP-Anonymous": "*"})
    assert "set-cookie" not in plain.headers
    first, second = await harness.records()
    for record in (first, second):
        assert record.network_user_id == "00000000-0000-0000-0000-000000000000"
        assert record.ip_address == "unknown"
    assert first.headers is not None
    assert not any(h.lower().startswith(("cookie", "x-forwarded-for")) for h in first.headers)


@pytest.mark.parametrize(
    "config", [CollectorConfig(buffer=FAST, trust_forwarded_for=True)], indirect=False
)
async def test_trusted_forwarded_for(harness: Harness) -> None:
    await harness.client.get("/i?e=pv", headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
    (record,) = await harness.records()
    assert record.ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    "config",
    [
        CollectorConfig(
            buffer=FAST, do_not_track=DoNotTrackConfig(enabled=True, name="dnt", value="1")
        )
    ],
)
async def test_do_not_track_cookie_answers_but_stores_nothing(harness: Harness) -> None:
    response = await harness.client.get("/i?e=pv", headers={"Cookie": "dnt=1; sp=abc"})
    assert response.status_code == 200
    assert response.content == PIXEL
    assert "set-cookie" not in response.headers
    assert await harness.records() == []
    metrics = (await harness.client.get("/metrics")).text
    assert 'pyplow_collector_dropped_requests_total{reason="do_not_track"} 1.0' in metrics


async def test_redirects_are_off_by_default(harness: Harness) -> None:
    response = await harness.client.get("/r/tp2?u=https%3A%2F%2Facme.com%2F")
    assert response.status_code == 404
    assert response.text == "redirects disabled"
    assert await harness.records() == []


@pytest.mark.parametrize(
    "config",
    [
        CollectorConfig(
            buffer=FAST,
            redirect=RedirectSettings(enabled=True, domains=("acme.com",)),
            paths={"/com.acme/click": "/r/tp2"},
        )
    ],
)
async def test_redirects_only_to_configured_domains(harness: Harness) -> None:
    ok = await harness.client.get("/r/tp2?u=https%3A%2F%2Facme.com%2Fsale%3Fa%3D1&e=se")
    assert ok.status_code == 302
    assert ok.headers["location"] == "https://acme.com/sale?a=1"
    for target in ("https://evil.test/", "javascript:alert(1)", "//acme.com/", ""):
        refused = await harness.client.get("/r/tp2", params={"u": target})
        assert refused.status_code == 400, target
        assert "location" not in refused.headers
    missing = await harness.client.get("/r/tp2?e=se")
    assert missing.status_code == 400
    injected = await harness.client.get("/r/tp2", params={"u": "https://acme.com/\r\nX-Evil: 1"})
    assert injected.status_code == 302
    assert "x-evil" not in injected.headers
    assert injected.headers["location"] == "https://acme.com/%0D%0AX-Evil:%201"
    mapped = await harness.client.get("/com.acme/click?u=https%3A%2F%2Facme.com%2F")
    assert mapped.status_code == 302
    records = await harness.records()
    assert [r.path for r in records] == ["/r/tp2"] * 8  # refused targets are recorded too


@pytest.mark.parametrize("config", [CollectorConfig(buffer=FAST, paths={"/com.acme/track": TP2})])
async def test_custom_paths_are_recorded_as_the_default(harness: Harness) -> None:
    await harness.client.post("/com.acme/track", content=b"{}", headers={"Content-Type": "a/b"})
    (record,) = await harness.records()
    assert record.path == TP2


def test_custom_path_must_map_to_a_default_path() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        CollectorConfig(paths={"/com.acme/track": "/com.acme/v1"})


async def test_other_methods_and_paths_are_404(harness: Harness) -> None:
    assert (await harness.client.post("/i", content=b"x")).status_code == 404
    assert (await harness.client.get("/a/b/c")).status_code == 404
    assert (await harness.client.delete(TP2)).status_code == 404
    assert (await harness.client.get("/")).status_code == 404
    assert await harness.records() == []


async def test_static_routes(harness: Harness) -> None:
    robots = await harness.client.get("/robots.txt")
    assert robots.text.startswith("User-agent: *\nDisallow: /\n")
    assert "AdsBot-Google" in robots.text
    assert (await harness.client.get("/crossdomain.xml")).status_code == 404
    sp = await harness.client.get("/sp.js")
    assert sp.status_code == 404
    assert "sp.js" in sp.text
    assert (await harness.client.get("/health")).text == "ok"


@pytest.mark.parametrize(
    "config",
    [
        CollectorConfig(
            buffer=FAST,
            cross_domain=CrossDomainSettings(enabled=True, domains=("*.acme.com",), secure=False),
            root_response=RootResponseSettings(
                enabled=True, status=302, headers={"Location": "https://acme.com/"}
            ),
        )
    ],
)
async def test_enabled_crossdomain_and_root(harness: Harness) -> None:
    xml = await harness.client.get("/crossdomain.xml")
    assert xml.headers["content-type"] == "text/xml"
    assert '<allow-access-from domain="*.acme.com" secure="false" />' in xml.text
    root = await harness.client.get("/")
    assert root.status_code == 302
    assert root.headers["location"] == "https://acme.com/"


async def test_head_is_answered_without_a_body(harness: Harness) -> None:
    response = await harness.client.head("/i?e=pv")
    assert response.status_code == 200
    assert response.content == b""
    assert len(await harness.records()) == 1


@pytest.mark.parametrize(
    "config",
    [CollectorConfig(buffer=FAST, max_body_bytes=1000, good=MemorySinkSettings())],
)
async def test_oversized_body_is_refused(harness: Harness) -> None:
    response = await harness.client.post(TP2, content=b"x" * 1001)
    assert response.status_code == 413
    assert await harness.records() == []


async def test_size_violation_and_split(config: CollectorConfig) -> None:
    harness = Harness(config)
    harness.good_sink.max_record_bytes = 1500
    await harness.collector.start()
    try:
        events = [{"e": "pv", "p": "web", "tv": "t", "url": "x" * 300} for _ in range(8)]
        events.append({"e": "pv", "p": "web", "tv": "t", "url": "y" * 2000})  # alone too big
        body = json.dumps({"schema": "iglu:a/b/jsonschema/1-0-0", "data": events})
        response = await harness.client.post(
            TP2, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200
        get = await harness.client.get("/i?e=pv&url=" + "z" * 2000)
        assert get.status_code == 200
        records = await harness.records()
        bad = [json.loads(r) for r in await harness.bad_rows()]
    finally:
        await harness.collector.stop()
    assert len(records) >= 2
    assert all(len(r.body or "") < 1500 for r in records)
    carried = [e for r in records for e in json.loads(r.body or "{}")["data"]]
    assert carried == events[:8]  # every small event kept, in order
    assert len(bad) == 2
    assert {b["schema"].split("/")[1] for b in bad} == {"size_violation"}
    expectations = sorted(b["data"]["failure"]["expectation"] for b in bad)
    assert expectations == [
        "oversized collector payload: GET requests cannot be split",
        "oversized collector payload: this POST request split is still too large",
    ]
    assert bad[0]["data"]["payload"].startswith("CollectorPayload(schema:iglu:")
    assert len(bad[0]["data"]["payload"]) <= 150


async def test_sink_outage_answers_503_and_loses_nothing() -> None:
    config = CollectorConfig(
        buffer=BufferSettings(
            max_records=5,
            flush_interval_seconds=0.01,
            retry_initial_seconds=0.01,
            retry_max_seconds=0.02,
            retry_after_seconds=7,
        )
    )
    harness = Harness(config)
    await harness.collector.start()
    try:
        harness.good_sink.down = True
        statuses = []
        for n in range(8):
            response = await harness.client.get(f"/i?e=pv&n={n}")
            statuses.append(response.status_code)
            if response.status_code == 503:
                assert response.headers["retry-after"] == "7"
        assert statuses == [200] * 5 + [503] * 3
        await asyncio.sleep(0.05)
        assert (await harness.client.get("/health")).status_code == 503
        assert harness.good_sink.attempts > 1  # retried with backoff
        harness.good_sink.down = False
        records = await harness.records()
        assert (await harness.client.get("/health")).status_code == 200
    finally:
        await harness.collector.stop()
    assert sorted(r.querystring or "" for r in records) == [f"e=pv&n={n}" for n in range(5)]
    metrics = (await harness.client.get("/metrics")).text
    assert "pyplow_collector_rejected_requests_total 3.0" in metrics
    assert 'pyplow_collector_sink_errors_total{sink="good"}' in metrics


async def test_acknowledge_after_write_answers_once_the_sink_has_the_record() -> None:
    # A long flush interval: only the request's own wake-up can get its record written.
    config = CollectorConfig(
        buffer=BufferSettings(flush_interval_seconds=60, acknowledge_after_write=True)
    )
    harness = Harness(config)
    await harness.collector.start()
    try:
        for n in range(3):
            response = await harness.client.get(f"/i?e=pv&n={n}")
            assert response.status_code == 200
            assert len(harness.good_stream) == n + 1  # already written when answered
        posts = [
            harness.client.post("/com.snowplowanalytics.snowplow/tp2", content=b"{}")
            for _ in range(20)
        ]
        assert {r.status_code for r in await asyncio.gather(*posts)} == {200}
        assert len(harness.good_stream) == 23
        assert harness.good_sink.attempts < 23  # concurrent requests shared writes
    finally:
        await harness.collector.stop()


async def test_acknowledge_after_write_answers_503_when_the_sink_stays_down() -> None:
    config = CollectorConfig(
        buffer=BufferSettings(
            flush_interval_seconds=0.01,
            retry_initial_seconds=0.01,
            retry_max_seconds=0.02,
            acknowledge_after_write=True,
            acknowledge_timeout_seconds=0.2,
            retry_after_seconds=3,
        )
    )
    harness = Harness(config)
    await harness.collector.start()
    try:
        harness.good_sink.down = True
        response = await harness.client.get(
            "/i?e=pv&n=0", headers={"Origin": "https://shop.example.com"}
        )
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert response.headers["access-control-allow-origin"] == "https://shop.example.com"
        assert "set-cookie" not in response.headers
        harness.good_sink.down = False
        # The record stays buffered and is written later (a tracker's retry is deduplicated
        # downstream by event_id): nothing accepted is dropped.
        assert [r.querystring for r in await harness.records()] == ["e=pv&n=0"]
    finally:
        await harness.collector.stop()


async def test_stop_drains_the_buffer(config: CollectorConfig) -> None:
    slow = CollectorConfig(buffer=BufferSettings(flush_interval_seconds=60))
    harness = Harness(slow)
    await harness.collector.start()
    for n in range(3):
        await harness.client.get(f"/i?e=pv&n={n}")
    assert harness.collector.good.depth == 3
    await harness.collector.stop()
    assert len(harness.good_stream) == 3


async def test_drain_timeout_spills_to_a_file(tmp_path: object) -> None:
    from pathlib import Path

    spill = Path(str(tmp_path))
    config = CollectorConfig(
        buffer=BufferSettings(
            flush_interval_seconds=0.01,
            retry_initial_seconds=0.01,
            drain_timeout_seconds=0.1,
            spill_dir=str(spill),
        )
    )
    harness = Harness(config)
    await harness.collector.start()
    harness.good_sink.down = True
    await harness.client.get("/i?e=pv&n=1")
    await harness.collector.stop()
    (spilled,) = spill.glob("good-*.spill")
    lines = spilled.read_bytes().splitlines()
    assert len(lines) == 1
    from pyplow.protocol import decode_collector_payload

    payload = decode_collector_payload(base64.b64decode(lines[0]))
    assert getattr(payload, "querystring", None) == "e=pv&n=1"


async def test_metrics_count_requests_by_route_and_status(harness: Harness) -> None:
    await harness.client.get("/i?e=pv")
    await harness.client.get("/nope/at/all")
    await harness.settle()  # records leave the buffer after their write was timed
    text = (await harness.client.get("/metrics")).text
    assert 'pyplow_collector_requests_total{route="pixel",status="200"} 1.0' in text
    assert 'pyplow_collector_requests_total{route="other",status="404"} 1.0' in text
    assert 'pyplow_collector_records_total{sink="good"} 1.0' in text
    assert "pyplow_collector_sink_write_seconds_bucket" in text
    assert 'pyplow_collector_buffer_records{sink="good"}' in text
