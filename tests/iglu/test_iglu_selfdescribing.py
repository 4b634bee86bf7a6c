"""Self-describing data and schemas: parsing into keys, NotIglu-style errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu.key import IgluParseError, ParseErrorCode, SchemaKey, SchemaVer
from pyplow.iglu.selfdescribing import SelfDescribingData, SelfDescribingSchema, superseded_by

META = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
URI = "iglu:com.acme/item/jsonschema/1-0-0"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def test_parse_data() -> None:
    sdd = SelfDescribingData.parse({"schema": URI, "data": {"sku": "a"}})
    assert isinstance(sdd, SelfDescribingData)
    assert sdd.schema == SchemaKey("com.acme", "item", "jsonschema", SchemaVer(1, 0, 0))
    assert sdd.data == {"sku": "a"}
    assert sdd.to_json() == {"schema": URI, "data": {"sku": "a"}}


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ([1, 2], ParseErrorCode.INVALID_DATA_PAYLOAD, "got array"),
        ({"data": 1}, ParseErrorCode.INVALID_DATA_PAYLOAD, "no 'schema' key"),
        ({"schema": 5, "data": 1}, ParseErrorCode.INVALID_DATA_PAYLOAD, "got number 5"),
        ({"schema": "nope", "data": 1}, ParseErrorCode.INVALID_IGLUURI, "'nope'"),
        ({"schema": "iglu:a/b/c/1-0", "data": 1}, ParseErrorCode.INVALID_SCHEMAVER, "'1-0'"),
        ({"schema": URI}, ParseErrorCode.INVALID_DATA_PAYLOAD, "no 'data' key"),
    ],
)
def test_parse_data_errors(value: Any, code: ParseErrorCode, fragment: str) -> None:
    err = SelfDescribingData.parse(value)
    assert isinstance(err, IgluParseError)
    assert err.code is code
    assert fragment in err.message


def test_null_data_is_data() -> None:
    sdd = SelfDescribingData.parse({"schema": URI, "data": None})
    assert isinstance(sdd, SelfDescribingData)
    assert sdd.data is None


@given(json_values)
@settings(max_examples=150)
def test_parse_never_raises(value: Any) -> None:
    assert isinstance(SelfDescribingData.parse(value), SelfDescribingData | IgluParseError)
    assert isinstance(SelfDescribingSchema.parse(value), SelfDescribingSchema | IgluParseError)


@given(json_values)
@settings(max_examples=100)
def test_to_json_round_trip(data: Any) -> None:
    sdd = SelfDescribingData.parse({"schema": URI, "data": data})
    assert isinstance(sdd, SelfDescribingData)
    assert SelfDescribingData.parse(sdd.to_json()) == sdd


def test_parse_schema(make_schema: Callable[..., dict[str, Any]]) -> None:
    schema = make_schema("com.acme", "item", "1-0-2", type="object")
    parsed = SelfDescribingSchema.parse(schema, check_metaschema=True)
    assert isinstance(parsed, SelfDescribingSchema)
    assert parsed.key.to_uri() == "iglu:com.acme/item/jsonschema/1-0-2"
    assert parsed.schema is schema
    assert parsed.superseded_by() is None


def test_parse_schema_errors(make_schema: Callable[..., dict[str, Any]]) -> None:
    no_self = SelfDescribingSchema.parse({"$schema": META, "type": "object"})
    assert isinstance(no_self, IgluParseError)
    assert no_self.code is ParseErrorCode.INVALID_SCHEMA
    bad_meta = SelfDescribingSchema.parse(
        {**make_schema("a", "b", "1-0-0"), "$schema": "http://json-schema.org/draft-04/schema#"},
        check_metaschema=True,
    )
    assert isinstance(bad_meta, IgluParseError)
    assert bad_meta.code is ParseErrorCode.INVALID_METASCHEMA
    bad_ver = SelfDescribingSchema.parse(make_schema("a", "b", "1-0"))
    assert isinstance(bad_ver, IgluParseError)
    assert bad_ver.code is ParseErrorCode.INVALID_SCHEMAVER
    missing = SelfDescribingSchema.parse({"self": {"vendor": "a", "name": "b", "version": "1-0-0"}})
    assert isinstance(missing, IgluParseError)
    assert "self.format" in missing.message
    bad_vendor = SelfDescribingSchema.parse(make_schema("a b", "b", "1-0-0"))
    assert isinstance(bad_vendor, IgluParseError)
    assert bad_vendor.code is ParseErrorCode.INVALID_SCHEMA


def test_superseded_by() -> None:
    assert superseded_by({"$supersededBy": "1-0-3"}) == SchemaVer(1, 0, 3)
    assert superseded_by({}) is None
    err = superseded_by({"$supersededBy": 3})
    assert isinstance(err, IgluParseError)
    assert err.code is ParseErrorCode.INVALID_SCHEMAVER
