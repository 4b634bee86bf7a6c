"""MicroStore (SQLite, bounded, persistent) and the Micro JSON shapes of pyplow rows."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.config import EnrichConfig, build_engine
from pyplow.enrich.engine import Engine
from pyplow.pipeline.micro import BadQuery, GoodQuery, MicroStore, bad_event_json, good_event_json
from pyplow.pipeline.micro.shapes import index_bad, index_good
from pyplow.protocol import CollectorPayload, encode_collector_payload

RESOLVER = {
    "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3",
    "data": {"cacheSize": 500, "repositories": []},  # the built-in registry only: no network
}
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def record(query: str) -> bytes:
    return encode_collector_payload(
        CollectorPayload(
            ip_address="203.0.113.7",
            timestamp=1_709_294_400_000,
            encoding="UTF-8",
            collector="pyplow-test",
            path="/i",
            querystring=query,
            hostname="c.test",
        )
    )


def page_view(eid: str, *, with_context: bool = False) -> str:
    query = f"e=pv&tv=js-4&p=web&url=https%3A%2F%2Fa.test%2F&eid={eid}"
    if with_context:
        contexts = {
            "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "data": [{"schema": WEB_PAGE, "data": {"id": "4c1b0b5e-8f1a-4a6e-9d7f-2b3c4d5e6f70"}}],
        }
        query += "&cx=" + b64(contexts)
    return query


def link_click(eid: str) -> str:
    event = {
        "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        "data": {"schema": LINK_CLICK, "data": {"targetUrl": "https://a.test/next"}},
    }
    return f"e=ue&tv=js-4&p=web&eid={eid}&ue_px={b64(event)}"


def eid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("iglu") / "resolver.json"
    path.write_text(json.dumps(RESOLVER))
    return build_engine(EnrichConfig(resolver=str(path)))


def good_row(engine: Engine, query: str) -> bytes:
    outcome = engine.process(record(query))
    assert outcome.bad == [], outcome.bad
    (row,) = outcome.good
    return row


def bad_row(engine: Engine, query: str) -> bytes:
    outcome = engine.process(record(query))
    (row,) = outcome.bad
    return row


# --- shapes ---------------------------------------------------------------------------------


def test_good_event_shape_of_an_unstruct_event_with_context(engine: Engine) -> None:
    shaped = good_event_json(good_row(engine, link_click(eid(1))))
    assert isinstance(shaped, dict)
    assert shaped["eventType"] == "unstruct"
    assert shaped["schema"] == LINK_CLICK
    assert shaped["contexts"] == []
    assert shaped["rawEvent"] is None
    assert shaped["event"]["event_id"] == eid(1)
    assert shaped["event"]["unstruct_event"]["data"]["data"] == {"targetUrl": "https://a.test/next"}
    page = good_event_json(good_row(engine, page_view(eid(2), with_context=True)))
    assert isinstance(page, dict)
    assert (page["eventType"], page["schema"], page["contexts"]) == ("page_view", None, [WEB_PAGE])
    assert page["event"]["collector_tstamp"] == "2024-03-01T12:00:00Z"


def test_bad_event_shape_of_a_schema_violation(engine: Engine) -> None:
    shaped = bad_event_json(bad_row(engine, "e=pv&tv=js-4&p=web&vid=abc"))
    assert shaped["collectorPayload"] is None
    raw = shaped["rawEvent"]
    assert raw["api"] == {"vendor": "com.snowplowanalytics.snowplow", "version": "tp1"}
    assert raw["parameters"]["vid"] == "abc"
    assert raw["context"]["ipAddress"] == "203.0.113.7"
    assert len(shaped["errors"]) == 1
    assert "vid" in shaped["errors"][0]
    assert shaped["badRow"]["schema"].endswith("/schema_violations/jsonschema/2-0-1")
    assert index_bad(bad_row(engine, "e=pv&vid=abc")).version == "tp1"


def test_shapes_of_rows_that_are_not_rows() -> None:
    assert isinstance(good_event_json(b"not\ta row"), str)
    assert isinstance(index_good(b"\xff\xfe"), str)
    shaped = bad_event_json(b"{nope")
    assert shaped["errors"][0].startswith("unreadable bad row")
    assert index_bad(b"[]").vendor is None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_shapes_never_raise(row: bytes) -> None:
    good_event_json(row)
    index_good(row)
    assert isinstance(bad_event_json(row)["errors"], list)
    index_bad(row)


# --- store ----------------------------------------------------------------------------------


def test_filters_and_limits(engine: Engine) -> None:
    store = MicroStore(None)
    rows = [
        good_row(engine, page_view(eid(1))),
        good_row(engine, page_view(eid(2), with_context=True)),
        good_row(engine, link_click(eid(3))),
    ]
    store.add(rows, [bad_row(engine, "e=pv&vid=abc")])
    counts = store.counts()
    assert (counts.total, counts.good, counts.bad) == (4, 3, 1)
    assert [r.event_id for r in store.good()] == [eid(3), eid(2), eid(1)]  # newest first
    assert [r.event_id for r in store.good(GoodQuery(event_type="page_view"))] == [eid(2), eid(1)]
    assert [r.event_id for r in store.good(GoodQuery(schema=LINK_CLICK))] == [eid(3)]
    assert [r.event_id for r in store.good(GoodQuery(contexts=(WEB_PAGE,)))] == [eid(2)]
    assert store.good(GoodQuery(contexts=(WEB_PAGE, LINK_CLICK))) == []
    assert [r.event_id for r in store.good(GoodQuery(limit=2))] == [eid(3), eid(2)]
    assert store.good(GoodQuery(limit=0)) == []
    assert len(store.bad(BadQuery(vendor="com.snowplowanalytics.snowplow", version="tp1"))) == 1
    assert store.bad(BadQuery(version="tp2")) == []
    assert store.bad(BadQuery(limit=0)) == []
    found = store.event(eid(2))
    assert found is not None
    assert found.contexts == (WEB_PAGE,)
    assert store.event(eid(99)) is None


def test_bounded_drops_the_oldest_and_counts(engine: Engine) -> None:
    store = MicroStore(None, max_events=2)
    store.add([good_row(engine, page_view(eid(n))) for n in range(1, 4)], [])
    store.add([good_row(engine, page_view(eid(4)))], [b"{}", b"{}", b"{}"])
    counts = store.counts()
    assert (counts.good, counts.bad, counts.dropped_good, counts.dropped_bad) == (2, 2, 2, 1)
    assert [r.event_id for r in store.good()] == [eid(4), eid(3)]
    with pytest.raises(ValueError, match="max_events"):
        MicroStore(None, max_events=0)


def test_rejects_rows_that_are_not_enriched_events() -> None:
    store = MicroStore(None)
    store.add([b"garbage"], [])
    assert (store.counts().good, store.counts().rejected) == (0, 1)


def test_persists_across_stores_and_reset(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "micro.sqlite"
    first = MicroStore(path, max_events=5)
    first.add([good_row(engine, link_click(eid(7)))], [bad_row(engine, "e=pv&vid=x")])
    first.close()
    second = MicroStore(path, max_events=5)
    assert (second.counts().good, second.counts().bad) == (1, 1)
    (kept,) = second.good(GoodQuery(schema=LINK_CLICK))
    assert kept.event_id == eid(7)
    second.reset()
    second.close()
    third = MicroStore(path)
    assert third.counts().total == 0
    third.close()


def test_concurrent_adds_keep_every_row(engine: Engine) -> None:
    store = MicroStore(None)
    row = good_row(engine, page_view(eid(1)))

    def writer() -> None:
        for _ in range(25):
            store.add([row], [])
            store.counts()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.counts().good == 100
