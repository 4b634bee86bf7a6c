"""The fast check for flat string records agrees with the complete draft-4 validator."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu import SchemaKey, Validated, Validator, builtin_repository
from pyplow.iglu.flat import flat_records_validator

RECORD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "e": {"type": "string"},
        "p": {"type": "string", "maxLength": 3},
        "tv": {"type": "string", "minLength": 2, "description": "tracker version"},
        "url": {"type": "string"},
    },
    "required": ["e", "p", "tv"],
    "additionalProperties": False,
}
ARRAY: dict[str, Any] = {
    "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
    "self": {"vendor": "com.acme", "name": "batch", "format": "jsonschema", "version": "1-0-0"},
    "type": "array",
    "minItems": 1,
    "maxItems": 3,
    "items": RECORD,
}


ENVELOPE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schema": {
            "type": "string",
            "pattern": "^iglu:[a-z.]+/[a-z_]+/jsonschema/[0-9]+-[0-9]+-[0-9]+$",
        },
        "data": {},
        "note": {"description": "any value"},
    },
    "required": ["schema", "data"],
    "additionalProperties": False,
}


def _proves_valid(schema: dict[str, Any], data: Any) -> bool:
    check = flat_records_validator(schema)
    assert check is not None
    try:
        check(data)
    except ValueError:
        return False
    return True


def _is_valid(schema: dict[str, Any], data: Any) -> bool:
    return jsonschema.Draft4Validator(schema).is_valid(data)


_values = st.one_of(
    st.text(max_size=5), st.integers(), st.none(), st.booleans(), st.lists(st.text(), max_size=1)
)
_records = st.one_of(
    st.dictionaries(st.sampled_from(["e", "p", "tv", "url", "x"]), _values, max_size=5),
    st.fixed_dictionaries(
        {"e": st.text(max_size=3), "p": st.text(max_size=4), "tv": st.text(max_size=4)}
    ),
    st.text(max_size=2),
    st.integers(),
)


@settings(max_examples=400)
@given(st.one_of(st.lists(_records, max_size=4), _records))
def test_proves_valid_exactly_what_draft4_accepts(data: Any) -> None:
    for schema in (ARRAY, RECORD):
        assert _proves_valid(schema, data) == _is_valid(schema, data), (schema["type"], data)


_envelopes = st.dictionaries(
    st.sampled_from(["schema", "data", "note", "other"]),
    st.one_of(
        st.sampled_from(
            [
                "iglu:com.acme/click/jsonschema/1-0-0",
                "iglu:com.acme/click/jsonschema/1-0",
                "xiglu:com.acme/click/jsonschema/1-0-0",
                "iglu:com.acme/click/jsonschema/1-0-0\n",
            ]
        ),
        _values,
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    ),
    max_size=4,
)


@settings(max_examples=400)
@given(st.one_of(_envelopes, st.lists(_envelopes, max_size=3)))
def test_envelopes_with_patterns_and_any_values(data: Any) -> None:
    array = {"type": "array", "items": ENVELOPE}
    for schema in (ENVELOPE, array):
        assert _proves_valid(schema, data) == _is_valid(schema, data), data
    # the pattern memo answers the same the second time
    for schema in (ENVELOPE, array):
        assert _proves_valid(schema, data) == _is_valid(schema, data), data


@pytest.mark.parametrize(
    "schema",
    [
        {**RECORD, "additionalProperties": True},
        {k: v for k, v in RECORD.items() if k != "additionalProperties"},
        {**RECORD, "properties": {**RECORD["properties"], "n": {"type": "integer"}}},
        {**RECORD, "properties": {"e": {"type": "string", "pattern": "(unclosed"}}, "required": []},
        {**RECORD, "properties": {"e": {"type": "string", "format": "uuid"}}, "required": []},
        {**RECORD, "properties": {"e": {"enum": ["a"]}}, "required": []},
        {**RECORD, "properties": {"e": {"type": "string", "maxLength": -1}}, "required": []},
        {**RECORD, "properties": {"e": {"type": "object"}}, "required": []},
        {**RECORD, "required": ["e", "zz"]},
        {**RECORD, "minProperties": 1},
        {**ARRAY, "uniqueItems": True},
        {**ARRAY, "items": [RECORD]},
        {**ARRAY, "minItems": "1"},
        {"type": "string"},
        {"anyOf": [RECORD]},
    ],
)
def test_other_schemas_are_left_to_the_general_validator(schema: dict[str, Any]) -> None:
    assert flat_records_validator(schema) is None


@pytest.mark.parametrize(
    "uri",
    [
        "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
        "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    ],
)
def test_the_embedded_envelopes_take_the_fast_check(uri: str) -> None:
    key = SchemaKey.parse(uri)
    assert isinstance(key, SchemaKey)
    schema = builtin_repository().lookup(key)
    assert schema is not None
    check = flat_records_validator(schema)
    assert check is not None
    entity = {"schema": "iglu:com.acme/click/jsonschema/1-0-0", "data": {"x": [1]}}
    check([entity] if schema["type"] == "array" else entity)
    with pytest.raises(ValueError, match="not proven valid"):
        check(
            [{**entity, "schema": "iglu:com.acme/click/1-0-0"}]
            if schema["type"] == "array"
            else {**entity, "schema": "nope"}
        )


def test_the_embedded_payload_data_schemas_take_the_fast_check() -> None:
    validator = Validator()
    repository = builtin_repository()
    for version in ("1-0-0", "1-0-4"):
        key = SchemaKey.parse(
            f"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/{version}"
        )
        assert isinstance(key, SchemaKey)
        schema = repository.lookup(key)
        assert schema is not None
        assert flat_records_validator(schema) is not None, version
        good = [{"e": "pv", "p": "web", "tv": "js-4.6.8", "url": "https://a.test/"}]
        assert isinstance(validator.validate_against(key, schema, good), Validated)
        bad = [{"e": "pv", "p": "web", "tv": "js-4.6.8", "nope": "x"}]
        result = validator.validate_against(key, schema, bad)
        assert not isinstance(result, Validated)
        assert "nope" in str(result)
