from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments.api_request import ApiRequest, encode_value, fill_template
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = (
    "iglu:com.snowplowanalytics.snowplow.enrichments/api_request_enrichment_config/jsonschema/1-0-2"
)
CLIENT = "iglu:com.acme/client/jsonschema/1-0-0"
OUTPUT = "iglu:com.acme/user/jsonschema/1-0-0"


class FakeApi:
    """A tiny HTTP API on 127.0.0.1: answers by path, records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str]] = {}
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                api.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "body": self.rfile.read(length).decode() if length else None,
                        "type": self.headers.get("Content-Type"),
                    }
                )
                status, body = api.routes.get(self.path.split("?")[0], (404, '{"error":"no"}'))
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's names

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[FakeApi]:
    server = FakeApi()
    yield server
    server.close()


def real_config(base: str) -> dict[str, Any]:
    """Snowplow's documented example, pointed at the fake API."""
    return {
        "schema": SCHEMA,
        "data": {
            "vendor": "com.snowplowanalytics.snowplow.enrichments",
            "name": "api_request_enrichment_config",
            "enabled": True,
            "parameters": {
                "inputs": [
                    {"key": "user", "pojo": {"field": "user_id"}},
                    {
                        "key": "client",
                        "json": {
                            "field": "contexts",
                            "schemaCriterion": "iglu:com.acme/client/jsonschema/1-*-*",
                            "jsonPath": "$.clientId",
                        },
                    },
                ],
                "api": {
                    "http": {
                        "method": "GET",
                        "uri": base + "/api/{{client}}/user/{{user}}?format=json",
                        "timeout": 2000,
                        "authentication": {"httpBasic": {"username": "xxx", "password": "yyy"}},
                    }
                },
                "outputs": [
                    {"schema": OUTPUT, "json": {"jsonPath": "$.record"}},
                ],
                "cache": {"size": 3000, "ttl": 60},
                "ignoreOnError": False,
            },
        },
    }


def make(data: dict[str, Any], schema: str = SCHEMA) -> ApiRequest:
    key = SchemaKey.parse(schema)
    assert isinstance(key, SchemaKey)
    return ApiRequest(EnrichmentConfig(schema=key, data=data))


def with_params(base: str, **changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(real_config(base)["data"]))
    data["parameters"].update(changes)
    return data


def event(fields: dict[str, Any] | None = None, client: str | None = "acme 1") -> EventContext:
    raw = RawEvent(vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={})
    contexts = [Entity(CLIENT, {"clientId": client})] if client is not None else []
    return EventContext(
        raw, fields if fields is not None else {"user_id": "u/1"}, contexts=contexts
    )


def test_real_config_validates_and_is_registered() -> None:
    cfg = real_config("http://api.acme.com")
    key = SchemaKey.parse(cfg["schema"])
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, cfg["data"]), Validated)
    assert implementation("api_request_enrichment_config") is ApiRequest
    assert make(cfg["data"]).method == "GET"


def test_get_with_templated_uri_basic_auth_and_output(api: FakeApi) -> None:
    api.routes["/api/acme+1/user/u%2F1"] = (200, '{"record": {"name": "Ann", "tier": 2}}')
    enrichment = make(real_config(api.base)["data"])
    assert enrichment.enrich(event()) == [Entity(OUTPUT, {"name": "Ann", "tier": 2})]
    assert len(api.requests) == 1
    request = api.requests[0]
    assert request["method"] == "GET"
    assert request["path"] == "/api/acme+1/user/u%2F1?format=json"
    assert request["auth"] == "Basic " + base64.b64encode(b"xxx:yyy").decode()
    assert request["body"] is None
    enrichment.close()


def test_results_are_cached_by_uri(api: FakeApi) -> None:
    api.routes["/api/c/user/u"] = (200, '{"record": [1, 2]}')
    enrichment = make(real_config(api.base)["data"])
    for _ in range(3):
        assert enrichment.enrich(event({"user_id": "u"}, "c")) == [Entity(OUTPUT, [1, 2])]
    assert len(api.requests) == 1
    api.routes["/api/c/user/v"] = (200, '{"record": "v"}')
    assert enrichment.enrich(event({"user_id": "v"}, "c")) == [Entity(OUTPUT, "v")]
    assert len(api.requests) == 2


def test_zero_ttl_means_no_caching(api: FakeApi) -> None:
    api.routes["/api/c/user/u"] = (200, '{"record": 1}')
    enrichment = make(with_params(api.base, cache={"size": 10, "ttl": 0}))
    enrichment.enrich(event({"user_id": "u"}, "c"))
    enrichment.enrich(event({"user_id": "u"}, "c"))
    assert len(api.requests) == 2


def test_missing_input_skips_the_call(api: FakeApi) -> None:
    enrichment = make(real_config(api.base)["data"])
    assert enrichment.enrich(event({}, "c")) is None
    assert enrichment.enrich(event({"user_id": "u"}, None)) is None
    assert api.requests == []


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_post_and_put_send_the_inputs_as_json(api: FakeApi, method: str) -> None:
    api.routes["/api/c/user/7"] = (200, '{"record": {"ok": true}, "extra": 5}')
    data = with_params(api.base)
    data["parameters"]["api"]["http"]["method"] = method
    data["parameters"]["api"]["http"]["authentication"] = {}
    data["parameters"]["outputs"].append({"schema": CLIENT, "json": {"jsonPath": "$.extra"}})
    enrichment = make(data)
    assert enrichment.enrich(event({"user_id": "7"}, "c")) == [
        Entity(OUTPUT, {"ok": True}),
        Entity(CLIENT, 5),
    ]
    request = api.requests[0]
    assert request["method"] == method
    assert json.loads(request["body"]) == {"user": "7", "client": "c"}
    assert request["type"] == "application/json"
    assert request["auth"] is None


def test_typed_pojo_inputs_are_written_as_java_does(api: FakeApi) -> None:
    data = with_params(
        api.base,
        inputs=[
            {"key": "lat", "pojo": {"field": "geo_latitude"}},
            {"key": "idx", "pojo": {"field": "domain_sessionidx"}},
        ],
    )
    data["parameters"]["api"]["http"]["uri"] = api.base + "/geo?lat={{lat}}&idx={{ idx }}"
    api.routes["/geo"] = (200, '{"record": 1}')
    enrichment = make(data)
    enrichment.enrich(event({"geo_latitude": 37.0, "domain_sessionidx": 3}))
    assert api.requests[0]["path"] == "/geo?lat=37.0&idx=3"


def test_http_errors_missing_paths_and_bad_json_are_failures(api: FakeApi) -> None:
    api.routes["/api/c/user/500"] = (500, "down")
    api.routes["/api/c/user/nopath"] = (200, '{"other": 1}')
    api.routes["/api/c/user/notjson"] = (200, "<html>")
    enrichment = make(real_config(api.base)["data"])
    failure = enrichment.enrich(event({"user_id": "500"}, "c"))
    assert isinstance(failure, EnrichmentError)
    assert "HTTP 500" in failure.message
    failure = enrichment.enrich(event({"user_id": "nopath"}, "c"))
    assert isinstance(failure, EnrichmentError)
    assert "$.record not found" in failure.message
    failure = enrichment.enrich(event({"user_id": "notjson"}, "c"))
    assert isinstance(failure, EnrichmentError)
    assert "not JSON" in failure.message
    ignoring = make(with_params(api.base, ignoreOnError=True))
    assert ignoring.enrich(event({"user_id": "500"}, "c")) is None
    assert ignoring.enrich(event({"user_id": "nopath"}, "c")) is None


def test_unreachable_api_is_a_failure() -> None:
    enrichment = make(real_config("http://127.0.0.1:9")["data"])
    failure = enrichment.enrich(event({"user_id": "u"}, "c"))
    assert isinstance(failure, EnrichmentError)
    assert "failed" in failure.message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inputs": [{"key": "k", "pojo": {"field": "nope"}}]}, "not an atomic field"),
        ({"inputs": [{"pojo": {"field": "user_id"}}]}, "'key' must be"),
        ({"outputs": []}, "non-empty list"),
        ({"outputs": [{"schema": "iglu:bad", "json": {"jsonPath": "$.a"}}]}, "not an Iglu URI"),
        ({"outputs": [{"schema": OUTPUT, "json": {"jsonPath": "a"}}]}, "JSONPath"),
        ({"cache": {"size": -1, "ttl": 1}}, "cache.size"),
        ({"cache": {"size": 1, "ttl": 100000}}, "cache.ttl must be <= 86400"),
        ({"api": {"http": {"method": "DELETE", "uri": "http://x", "timeout": 1}}}, "GET, POST"),
        ({"api": {"http": {"method": "GET", "uri": "ftp://x", "timeout": 1}}}, "http://"),
        ({"api": {"http": {"method": "GET", "uri": "http://x", "timeout": 0}}}, "timeout"),
    ],
)
def test_bad_configs_are_explained(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        make(with_params("http://x", **changes))


def test_template_filling() -> None:
    assert fill_template("http://a/{{x}}/{{y}}", {"x": "a b", "y": "é~*"}) == (
        "http://a/a+b/%C3%A9%7E*"
    )
    assert fill_template("http://a/{{x}}", {}) is None
    assert fill_template("http://a/", {"x": "1"}) == "http://a/"


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_encoded_values_decode_back_and_are_url_safe(value: str) -> None:
    encoded = encode_value(value)
    assert unquote_plus(encoded) == value
    assert all(c.isalnum() or c in "%+*-._" for c in encoded)
