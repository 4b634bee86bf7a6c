"""tp1 / tp2 / redirect adapters on hand-written requests modelled on real tracker traffic."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu import SchemaKey
from pyplow.protocol.adapters import to_raw_events
from pyplow.protocol.collector_payload import CollectorPayload
from pyplow.protocol.payload_data import default_payload_validator
from pyplow.protocol.result import AdapterResult, BadRowFamily
from pyplow.protocol.selfdescribing_params import CarriedJson, extract_contexts, extract_unstruct
from pyplow.protocol.violations import (
    CollectorPayloadInputData,
    CriterionMismatch,
    IgluError,
    InputData,
    NotIglu,
    NotJson,
)

DATA = Path(__file__).parent / "data"
TP2_PATH = "/com.snowplowanalytics.snowplow/tp2"
JSON_CT = "application/json; charset=utf-8"
CT_EXPECTATION = (
    "expected one of application/json, application/json; charset=utf-8, "
    "application/json; charset=UTF-8"
)
NUID = "c5f3a09f-75f8-4309-bec5-fea560f78455"


def _request(**kwargs: Any) -> CollectorPayload:
    defaults: dict[str, Any] = {
        "path": TP2_PATH,
        "collector": "ssc-3.4.0-kinesis",
        "hostname": "collector.example.org",
        "timestamp": 1767225600500,
        "ip_address": "198.51.100.9",
        "user_agent": "Mozilla/5.0 test",
        "headers": ("Host: collector.example.org", "Cookie: sp=" + NUID),
        "network_user_id": NUID,
    }
    return CollectorPayload(**(defaults | kwargs))


def _js_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((DATA / "js_post_3_events.json").read_text("utf-8"))
    return body


def _post(body: Any, content_type: str | None = JSON_CT, **kwargs: Any) -> AdapterResult:
    text = body if isinstance(body, str) else json.dumps(body)
    return to_raw_events(_request(body=text, content_type=content_type, **kwargs))


def _only_violations(result: AdapterResult) -> tuple[Any, ...]:
    assert result.events == ()
    assert result.family is BadRowFamily.TRACKER_PROTOCOL_VIOLATIONS
    return result.violations


# --- tp2 POST -----------------------------------------------------------------------------------


def test_js_tracker_post_with_three_events_and_cx() -> None:
    result = _post(_js_body())
    assert result.ok
    assert (result.vendor, result.version) == ("com.snowplowanalytics.snowplow", "tp2")
    assert [e.parameters["e"] for e in result.events] == ["pv", "pp", "ue"]
    first = result.events[0]
    assert first.parameters["page"] == "Basket – step 2"
    assert first.parameters["stm"] == "1767225600123"
    assert list(first.parameters)[:3] == ["e", "page", "eid"]  # body order kept
    assert first.content_type == JSON_CT
    assert (first.loader_name, first.timestamp, first.user_id) == (
        "ssc-3.4.0-kinesis",
        1767225600500,
        NUID,
    )
    contexts = extract_contexts(first.parameters)
    assert isinstance(contexts, CarriedJson)
    assert contexts.value["data"][1]["data"] == {"items": 2, "note": "Grüße ☕"}
    unstruct = extract_unstruct(result.events[2].parameters)
    assert isinstance(unstruct, CarriedJson)
    assert unstruct.value["data"]["data"] == {"plan": "pro", "seats": 3, "coupon": None}


def test_querystring_merged_into_every_event_and_wins() -> None:
    result = _post(_js_body(), querystring="cv=custom-collector&aid=override&stm=1")
    assert result.ok
    for event in result.events:
        assert event.parameters["aid"] == "override"
        assert event.parameters["cv"] == "custom-collector"
        assert event.parameters["stm"] == "1"


@pytest.mark.parametrize("ct", ["application/json", "application/json; charset=UTF-8", JSON_CT])
def test_accepted_content_types(ct: str) -> None:
    assert _post(_js_body(), content_type=ct).ok


@pytest.mark.parametrize(
    "ct", ["text/plain", "application/json;charset=utf-8", "APPLICATION/JSON", ""]
)
def test_wrong_content_type(ct: str) -> None:
    assert _only_violations(_post(_js_body(), content_type=ct)) == (
        InputData("contentType", ct, CT_EXPECTATION),
    )


def test_body_without_content_type_and_content_type_without_body() -> None:
    assert _only_violations(_post(_js_body(), content_type=None)) == (
        InputData("contentType", None, CT_EXPECTATION),
    )
    result = to_raw_events(_request(content_type=JSON_CT, querystring="e=pv&p=web&tv=t"))
    assert _only_violations(result) == (
        InputData("body", None, "empty body: not a valid track protocol event"),
    )


def test_no_body_and_no_querystring() -> None:
    for qs in (None, "", "&"):
        assert _only_violations(to_raw_events(_request(querystring=qs))) == (
            InputData("body", None, "empty body: not a valid tracker protocol event"),
            InputData("querystring", None, "empty querystring: not a valid tracker protocol event"),
        )


def test_body_not_json_or_not_self_describing() -> None:
    assert _only_violations(_post("")) == (NotJson("body", "", "invalid json: exhausted input"),)
    (not_json,) = _only_violations(_post('{"schema": '))
    assert isinstance(not_json, NotJson)
    assert not_json.field == "body"
    assert not_json.error.startswith("invalid json: ")
    assert _only_violations(_post([{"e": "pv"}])) == (
        NotIglu([{"e": "pv"}], "INVALID_DATA_PAYLOAD"),
    )
    bad_uri = {"schema": "payload_data", "data": []}
    assert _only_violations(_post(bad_uri)) == (NotIglu(bad_uri, "INVALID_IGLUURI"),)


def test_other_schema_is_a_criterion_mismatch() -> None:
    # Valid against its own schema (a contexts envelope), but not a payload_data.
    body = {
        "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "data": [{"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": {}}],
    }
    assert _only_violations(_post(body)) == (
        CriterionMismatch(
            "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-*",
        ),
    )


def _json(value: Any) -> Any:
    """A value as its JSON reads back (Structs → dicts, tuples → lists)."""
    return msgspec.json.decode(msgspec.json.encode(value))


def _reports(result: AdapterResult) -> list[dict[str, Any]]:
    (violation,) = _only_violations(result)
    assert isinstance(violation, IgluError)
    assert violation.schema_key.endswith("/payload_data/jsonschema/1-0-4")
    error = _json(violation.error)
    assert error["error"] == "ValidationError"
    reports: list[dict[str, Any]] = error["dataReports"]
    return reports


def test_non_string_and_null_values_fail_schema_validation() -> None:
    body = _js_body()
    body["data"][0]["cd"] = 24
    body["data"][2]["page"] = None
    assert _reports(_post(body)) == [
        {
            "message": "$[0].cd: integer found, string expected",
            "path": "$[0].cd",
            "keyword": "type",
            "targets": ["integer", "string"],
        },
        {
            "message": "$[2].page: null found, string expected",
            "path": "$[2].page",
            "keyword": "type",
            "targets": ["null", "string"],
        },
    ]


def test_unknown_key_and_missing_required() -> None:
    body = _js_body()
    body["data"][1]["shoe_size"] = "44"
    del body["data"][2]["tv"]
    assert _reports(_post(body)) == [
        {
            "message": "$[1].shoe_size: is not defined in the schema and the schema does not "
            "allow additional properties",
            "path": "$[1]",
            "keyword": "additionalProperties",
            "targets": ["shoe_size"],
        },
        {
            "message": "$[2].tv: is missing but it is required",
            "path": "$[2]",
            "keyword": "required",
            "targets": ["tv"],
        },
    ]


def test_keys_depend_on_payload_data_version() -> None:
    body = _js_body() | {
        "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-2"
    }
    (violation,) = _only_violations(_post(body))
    assert isinstance(violation, IgluError)
    targets = sorted({r["targets"][0] for r in _json(violation.error)["dataReports"]})
    assert targets == ["sid", "stm"]  # sid and stm arrived in 1-0-3
    missing = _js_body() | {
        "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-9"
    }
    (unresolved,) = _only_violations(_post(missing))
    assert isinstance(unresolved, IgluError)
    assert unresolved.schema_key == (
        "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-9"
    )
    error = _json(unresolved.error)
    assert error["error"] == "ResolutionError"
    assert [h["repository"] for h in error["lookupHistory"]] == ["Iglu Client Embedded"]
    assert error["lookupHistory"][0]["errors"] == [{"error": "NotFound"}]


def test_data_shape_reports() -> None:
    empty = _js_body() | {"data": []}
    assert _reports(_post(empty))[0]["keyword"] == "minItems"
    not_array = _js_body() | {"data": {"e": "pv"}}
    assert _reports(_post(not_array))[0]["message"] == "$: object found, array expected"
    not_objects = _js_body() | {"data": ["pv"]}
    assert _reports(_post(not_objects))[0]["message"] == "$[0]: string found, object expected"


def test_adapter_checks_behind_a_permissive_validator() -> None:
    """With a validator that accepts anything, Enrich's own item checks show."""
    accept_all = lambda schema, data: None  # noqa: E731
    body = _js_body()
    body["data"][0]["cd"] = 24
    body["data"][1]["page"] = None
    text = json.dumps(body)
    result = to_raw_events(_request(body=text, content_type=JSON_CT), validator=accept_all)
    assert _only_violations(result) == (
        InputData("cd", "24", "value is not a string"),
        InputData("page", None, "value cannot be null"),
    )
    for data, expectation in (([], "empty list of events"), ({"a": 1}, "json is not an array")):
        text = json.dumps(_js_body() | {"data": data})
        result = to_raw_events(_request(body=text, content_type=JSON_CT), validator=accept_all)
        assert _only_violations(result) == (
            InputData("body", json.dumps(data, separators=(",", ":")), expectation),
        )


# --- tp2 GET and tp1 ----------------------------------------------------------------------------


def test_python_tracker_get_with_padded_ue_px() -> None:
    query = (DATA / "python_get_ue_px.txt").read_text("utf-8").strip()
    assert "%3D%3D&" in query  # padding kept and percent-encoded by the tracker
    for path, family in (
        (TP2_PATH, BadRowFamily.TRACKER_PROTOCOL_VIOLATIONS),
        ("/i", BadRowFamily.ADAPTER_FAILURES),
    ):
        result = to_raw_events(_request(path=path, querystring=query))
        assert result.ok
        assert result.family is family
        (event,) = result.events
        assert event.parameters["uid"] == "user 42"
        assert event.parameters["ue_px"].endswith("==")
        unstruct = extract_unstruct(event.parameters)
        assert isinstance(unstruct, CarriedJson)
        assert unstruct.value["data"]["schema"] == "iglu:org.example/signup/jsonschema/1-0-0"
        contexts = extract_contexts(event.parameters)
        assert isinstance(contexts, CarriedJson)
        assert len(contexts.value["data"]) == 2


def test_tp1_empty_querystring_is_an_adapter_failure() -> None:
    for path in ("/i", "/ice.png", "/com.snowplowanalytics.snowplow/tp1"):
        result = to_raw_events(_request(path=path, querystring=None))
        assert result.family is BadRowFamily.ADAPTER_FAILURES
        assert (result.vendor, result.version) == ("com.snowplowanalytics.snowplow", "tp1")
        assert result.violations == (
            InputData("querystring", None, "empty querystring: not a valid URI redirect"),
        )


def test_tp1_last_duplicate_wins_and_valueless_keys_stay() -> None:
    result = to_raw_events(_request(path="/i", querystring="e=pv&aid=a&aid=b&flag"))
    (event,) = result.events
    assert event.parameters == {"e": "pv", "aid": "b", "flag": None}


def test_unknown_vendor_version() -> None:
    result = to_raw_events(_request(path="/com.acme/v9", querystring="a=1"))
    assert result.family is BadRowFamily.ADAPTER_FAILURES
    assert result.violations == (
        InputData("vendor/version", "com.acme/v9", "vendor/version combination is not supported"),
    )


# --- collector payload format violations ----------------------------------------------------------


def test_format_violations_are_collected() -> None:
    result = to_raw_events(_request(path="/a/b/c", querystring="a=b c", network_user_id="x"))
    assert result.family is BadRowFamily.COLLECTOR_PAYLOAD_FORMAT_VIOLATION
    assert (result.vendor, result.version, result.events, result.violations) == (None, None, (), ())
    assert [v.payload_field for v in result.format_violations] == [
        "path",
        "querystring",
        "networkUserId",
    ]
    qs = result.format_violations[1]
    assert qs == CollectorPayloadInputData(
        "querystring",
        "a=b c",
        "could not extract name-value pairs from querystring with encoding UTF-8: "
        "Illegal character in query at index 21: http://localhost/?a=b c",
    )


def test_network_user_id_is_canonicalised() -> None:
    result = to_raw_events(_request(path="/i", querystring="e=pv", network_user_id=NUID.upper()))
    assert result.events[0].user_id == NUID


# --- redirect -------------------------------------------------------------------------------------

REDIRECT_ENTITY = {
    "schema": "iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0",
    "data": {"uri": "https://example.org/landing?x=1"},
}
U = "u=https%3A%2F%2Fexample.org%2Flanding%3Fx%3D1"


def _redirect(query: str | None) -> AdapterResult:
    return to_raw_events(_request(path="/r/tp2", querystring=query))


def test_redirect_without_event_becomes_unstruct() -> None:
    result = _redirect(f"{U}&aid=mail&nuid={NUID}")
    assert result.family is BadRowFamily.TRACKER_PROTOCOL_VIOLATIONS
    (event,) = result.events
    params = event.parameters
    assert "u" not in params
    assert (params["e"], params["tv"], params["p"], params["aid"]) == ("ue", "r-tp2", "web", "mail")
    assert json.loads(params["ue_pr"]) == {
        "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        "data": REDIRECT_ENTITY,
    }
    assert " " not in params["ue_pr"]  # compact JSON


def test_redirect_with_event_adds_context() -> None:
    (event,) = _redirect(f"e=se&se_ca=email&p=mob&{U}").events
    assert event.parameters["p"] == "mob"
    assert json.loads(event.parameters["co"]) == {
        "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "data": [REDIRECT_ENTITY],
    }
    existing = json.dumps({"schema": "iglu:x/contexts/jsonschema/1-0-0", "data": [{"k": 1}]})
    (event,) = _redirect(f"e=pv&{U}&co={quote(existing)}").events
    assert json.loads(event.parameters["co"])["data"] == [REDIRECT_ENTITY, {"k": 1}]


def test_redirect_rewrites_cx_like_enrich() -> None:
    contexts = {
        "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "data": [
            {"schema": "iglu:org.example/campaign/jsonschema/1-0-0", "data": {"id": "spring"}}
        ],
    }
    cx = base64.urlsafe_b64encode(json.dumps(contexts).encode()).decode()
    (event,) = _redirect(f"e=pv&{U}&cx={cx.replace('=', '%3D')}").events
    rewritten = event.parameters["cx"]
    assert rewritten is not None
    assert "=" not in rewritten
    assert "\r\n" in rewritten  # Enrich's encoder breaks lines every 76 characters
    assert all(len(line) <= 76 for line in rewritten.split("\r\n"))
    decoded = extract_contexts(event.parameters)
    assert isinstance(decoded, CarriedJson)
    assert decoded.value["data"] == [REDIRECT_ENTITY, *contexts["data"]]


def test_redirect_violations() -> None:
    assert _only_violations(_redirect(None)) == (
        InputData("querystring", None, "empty querystring: not a valid URI redirect"),
    )
    assert _only_violations(_redirect("e=pv&u&x=1")) == (
        InputData(
            "querystring", "e=pv&u=null&x=1", "missing `u` parameter: not a valid URI redirect"
        ),
    )
    (not_json,) = _only_violations(_redirect(f"e=pv&{U}&co=%7Bnope"))
    assert isinstance(not_json, NotJson)
    assert (not_json.field, not_json.value) == ("co|cx", "{nope")


# --- never raises ---------------------------------------------------------------------------------

_PATHS = st.sampled_from(["/i", TP2_PATH, "/r/tp2", "/com.acme/v1", "/x", None])
_BODIES = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.builds(
        lambda data: json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                "data": data,
            }
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(["e", "p", "tv", "cx", "zz"]), inner, max_size=4)
            ),
            max_leaves=10,
        ),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    _PATHS,
    st.one_of(st.none(), st.text(max_size=40)),
    _BODIES,
    st.sampled_from([None, "application/json", "text/plain"]),
    st.one_of(st.none(), st.text(max_size=40)),
)
def test_never_raises(
    path: str | None, query: str | None, body: str | None, ct: str | None, nuid: str | None
) -> None:
    request = CollectorPayload(
        path=path, querystring=query, body=body, content_type=ct, network_user_id=nuid
    )
    result = to_raw_events(request)
    assert bool(result.events) != bool(result.violations or result.format_violations)
    msgspec.json.encode(list(result.violations))
    msgspec.json.encode(list(result.events))


def test_default_payload_validator_uses_the_embedded_registry() -> None:
    check = default_payload_validator()
    key = SchemaKey.parse("iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-0")
    assert isinstance(key, SchemaKey)
    assert check(key, [{"e": "pv", "p": "web", "tv": "t"}]) is None
    error = check(key, [{"e": "pv", "p": "web", "tv": "t", "ttm": "1"}])  # ttm came in 1-0-4
    assert msgspec.to_builtins(error)["error"] == "ValidationError"
    missing = SchemaKey.parse("iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-9")
    assert isinstance(missing, SchemaKey)
    assert msgspec.to_builtins(check(missing, []))["error"] == "ResolutionError"
