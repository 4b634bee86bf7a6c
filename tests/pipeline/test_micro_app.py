"""The Micro REST API (MicroApp) and the collector/Micro dispatcher, over httpx.ASGITransport."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.enrich.config import EnrichConfig, build_engine, load_resolver
from pyplow.enrich.engine import Engine
from pyplow.pipeline.micro import MicroApp, MicroStore, with_micro
from pyplow.pipeline.micro.app import Receive, Scope, Send
from pyplow.protocol import CollectorPayload, encode_collector_payload

RESOLVER = {
    "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3",
    "data": {"cacheSize": 500, "repositories": []},  # the built-in registry only: no network
}
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
PAYLOAD_DATA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def eid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


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


CONTEXTS = b64(
    {
        "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "data": [{"schema": WEB_PAGE, "data": {"id": "4c1b0b5e-8f1a-4a6e-9d7f-2b3c4d5e6f70"}}],
    }
)
CLICK = b64(
    {
        "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        "data": {"schema": LINK_CLICK, "data": {"targetUrl": "https://a.test/next"}},
    }
)
QUERIES = [
    f"e=pv&tv=js-4&p=web&url=https%3A%2F%2Fa.test%2F&eid={eid(1)}",
    f"e=pv&tv=js-4&p=web&url=https%3A%2F%2Fa.test%2F&eid={eid(2)}&cx={CONTEXTS}",
    f"e=ue&tv=js-4&p=web&eid={eid(3)}&ue_px={CLICK}&cx={CONTEXTS}",
    "e=pv&tv=js-4&p=web&vid=not-a-number",
]


@pytest.fixture(scope="module")
def resolver_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("iglu") / "resolver.json"
    path.write_text(json.dumps(RESOLVER))
    return path


@pytest.fixture(scope="module")
def engine(resolver_file: Path) -> Engine:
    return build_engine(EnrichConfig(resolver=str(resolver_file)))


@pytest.fixture
def store(engine: Engine) -> MicroStore:
    store = MicroStore(None)
    for query in QUERIES:
        outcome = engine.process(record(query))
        store.add(outcome.good, outcome.bad)
    return store


@pytest.fixture
async def client(
    store: MicroStore, engine: Engine, resolver_file: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = MicroApp(store, load_resolver(str(resolver_file)), engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://micro.test") as c:
        yield c


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"]["event_id"] for e in events]


async def test_all_and_reset(client: httpx.AsyncClient) -> None:
    response = await client.get("/micro/all")
    assert response.status_code == 200
    assert response.json() == {"total": 4, "good": 3, "bad": 1}
    assert response.headers["access-control-allow-origin"] == "*"
    assert (await client.post("/micro/reset")).json() == {"total": 0, "good": 0, "bad": 0}
    assert (await client.get("/micro/all")).json() == {"total": 0, "good": 0, "bad": 0}
    assert (await client.get("/micro/good")).json() == []


async def test_good_filters_get_and_post(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/micro/good")).json()
    assert ids(everything) == [eid(3), eid(2), eid(1)]
    click = everything[0]
    assert (click["eventType"], click["schema"], click["contexts"]) == (
        "unstruct",
        LINK_CLICK,
        [WEB_PAGE],
    )
    assert set(click) == {"rawEvent", "eventType", "schema", "contexts", "event"}
    got = await client.get("/micro/good", params={"event_type": "page_view", "limit": "1"})
    assert ids(got.json()) == [eid(2)]
    posted = await client.post("/micro/good", json={"contexts": [WEB_PAGE]})
    assert ids(posted.json()) == [eid(3), eid(2)]
    posted = await client.post("/micro/good", json={"schema": LINK_CLICK, "contexts": [WEB_PAGE]})
    assert ids(posted.json()) == [eid(3)]
    got = await client.get("/micro/good", params={"contexts": f"{WEB_PAGE},{LINK_CLICK}"})
    assert got.json() == []
    posted = await client.post("/micro/good", json={"event_type": "struct"})
    assert posted.json() == []


async def test_bad_filters(client: httpx.AsyncClient) -> None:
    (bad,) = (await client.get("/micro/bad")).json()
    assert bad["rawEvent"]["parameters"]["vid"] == "not-a-number"
    assert "vid" in bad["errors"][0]
    posted = await client.post("/micro/bad", json={"vendor": "com.snowplowanalytics.snowplow"})
    assert len(posted.json()) == 1
    assert (await client.get("/micro/bad", params={"version": "tp2"})).json() == []
    assert (await client.post("/micro/bad", json={"limit": 0})).json() == []
    # a limit beyond any store (and beyond SQLite's integers) means everything
    assert len((await client.post("/micro/bad", json={"limit": 2**63})).json()) == 1
    assert len((await client.get("/micro/bad", params={"limit": "9" * 5000})).json()) == 1


async def test_bad_requests_say_what_was_wrong(client: httpx.AsyncClient) -> None:
    response = await client.post("/micro/good", json={"limit": -1})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]
    response = await client.get("/micro/good", params={"limit": "ten"})
    assert response.status_code == 400
    assert "'ten'" in response.json()["error"]
    response = await client.post("/micro/good", json={"colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]
    response = await client.post("/micro/bad", content=b"{nope")
    assert response.status_code == 400
    assert (await client.get("/micro/nothing")).status_code == 404
    assert (await client.delete("/micro/all")).status_code == 405
    assert (await client.options("/micro/good")).status_code == 204


async def test_iglu_route(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/micro/iglu/com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
    )
    assert response.status_code == 200
    schema = response.json()
    assert schema["self"]["name"] == "link_click"
    assert "targetUrl" in schema["properties"]
    missing = await client.get("/micro/iglu/com.acme/nothing/jsonschema/1-0-0")
    assert missing.status_code == 404
    assert "iglu:com.acme/nothing/jsonschema/1-0-0" in missing.json()["error"]
    invalid = await client.get("/micro/iglu/com.acme/nothing/jsonschema/one")
    assert invalid.status_code == 400
    assert (await client.get("/micro/iglu/com.acme/x")).status_code == 400


async def test_event_lookup(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/micro/events/{eid(2)}")
    assert response.status_code == 200
    assert response.json()["contexts"] == [WEB_PAGE]
    assert response.json()["event"]["event_id"] == eid(2)
    missing = await client.get(f"/micro/events/{eid(42)}")
    assert missing.status_code == 404
    assert eid(42) in missing.json()["error"]


async def test_validate_good_and_bad_without_storing(client: httpx.AsyncClient) -> None:
    body = {
        "schema": PAYLOAD_DATA,
        "data": [
            {"e": "pv", "tv": "js-4", "p": "web", "url": "https://a.test/", "eid": eid(50)},
            {"e": "pv", "tv": "js-4", "p": "web", "vid": "x"},
        ],
    }
    response = await client.post("/micro/validate", json=body)
    assert response.status_code == 200
    result = response.json()
    assert ids(result["good"]) == [eid(50)]
    (bad,) = result["bad"]
    assert bad["rawEvent"]["api"]["version"] == "tp2"
    assert bad["rawEvent"]["parameters"]["vid"] == "x"
    query = {"querystring": f"e=ue&tv=js-4&p=web&ue_px={CLICK}"}
    result = (await client.post("/micro/validate", json=query)).json()
    assert [e["schema"] for e in result["good"]] == [LINK_CLICK]
    protocol = await client.post("/micro/validate", json={"schema": PAYLOAD_DATA, "data": 1})
    (violation,) = protocol.json()["bad"]
    assert violation["collectorPayload"]["api"]["version"] == "tp2"
    assert (await client.get("/micro/all")).json()["total"] == 4  # nothing stored
    response = await client.post("/micro/validate", json={"e": "pv"})
    assert response.status_code == 400
    assert "querystring" in response.json()["error"]
    assert (await client.get("/micro/validate")).status_code == 405


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["/micro/good", "/micro/bad", "/micro/validate", "/micro/all"]),
    body=st.binary(max_size=200)
    | st.dictionaries(
        st.sampled_from(["limit", "schema", "contexts", "querystring", "data"]),
        st.none() | st.integers() | st.text(max_size=20) | st.lists(st.text(max_size=5)),
    ).map(lambda d: json.dumps(d).encode()),
)
async def test_any_body_gets_an_answer_not_a_crash(
    client: httpx.AsyncClient, path: str, body: bytes
) -> None:
    response = await client.post(path, content=body)
    assert response.status_code in (200, 400), response.text
    assert isinstance(response.json(), dict | list)


async def test_dispatcher_sends_micro_paths_to_micro(client: httpx.AsyncClient) -> None:
    seen: list[tuple[str, str]] = []

    async def collector(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["type"], scope.get("path", "")))
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"collector"})

    async def micro(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"micro"})

    app = with_micro(collector, micro)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://c.test") as c:
        assert (await c.get("/micro/all")).text == "micro"
        assert (await c.get("/micro")).text == "micro"
        assert (await c.get("/microsite")).text == "collector"
        assert (await c.get("/i?e=pv")).text == "collector"
    await app({"type": "lifespan"}, _never, _ignore)
    assert seen == [("http", "/microsite"), ("http", "/i"), ("lifespan", "")]


async def _never() -> dict[str, Any]:
    raise AssertionError("not read")


async def _ignore(message: Any) -> None:
    return None
