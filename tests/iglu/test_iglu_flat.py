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


@pytest.mark.parametrize(
    "schema",
    [
        {**RECORD, "additionalProperties": True},
        {k: v for k, v in RECORD.items() if k != "additionalProperties"},
        {**RECORD, "properties": {**RECORD["properties"], "n": {"type": "integer"}}},
        {**RECORD, "properties": {"e": {"type": "string", "pattern": "^a"}}, "required": []},
        {**RECORD, "properties": {"e": {"type": "string", "maxLength": -1}}, "required": []},
        {**RECORD, "properties": {"e": {}}, "required": []},
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
