"""Violation messages encode to exactly Snowplow's bad-row message JSON."""

from __future__ import annotations

import msgspec

from pyplow.protocol.violations import (
    CollectorPayloadInputData,
    CriterionMismatch,
    IgluError,
    InputData,
    NotIglu,
    NotJson,
    SchemaMapping,
    encode_messages,
    to_builtins,
)


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def test_input_data_keeps_null() -> None:
    message = InputData("querystring", None, "empty querystring: not a valid URI redirect")
    assert _json(message) == (
        '{"field":"querystring","value":null,'
        '"expectation":"empty querystring: not a valid URI redirect"}'
    )


def test_not_json_and_not_iglu() -> None:
    assert _json(NotJson("body", "{", "invalid json: exhausted input")) == (
        '{"field":"body","value":"{","error":"invalid json: exhausted input"}'
    )
    assert _json(NotIglu({"schema": 1, "data": [True]}, "INVALID_DATA_PAYLOAD")) == (
        '{"json":{"schema":1,"data":[true]},"error":"INVALID_DATA_PAYLOAD"}'
    )


def test_camel_case_keys_in_snowplow_order() -> None:
    assert _json(CriterionMismatch("iglu:a/b/jsonschema/2-0-0", "iglu:a/b/jsonschema/1-0-*")) == (
        '{"schemaKey":"iglu:a/b/jsonschema/2-0-0","schemaCriterion":"iglu:a/b/jsonschema/1-0-*"}'
    )
    mapping = SchemaMapping(None, {"open": "iglu:v/open/jsonschema/1-0-0"}, "no type")
    assert _json(mapping) == (
        '{"actual":null,"expectedMapping":{"open":"iglu:v/open/jsonschema/1-0-0"},'
        '"expectation":"no type"}'
    )
    assert _json(CollectorPayloadInputData("path", "/x", "bad path")) == (
        '{"payloadField":"path","value":"/x","expectation":"bad path"}'
    )


def test_iglu_error_carries_any_json() -> None:
    error = {
        "error": "ValidationError",
        "dataReports": [{"message": "m", "path": "$", "keyword": "type", "targets": ["array"]}],
    }
    message = IgluError("iglu:a/b/jsonschema/1-0-0", error)
    assert msgspec.json.decode(_json(message)) == {
        "schemaKey": "iglu:a/b/jsonschema/1-0-0",
        "error": error,
    }
    raw = IgluError("iglu:a/b/jsonschema/1-0-0", msgspec.Raw(b'{"error":"ResolutionError"}'))
    assert (
        _json(raw)
        == '{"schemaKey":"iglu:a/b/jsonschema/1-0-0","error":{"error":"ResolutionError"}}'
    )


def test_message_lists_and_builtins() -> None:
    messages = [InputData("contentType", "text/plain", "x"), NotJson("body", None, "y")]
    assert encode_messages(messages) == (
        b'[{"field":"contentType","value":"text/plain","expectation":"x"},'
        b'{"field":"body","value":null,"error":"y"}]'
    )
    assert list(to_builtins(messages[0])) == ["field", "value", "expectation"]
