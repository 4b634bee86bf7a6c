"""Behaviour of the protocol envelopes, the atomic limits and the resolver configuration."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from pyplow.iglu.registry import schema_resource

SP = "com.snowplowanalytics.snowplow"


def _validator(vendor: str, name: str, version: str) -> Draft4Validator:
    resource = schema_resource(vendor, name, version)
    assert resource is not None, (vendor, name, version)
    return Draft4Validator(json.loads(resource.read_text(encoding="utf-8")))


PAYLOAD_DATA = {v: _validator(SP, "payload_data", v) for v in ("1-0-0", "1-0-3", "1-0-4")}
PD4 = PAYLOAD_DATA["1-0-4"]
KNOWN_PARAMS = sorted(PD4.schema["items"]["properties"])
CONTEXTS_100 = _validator(SP, "contexts", "1-0-0")
CONTEXTS_101 = _validator(SP, "contexts", "1-0-1")
UNSTRUCT = _validator(SP, "unstruct_event", "1-0-0")
ATOMIC = _validator(SP, "atomic", "1-0-0")
RESOLVER = {
    v: _validator("com.snowplowanalytics.iglu", "resolver-config", v) for v in ("1-0-0", "1-0-3")
}

# What the JavaScript tracker (v3) posts for a page view, trimmed to typical fields.
JS_PAGE_VIEW = {
    "e": "pv",
    "url": "https://shop.example/?utm_source=news",
    "page": "Shop",
    "refr": "https://search.example/?q=shoes",
    "eid": "8d91b889-c5bd-4a0c-bb7f-bf7865c9aa6a",
    "tv": "js-3.24.6",
    "tna": "sp",
    "aid": "shop",
    "p": "web",
    "cookie": "1",
    "cs": "UTF-8",
    "lang": "en-GB",
    "res": "1280x720",
    "cd": "24",
    "tz": "Europe/London",
    "dtm": "1714982889123",
    "vp": "1280x720",
    "ds": "1280x2429",
    "vid": "1",
    "sid": "8e956703-1420-46bc-b505-0f2f586e72f5",
    "duid": "f7364b00-2a82-467c-92c6-82bc4a778d22",
    "cx": "eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cyJ9",
    "stm": "1714982889130",
}


def _errors(validator: Draft4Validator, instance: Any) -> list[str]:
    return sorted(e.message for e in validator.iter_errors(instance))


# --- payload_data -----------------------------------------------------------------------


def test_payload_data_accepts_a_js_tracker_batch() -> None:
    second = {**JS_PAGE_VIEW, "e": "pp", "pp_mix": "0", "pp_max": "10", "pp_miy": "0"}
    assert _errors(PD4, [JS_PAGE_VIEW, second]) == []


def test_payload_data_rejects_an_unknown_key() -> None:
    errors = _errors(PD4, [{**JS_PAGE_VIEW, "colour": "red"}])
    assert errors == ["Additional properties are not allowed ('colour' was unexpected)"]


def test_payload_data_rejects_a_non_string_value() -> None:
    assert _errors(PD4, [{**JS_PAGE_VIEW, "vid": 1}]) == ["1 is not of type 'string'"]


def test_payload_data_requires_e_p_and_tv() -> None:
    for missing in ("e", "p", "tv"):
        event = {k: v for k, v in JS_PAGE_VIEW.items() if k != missing}
        assert _errors(PD4, [event]) == [f"'{missing}' is a required property"]


def test_payload_data_must_be_a_non_empty_list() -> None:
    assert not PD4.is_valid([])
    assert not PD4.is_valid(JS_PAGE_VIEW)


def test_payload_data_versions_add_parameters_one_release_at_a_time() -> None:
    event = {"e": "pv", "p": "web", "tv": "py-1.0.0"}
    assert PAYLOAD_DATA["1-0-0"].is_valid([event])
    assert not PAYLOAD_DATA["1-0-0"].is_valid([{**event, "ua": "Mozilla"}])
    assert not PAYLOAD_DATA["1-0-3"].is_valid([{**event, "ttm": "1"}])
    assert PAYLOAD_DATA["1-0-3"].is_valid([{**event, "stm": "1", "sid": "s"}])
    assert PD4.is_valid([{**event, "ttm": "1", "stm": "1", "sid": "s", "tnuid": "n", "ua": "u"}])
    assert len(KNOWN_PARAMS) == 80


_known_event = st.dictionaries(
    st.sampled_from(KNOWN_PARAMS), st.text(max_size=20), max_size=12
).map(lambda d: {**d, "e": "ue", "p": "mob", "tv": "t-1"})


@settings(max_examples=60, deadline=None)
@given(st.lists(_known_event, min_size=1, max_size=3))
def test_payload_data_accepts_any_string_map_over_known_keys(events: list[dict[str, str]]) -> None:
    assert _errors(PD4, events) == []


@settings(max_examples=60, deadline=None)
@given(
    _known_event,
    st.text(min_size=1, max_size=10).filter(lambda k: k not in KNOWN_PARAMS),
)
def test_payload_data_rejects_any_unknown_key(event: dict[str, str], key: str) -> None:
    assert not PD4.is_valid([{**event, key: "x"}])


@settings(max_examples=60, deadline=None)
@given(
    _known_event,
    st.sampled_from(KNOWN_PARAMS),
    st.one_of(
        st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.lists(st.text())
    ),
)
def test_payload_data_rejects_any_non_string_value(
    event: dict[str, str], key: str, value: Any
) -> None:
    assert not PD4.is_valid([{**event, key: value}])


# --- contexts / unstruct_event ----------------------------------------------------------

ENTITY = {"schema": f"iglu:{SP}/web_page/jsonschema/1-0-0", "data": {"id": "abc"}}


def test_contexts_envelopes() -> None:
    assert CONTEXTS_100.is_valid([ENTITY])
    assert CONTEXTS_101.is_valid([ENTITY])
    # 1-0-1 dropped the minimum of one entity.
    assert not CONTEXTS_100.is_valid([])
    assert CONTEXTS_101.is_valid([])
    assert not CONTEXTS_101.is_valid([{**ENTITY, "extra": 1}])
    assert not CONTEXTS_101.is_valid([{"schema": ENTITY["schema"]}])
    # data may be any JSON value; the schema URI must be a full iglu URI.
    assert CONTEXTS_101.is_valid([{**ENTITY, "data": None}])
    assert not CONTEXTS_101.is_valid([{**ENTITY, "schema": f"iglu:{SP}/web_page/jsonschema/1-0"}])
    assert not CONTEXTS_101.is_valid([{**ENTITY, "schema": f"{SP}/web_page/jsonschema/1-0-0"}])


def test_unstruct_event_envelope() -> None:
    event = {"schema": f"iglu:{SP}/link_click/jsonschema/1-0-1", "data": {"targetUrl": "x"}}
    assert UNSTRUCT.is_valid(event)
    assert not UNSTRUCT.is_valid([event])
    assert not UNSTRUCT.is_valid({"schema": event["schema"]})
    assert not UNSTRUCT.is_valid({**event, "schema": "iglu:com.acme/x/jsonschema/1-0-*"})


_segment = st.from_regex(r"[a-zA-Z0-9_-]{1,12}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(_segment, _segment, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_unstruct_accepts_every_well_formed_iglu_uri(
    vendor: str, name: str, model: int, revision: int, addition: int
) -> None:
    uri = f"iglu:com.{vendor}/{name}/jsonschema/{model}-{revision}-{addition}"
    assert UNSTRUCT.is_valid({"schema": uri, "data": {}})


# --- atomic -----------------------------------------------------------------------------


def test_atomic_field_limits() -> None:
    base = {"event_id": "8d91b889-c5bd-4a0c-bb7f-bf7865c9aa6a", "app_id": "a" * 255}
    assert ATOMIC.is_valid(base)
    assert _errors(ATOMIC, {**base, "app_id": "a" * 256}) == [f"'{'a' * 256}' is too long"]
    assert not ATOMIC.is_valid({**base, "event_id": "x" * 37})
    assert not ATOMIC.is_valid({**base, "unknown_column": "x"})
    assert ATOMIC.is_valid({**base, "app_id": None, "txn_id": None})
    assert not ATOMIC.is_valid({**base, "txn_id": "12"})
    assert ATOMIC.schema["properties"]["user_ipaddress"]["maxLength"] == 128
    assert ATOMIC.schema["properties"]["v_collector"]["maxLength"] == 100


# --- resolver-config --------------------------------------------------------------------

TYPICAL_RESOLVER: dict[str, Any] = {
    "cacheSize": 500,
    "cacheTtl": 600,
    "repositories": [
        {
            "name": "Iglu Central",
            "priority": 0,
            "vendorPrefixes": ["com.snowplowanalytics"],
            "connection": {"http": {"uri": "http://iglucentral.com"}},
        },
        {
            "name": "Private registry",
            "priority": 1,
            "vendorPrefixes": [],
            "connection": {"http": {"uri": "https://iglu.acme.example/api", "apikey": "k-123"}},
        },
        {
            "name": "Bundled",
            "priority": 2,
            "vendorPrefixes": ["com.acme"],
            "connection": {"embedded": {"path": "/iglu-schemas"}},
        },
    ],
}


def test_resolver_config_1_0_3_accepts_a_typical_file() -> None:
    assert _errors(RESOLVER["1-0-3"], TYPICAL_RESOLVER) == []
    assert RESOLVER["1-0-3"].is_valid({**TYPICAL_RESOLVER, "cacheTtl": None})


def test_resolver_config_1_0_3_rejections() -> None:
    validator = RESOLVER["1-0-3"]
    repo = TYPICAL_RESOLVER["repositories"][0]
    assert not validator.is_valid({"cacheSize": 500})
    assert not validator.is_valid({**TYPICAL_RESOLVER, "cacheTtl": -1})
    assert not validator.is_valid({**TYPICAL_RESOLVER, "cacheTtl": 1.5})
    both = {"http": {"uri": "http://x"}, "embedded": {"path": "/p"}}
    assert not validator.is_valid(
        {**TYPICAL_RESOLVER, "repositories": [{**repo, "connection": both}]}
    )
    no_prefixes = {k: v for k, v in repo.items() if k != "vendorPrefixes"}
    assert not validator.is_valid({**TYPICAL_RESOLVER, "repositories": [no_prefixes]})


def test_resolver_config_1_0_0_predates_cache_ttl() -> None:
    plain = {k: v for k, v in TYPICAL_RESOLVER.items() if k != "cacheTtl"}
    no_apikey = {
        **plain,
        "repositories": [r for r in plain["repositories"] if r["name"] != "Private registry"],
    }
    assert RESOLVER["1-0-0"].is_valid(no_apikey)
    assert not RESOLVER["1-0-0"].is_valid({**no_apikey, "cacheTtl": 600})
