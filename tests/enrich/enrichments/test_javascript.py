from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments import javascript
from pyplow.enrich.enrichments.javascript import JavascriptEnrichment
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = "iglu:com.snowplowanalytics.snowplow/javascript_script_config/jsonschema/1-0-1"

# Snowplow's documented example script, unchanged.
DOCS_SCRIPT = """
const SECRET_APP_ID = "Joshua";

/**
 * Performs two roles:
 * 1. If this is a server-side event, we
 *    validate that the app_id is our
 *    valid secret. Prevents spoofing of
 *    our server-side events
 * 2. Creates a context with the app_id
 *    in upper case
 */
function process(event) {
    var appId = event.getApp_id();

    if (event.getPlatform() == "srv" && appId != SECRET_APP_ID) {
        throw "Server-side event has invalid app_id: " + appId;
    }

    if (appId == null) {
        return [];
    }

    var appIdUpper = new String(appId.toUpperCase());
    return [ { schema: "iglu:com.acme/foo/jsonschema/1-0-0",
               data:  { appIdUpper: appIdUpper } } ];
}
"""


def b64(script: str, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(script.encode()).decode()


def data(script: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"script": b64(script)}
    if params is not None:
        parameters["config"] = params
    return {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "javascript_script_config",
        "enabled": True,
        "parameters": parameters,
    }


def make(script: str, params: dict[str, Any] | None = None) -> JavascriptEnrichment:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    return JavascriptEnrichment(EnrichmentConfig(schema=key, data=data(script, params)))


def event(fields: dict[str, Any] | None = None, **kwargs: Any) -> EventContext:
    raw = RawEvent(
        vendor="com.snowplowanalytics.snowplow",
        version="tp2",
        parameters={},
        headers=kwargs.pop("headers", ()),
    )
    return EventContext(raw, fields, **kwargs)


def test_real_config_validates_and_is_registered() -> None:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, data(DOCS_SCRIPT, {"a": 1})), Validated)
    assert implementation("javascript_script_config") is JavascriptEnrichment


def test_documented_script_runs_unchanged() -> None:
    enrichment = make(DOCS_SCRIPT)
    assert enrichment.enrich(event({"app_id": "shop", "platform": "web"})) == [
        Entity("iglu:com.acme/foo/jsonschema/1-0-0", {"appIdUpper": "SHOP"})
    ]
    assert enrichment.enrich(event({"platform": "web"})) == []
    assert enrichment.enrich(event({"app_id": "Joshua", "platform": "srv"})) == [
        Entity("iglu:com.acme/foo/jsonschema/1-0-0", {"appIdUpper": "JOSHUA"})
    ]
    failure = enrichment.enrich(event({"app_id": "evil", "platform": "srv"}))
    assert failure == EnrichmentError(
        "Error during execution of JavaScript function: "
        "[Server-side event has invalid app_id: evil]"
    )


def test_typed_getters_and_setters() -> None:
    script = """
    function process(event, params, headers) {
      var seen = {
        idx: event.getDomain_sessionidx(), total: event.getTr_total(),
        lat: event.getGeo_latitude(), pdf: event.getBr_features_pdf(),
        ts: event.getCollector_tstamp(), unset: event.getUser_id(),
        params: params, headers: headers
      };
      event.setUser_id("u-" + seen.idx);
      event.setDomain_sessionidx(seen.idx + 1);
      event.setTr_total("99.90");
      event.setGeo_latitude(1.5);
      event.setBr_features_pdf(0);
      event.setDerived_tstamp("2020-01-02 03:04:05.678");
      event.setApp_id(null);
      return [{schema: "iglu:com.acme/seen/jsonschema/1-0-0", data: seen}];
    }
    """
    enrichment = make(script, {"threshold": 3})
    ev = event(
        {
            "app_id": "a",
            "domain_sessionidx": 4,
            "tr_total": Decimal("12.50"),
            "geo_latitude": 37.25,
            "br_features_pdf": True,
            "collector_tstamp": datetime(2013, 11, 26, 0, 2, 5, 123000, tzinfo=UTC),
        },
        headers=("Host: x", "User-Agent: y"),
    )
    result = enrichment.enrich(ev)
    assert result == [
        Entity(
            "iglu:com.acme/seen/jsonschema/1-0-0",
            {
                "idx": 4,
                "total": "12.50",
                "lat": 37.25,
                "pdf": 1,
                "ts": "2013-11-26 00:02:05.123",
                "unset": None,
                "params": {"threshold": 3},
                "headers": ["Host: x", "User-Agent: y"],
            },
        )
    ]
    assert ev.fields == {
        "app_id": None,
        "domain_sessionidx": 5,
        "tr_total": Decimal("99.90"),
        "geo_latitude": 1.5,
        "br_features_pdf": False,
        "collector_tstamp": datetime(2013, 11, 26, 0, 2, 5, 123000, tzinfo=UTC),
        "user_id": "u-4",
        "derived_tstamp": datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("event.setDomain_sessionidx('many')", "domain_sessionidx: 'many' is not a 32-bit integer"),
        ("event.setDomain_sessionidx(1.5)", "not a 32-bit integer"),
        ("event.setTr_total('lots')", "tr_total: 'lots' is not a decimal number"),
        ("event.setDerived_tstamp('yesterday')", "is not a timestamp"),
        ("event.setBr_cookies(7)", "is not a boolean"),
        ("event.setEvent_id('nope')", "is not a UUID"),
        ("event.setUser_id({a: 1})", "user_id"),
    ],
)
def test_setting_a_bad_value_is_a_failure_and_changes_nothing(call: str, message: str) -> None:
    enrichment = make(f"function process(event) {{ event.setApp_id('x'); {call}; return null; }}")
    ev = event({"app_id": "a"})
    failure = enrichment.enrich(ev)
    assert isinstance(failure, EnrichmentError)
    assert message in failure.message
    assert ev.fields == {"app_id": "a"}


def test_json_fields_can_be_read_and_replaced() -> None:
    script = """
    function process(event) {
      var contexts = JSON.parse(event.getContexts());
      var unstruct = JSON.parse(event.getUnstruct_event());
      var derived = JSON.parse(event.getDerived_contexts());
      contexts.data.push({schema: "iglu:com.acme/added/jsonschema/1-0-0", data: {n: 2}});
      event.setContexts(JSON.stringify(contexts));
      unstruct.data.data.clicked = true;
      event.setUnstruct_event(JSON.stringify(unstruct));
      return [{schema: "iglu:com.acme/count/jsonschema/1-0-0",
               data: {contexts: contexts.data.length, derived: derived.data.length,
                      envelope: contexts.schema}}];
    }
    """
    enrichment = make(script)
    ctx = Entity("iglu:com.acme/ctx/jsonschema/1-0-0", {"n": 1})
    ev = event(contexts=[ctx], unstruct=Entity("iglu:com.acme/click/jsonschema/1-0-0", {"x": 1}))
    ev.derived.append(Entity("iglu:com.acme/derived/jsonschema/1-0-0", {}))
    result = enrichment.enrich(ev)
    assert result == [
        Entity(
            "iglu:com.acme/count/jsonschema/1-0-0",
            {
                "contexts": 2,
                "derived": 1,
                "envelope": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
            },
        )
    ]
    assert ev.contexts == [ctx, Entity("iglu:com.acme/added/jsonschema/1-0-0", {"n": 2})]
    assert ev.unstruct == Entity("iglu:com.acme/click/jsonschema/1-0-0", {"x": 1, "clicked": True})
    assert len(ev.derived) == 1


def test_absent_json_fields_are_null_and_can_be_cleared() -> None:
    script = """
    function process(event) {
      if (event.getContexts() !== null || event.getUnstruct_event() !== null) throw "not null";
      event.setContexts(null);
      event.setUnstruct_event(null);
      event.eraseDerived_contexts();
      return null;
    }
    """
    ev = event(unstruct=None)
    ev.derived.append(Entity("iglu:com.acme/derived/jsonschema/1-0-0", {}))
    assert make(script).enrich(ev) == []
    assert ev.derived == []
    assert ev.unstruct is None


def test_bad_envelopes_from_the_script_are_failures() -> None:
    failure = make("function process(e) { e.setContexts('{\"schema\": 1}'); }").enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert "setContexts" in failure.message
    failure = make("function process(e) { e.setUnstruct_event('[]'); }").enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert "setUnstruct_event" in failure.message


def test_drop_marks_the_event() -> None:
    ev = event({"app_id": "bot"})
    assert make("function process(e) { e.drop(); return null; }").enrich(ev) == []
    assert ev.dropped is True


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("42", "must return an array"),
        ("[{data: 1}]", "returned item 0 is not a self-describing JSON"),
        ("[{schema: 'iglu:bad', data: 1}]", "returned item 0"),
        ("[{schema: 'iglu:com.acme/x/jsonschema/1-0-0'}]", "returned item 0"),
    ],
)
def test_bad_return_values_are_failures(returned: str, message: str) -> None:
    failure = make(f"function process(e) {{ return {returned}; }}").enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert message in failure.message


def test_runtime_errors_and_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    failure = make("function process(e) { return e.getApp_id().length; }").enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert failure.message.startswith("Error during execution of JavaScript function: [TypeError")
    monkeypatch.setattr(javascript, "TIME_LIMIT_SECONDS", 0.2)
    looping = make("function process(e) { if (e.getApp_id() == 'loop') { while (true) {} } }")
    failure = looping.enrich(event({"app_id": "loop"}))
    assert isinstance(failure, EnrichmentError)
    assert "interrupted" in failure.message
    # The runtime is still usable afterwards.
    assert looping.enrich(event({"app_id": "fine"})) == []


def test_state_kept_by_a_script_persists_between_events() -> None:
    enrichment = make(
        "var n = 0; function process(e) { n++; return [{schema: "
        "'iglu:com.acme/n/jsonschema/1-0-0', data: {n: n}}]; }"
    )
    enrichment.enrich(event())
    assert enrichment.enrich(event()) == [Entity("iglu:com.acme/n/jsonschema/1-0-0", {"n": 2})]


def test_url_safe_base64_is_accepted() -> None:
    key = SchemaKey.parse(
        "iglu:com.snowplowanalytics.snowplow/javascript_script_config/jsonschema/1-0-0"
    )
    assert isinstance(key, SchemaKey)
    script = (
        "function process(e) { return [{schema: 'iglu:com.acme/q/jsonschema/1-0-0', "
        "data: {q: '??>>'}}]; }"
    )
    cfg = {
        "vendor": "v",
        "name": "javascript_script_config",
        "enabled": True,
        "parameters": {"script": b64(script, urlsafe=True).rstrip("=")},
    }
    enrichment = JavascriptEnrichment(EnrichmentConfig(schema=key, data=cfg))
    assert enrichment.enrich(event()) == [Entity("iglu:com.acme/q/jsonschema/1-0-0", {"q": "??>>"})]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("function process(e) { return [; }", "cannot be compiled: SyntaxError"),
        ("function other() {}", "must define function process"),
        ("throw new Error('at load')", "cannot be compiled: Error: at load"),
    ],
)
def test_bad_scripts_are_config_errors(script: str, message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        make(script)


def test_bad_parameters_are_config_errors() -> None:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    for params, message in [({}, "parameters.script"), ({"script": "x", "config": [1]}, "object")]:
        cfg = {"vendor": "v", "name": "n", "enabled": True, "parameters": params}
        with pytest.raises(EnrichmentConfigError, match=message):
            JavascriptEnrichment(EnrichmentConfig(schema=key, data=cfg))


ROUND_TRIP = make(
    "function process(e) { e.setUser_id(e.getUser_id()); e.setSe_label(e.getUser_id() + '!'); }"
)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_text_survives_the_boundary(value: str) -> None:
    ev = event({"user_id": value})
    assert ROUND_TRIP.enrich(ev) == []
    assert ev.fields["user_id"] == value
    assert ev.fields["se_label"] == value + "!"
