"""JSON parsing with the depth limit, self-describing JSON splitting, the carried JSON params."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu import SchemaKey, SchemaVer
from pyplow.protocol.sdj import (
    decode_json,
    json_depth_exceeds,
    split_self_describing,
)
from pyplow.protocol.selfdescribing_params import (
    CarriedJson,
    extract_contexts,
    extract_unstruct,
)
from pyplow.protocol.violations import NotIglu, NotJson

DEPTH_ERROR = "invalid json: maximum allowed JSON depth exceeded"
UE = {
    "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    "data": {"schema": "iglu:org.example/signup/jsonschema/1-0-0", "data": {"plan": None}},
}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_limit_boundary() -> None:
    assert decode_json(_nested(50), "contexts") == json.loads(_nested(50))
    assert decode_json(_nested(51), "contexts") == NotJson("contexts", _nested(51), DEPTH_ERROR)
    deep_object = '{"a":' * 51 + "1" + "}" * 51
    assert decode_json(deep_object, "unstruct") == NotJson("unstruct", deep_object, DEPTH_ERROR)
    very_deep = _nested(200_000)
    assert decode_json(very_deep, "contexts", max_depth=None) == NotJson(
        "contexts", very_deep, DEPTH_ERROR
    )
    # brackets inside strings do not count as nesting
    assert decode_json(json.dumps(["[" * 80]), "co") == ["[" * 80]


def test_json_depth_exceeds() -> None:
    assert not json_depth_exceeds(1, 0)
    assert json_depth_exceeds({}, 0)
    assert not json_depth_exceeds({"a": [1, {"b": []}]}, 4)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)


def test_invalid_json_messages() -> None:
    for text in ("", "   "):
        assert decode_json(text, "body") == NotJson("body", text, "invalid json: exhausted input")
    result = decode_json("{test:", "body")
    assert isinstance(result, NotJson)
    assert result.error.startswith("invalid json: ")
    assert result.value == "{test:"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_decode_json_never_raises(text: str) -> None:
    decode_json(text, "f")


def test_split_self_describing() -> None:
    schema = "iglu:com.acme/thing/jsonschema/1-0-2"
    key = SchemaKey("com.acme", "thing", "jsonschema", SchemaVer(1, 0, 2))
    assert split_self_describing({"schema": schema, "data": [1]}) == (key, [1])
    assert split_self_describing({"schema": schema, "data": None}) == (key, None)
    for bad in ([1], "x", {"data": 1}, {"schema": 3, "data": 1}, {"schema": schema}):
        assert split_self_describing(bad) == NotIglu(bad, "INVALID_DATA_PAYLOAD")
    wrong_uri = {"schema": "com.acme/thing/jsonschema/1-0-0", "data": 1}
    assert split_self_describing(wrong_uri) == NotIglu(wrong_uri, "INVALID_IGLUURI")
    wrong_ver = {"schema": "iglu:com.acme/thing/jsonschema/1-0-01", "data": 1}
    assert split_self_describing(wrong_ver) == NotIglu(wrong_ver, "INVALID_SCHEMAVER")
    zero_model = {"schema": "iglu:com.acme/thing/jsonschema/0-1-0", "data": 1}
    assert split_self_describing(zero_model) == NotIglu(zero_model, "INVALID_SCHEMAVER")


def test_extract_plain_and_base64() -> None:
    text = json.dumps(UE)
    padded = base64.urlsafe_b64encode(text.encode()).decode()
    assert padded.endswith("=") or len(text) % 3 == 0
    assert extract_unstruct({"ue_pr": text}) == CarriedJson(
        field="unstruct", parameter="ue_pr", text=text, value=UE
    )
    for encoded in (padded, padded.rstrip("="), base64.b64encode(text.encode()).decode()):
        carried = extract_unstruct({"ue_px": encoded})
        assert isinstance(carried, CarriedJson)
        assert (carried.parameter, carried.text, carried.value) == ("ue_px", text, UE)
    # plain wins when both are present; missing or value-less parameters mean "none"
    both = extract_contexts({"co": "[1]", "cx": base64.b64encode(b"[2]").decode()})
    assert isinstance(both, CarriedJson)
    assert both.value == [1]
    assert extract_contexts({}) is None
    assert extract_contexts({"co": None, "cx": None}) is None


def test_extract_reports_not_json_with_decoded_text() -> None:
    assert extract_contexts({"cx": ""}) == NotJson("contexts", "", "invalid json: exhausted input")
    bad = base64.b64encode(b'{"schema":').decode()
    result = extract_unstruct({"ue_px": bad})
    assert isinstance(result, NotJson)
    assert (result.field, result.value) == ("unstruct", '{"schema":')
