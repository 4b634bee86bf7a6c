"""pyplow-tracker against pyplow's embedded pipeline: every event type arrives enriched."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyplow_tracker import (
    BackgroundEmitter,
    EcommerceItem,
    Emitter,
    EmitterConfig,
    SelfDescribingJson,
    Subject,
    Tracker,
)

from pyplow.loaders.memory import MemoryLoader
from pyplow.pipeline.embedded import EmbeddedSettings, run_embedded

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
TRUE_TIME = 1_700_000_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def track_everything(tracker: Tracker) -> None:
    page = SelfDescribingJson(WEB_PAGE, {"id": "0b9c5d2e-1111-4c1a-9d1e-0a1b2c3d4e5f"})
    tracker.track_page_view(
        "http://shop.test/p?utm_source=news&utm_medium=email",
        page_title="Café ☕",
        referrer="https://www.google.com/search?q=widgets",
        context=[page],
    )
    tracker.track_page_ping("http://shop.test/p", min_x=0, max_x=100, min_y=0, max_y=640)
    tracker.track_struct_event(
        "shop", "add", label="l", property_="p", value=19.99, subject=Subject(user_id="override")
    )
    tracker.track_self_describing_event(
        SelfDescribingJson(LINK_CLICK, {"targetUrl": "http://shop.test/basket"})
    )
    tracker.track_screen_view("basket", screen_type="cart", previous_name="product")
    tracker.track_ecommerce_transaction(
        "order-1",
        39.98,
        tax_value=6.66,
        shipping=3.5,
        currency="GBP",
        city="London",
        items=[
            EcommerceItem(sku="BW-001", price=19.99, quantity=1, name="Blue widget"),
            EcommerceItem(sku="RG-002", price=19.99, quantity=1, category="gadgets"),
        ],
    )
    tracker.track_timing("checkout", "render", 231, label="l", true_timestamp=TRUE_TIME)


def run_pipeline(
    tmp_path: Path, send: Callable[[str], None], expected: int
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Start the embedded pipeline, ``send(url)`` in a thread, return Micro's good and bad."""

    async def scenario() -> tuple[list[dict[str, Any]], list[Any]]:
        stop = asyncio.Event()
        urls: list[str] = []
        settings = EmbeddedSettings(port=free_port(), data_dir=str(tmp_path))
        task = asyncio.create_task(
            run_embedded(settings, stop=stop, loader=MemoryLoader(), ready=urls.append)
        )
        while not urls:
            await asyncio.sleep(0.02)
        await asyncio.to_thread(send, urls[0])
        async with httpx.AsyncClient(base_url=urls[0]) as client:
            for _ in range(200):
                counts = (await client.get("/micro/all")).json()
                if counts["total"] >= expected:
                    break
                await asyncio.sleep(0.05)
            good = (await client.get("/micro/good")).json()
            bad = (await client.get("/micro/bad")).json()
        stop.set()
        await asyncio.wait_for(task, 30)
        return good, bad

    return asyncio.run(scenario())


def by_kind(good: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in good:
        event = item["event"]
        out.setdefault(event["event_name"], []).append(event)
    return out


SUBJECT = Subject(
    platform="web",
    user_id="u-42",
    screen_resolution=(1920, 1080),
    viewport=(1280, 720),
    timezone="Europe/London",
    lang="en-GB",
    ip_address="203.0.113.7",
    useragent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
    domain_userid="5d9a2b34-1111-4c1a-9d1e-0a1b2c3d4e5f",
)


@pytest.mark.parametrize(
    ("method", "base64_encode", "emitter_kind"),
    [("POST", True, "sync"), ("GET", False, "background")],
)
def test_every_event_type_arrives_enriched(
    tmp_path: Path, method: str, base64_encode: bool, emitter_kind: str
) -> None:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def send(url: str) -> None:
        config = EmitterConfig(endpoint=url, method=method, batch_size=4)  # type: ignore[arg-type]
        emitter: Emitter | BackgroundEmitter
        if emitter_kind == "sync":
            emitter = Emitter(config, flush_at_exit=False)
        else:
            emitter = BackgroundEmitter(config, flush_at_exit=False)
        tracker = Tracker(
            emitter, namespace="e2e", app_id="shop", subject=SUBJECT, encode_base64=base64_encode
        )
        track_everything(tracker)
        emitter.close()
        assert emitter.sent == 9

    good, bad = run_pipeline(tmp_path, send, expected=9)
    assert bad == []
    assert len(good) == 9
    kinds = by_kind(good)
    assert sorted((k, len(v)) for k, v in kinds.items()) == [
        ("event", 1),
        ("link_click", 1),
        ("page_ping", 1),
        ("page_view", 1),
        ("screen_view", 1),
        ("timing", 1),
        ("transaction", 1),
        ("transaction_item", 2),
    ]
    for event in (e for events in kinds.values() for e in events):
        assert event["app_id"] == "shop"
        assert event["platform"] == "web"
        assert event["name_tracker"] == "e2e"
        assert event["v_tracker"] == "pyplow-py-0.1.0"
        assert event["user_ipaddress"] == "203.0.113.7"
        assert event["useragent"] == SUBJECT.useragent
        assert event["domain_userid"] == SUBJECT.domain_userid
        assert event["dvce_screenwidth"] == 1920
        assert event["br_viewheight"] == 720
        assert event["os_timezone"] == "Europe/London"
        assert event["br_lang"] == "en-GB"
        assert event["dvce_created_tstamp"] >= started
        assert event["dvce_sent_tstamp"] >= event["dvce_created_tstamp"]
        assert event["user_id"] == ("override" if event["event"] == "struct" else "u-42")

    (pv,) = kinds["page_view"]
    assert pv["page_title"] == "Café ☕"
    assert pv["page_urlhost"] == "shop.test"
    assert pv["mkt_source"] == "news"
    assert pv["mkt_medium"] == "email"
    assert pv["refr_medium"] == "search"
    assert pv["refr_source"] == "Google"
    assert pv["contexts"]["data"][0]["schema"] == WEB_PAGE
    (pp,) = kinds["page_ping"]
    assert (pp["pp_xoffset_min"], pp["pp_xoffset_max"], pp["pp_yoffset_max"]) == (0, 100, 640)
    (se,) = kinds["event"]
    assert (se["se_category"], se["se_action"], se["se_label"], se["se_property"]) == (
        "shop",
        "add",
        "l",
        "p",
    )
    assert se["se_value"] == 19.99
    (link,) = kinds["link_click"]
    assert link["unstruct_event"]["data"]["data"] == {"targetUrl": "http://shop.test/basket"}
    (screen,) = kinds["screen_view"]
    assert screen["event_vendor"] == "com.snowplowanalytics.mobile"
    assert screen["unstruct_event"]["data"]["data"]["name"] == "basket"
    (tr,) = kinds["transaction"]
    assert (tr["tr_orderid"], tr["tr_total"], tr["tr_tax"], tr["tr_shipping"]) == (
        "order-1",
        39.98,
        6.66,
        3.5,
    )
    assert (tr["tr_currency"], tr["tr_city"]) == ("GBP", "London")
    items = sorted(kinds["transaction_item"], key=lambda e: e["ti_sku"])
    assert [(i["ti_orderid"], i["ti_sku"], i["ti_price"], i["ti_quantity"]) for i in items] == [
        ("order-1", "BW-001", 19.99, 1),
        ("order-1", "RG-002", 19.99, 1),
    ]
    assert items[0]["ti_name"] == "Blue widget"
    assert items[1]["ti_category"] == "gadgets"
    assert {i["dvce_created_tstamp"] for i in items} == {tr["dvce_created_tstamp"]}
    (timing,) = kinds["timing"]
    assert timing["true_tstamp"] == "2023-11-14T22:13:20Z"  # TRUE_TIME
    assert timing["derived_tstamp"] == "2023-11-14T22:13:20Z"
    assert timing["unstruct_event"]["data"]["data"] == {
        "category": "checkout",
        "variable": "render",
        "timing": 231,
        "label": "l",
    }
