"""Validation: Snowplow-shaped reports, schema issues, superseding, fast/complete agreement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu.formats import FORMAT_CHECKERS
from pyplow.iglu.key import SchemaKey, SchemaVer
from pyplow.iglu.reports import DataReport, ValidationError, json_path
from pyplow.iglu.repositories import DirectoryRepository
from pyplow.iglu.resolver import ResolutionError, Resolver
from pyplow.iglu.selfdescribing import SelfDescribingData
from pyplow.iglu.validation import Validated, Validator, _Compiled

KEY = SchemaKey("com.acme", "item", "jsonschema", SchemaVer(1, 0, 0))
ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "formId": {"type": "string", "maxLength": 4},
        "n": {"type": ["integer", "null"], "maximum": 10},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"price": {"type": "number"}}},
        },
        "kind": {"enum": ["a", "b"]},
        "at": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "format": "email"},
    },
    "required": ["formId"],
    "additionalProperties": False,
}


def encode(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


def test_valid_data() -> None:
    result = Validator().validate_against(KEY, ITEM_SCHEMA, {"formId": "ab", "n": None})
    assert result == Validated(KEY, KEY, None)


def test_max_length_matches_a_real_snowplow_bad_row() -> None:
    result = Validator().validate_against(KEY, ITEM_SCHEMA, {"formId": "abcdef"})
    assert msgspec.json.encode(result) == (
        b'{"error":"ValidationError","dataReports":[{"message":"$.formId: may only be 4 '
        b'characters long","path":"$.formId","keyword":"maxLength","targets":["4"]}]}'
    )


def test_every_error_is_reported() -> None:
    data = {
        "n": "x",
        "items": [{"price": 1}, {"price": "1"}],
        "kind": "c",
        "at": "2020-01-01",
        "extra": 1,
        "more": 2,
    }
    result = Validator().validate_against(KEY, ITEM_SCHEMA, data)
    assert isinstance(result, ValidationError)
    reports = {(r.keyword, r.path, r.targets) for r in result.data_reports}
    assert reports == {
        ("type", "$.n", ("string", "[integer, null]")),
        ("type", "$.items[1].price", ("string", "number")),
        ("enum", "$.kind", ("[a, b]",)),
        ("format", "$.at", ("2020-01-01", "date-time")),
        ("required", "$", ("formId",)),
        ("additionalProperties", "$", ("extra",)),
        ("additionalProperties", "$", ("more",)),
    }
    messages = {r.message for r in result.data_reports}
    assert "$.formId: is missing but it is required" in messages
    assert "$.items[1].price: string found, number expected" in messages
    assert "$.kind: does not have a value in the enumeration [a, b]" in messages
    assert "supersededBy" not in encode(result)


@pytest.mark.parametrize(
    ("schema", "data", "keyword", "targets", "message"),
    [
        ({"minimum": 0}, -1, "minimum", ("0",), "$: must have a minimum value of 0"),
        (
            {"maximum": 3, "exclusiveMaximum": True},
            3,
            "maximum",
            ("3",),
            "$: must have an exclusive maximum value of 3",
        ),
        ({"minLength": 2}, "a", "minLength", ("2",), "$: must be at least 2 characters long"),
        (
            {"pattern": "^a+$"},
            "b",
            "pattern",
            ("^a+$",),
            "$: does not match the regex pattern ^a+$",
        ),
        (
            {"maxItems": 1},
            [1, 2],
            "maxItems",
            ("1",),
            "$: there must be a maximum of 1 items in the array",
        ),
        (
            {"minItems": 2},
            [1],
            "minItems",
            ("2",),
            "$: there must be a minimum of 2 items in the array",
        ),
        (
            {"uniqueItems": True},
            [1, 1],
            "uniqueItems",
            (),
            "$: the items in the array must be unique",
        ),
        ({"multipleOf": 3}, 4, "multipleOf", ("3",), "$: must be multiple of 3"),
        (
            {"maxProperties": 0},
            {"a": 1},
            "maxProperties",
            ("0",),
            "$: may only have a maximum of 0 properties",
        ),
        (
            {"type": "integer"},
            1.0,
            "type",
            ("number", "integer"),
            "$: number found, integer expected",
        ),
        (
            {"type": "number"},
            True,
            "type",
            ("boolean", "number"),
            "$: boolean found, number expected",
        ),
    ],
)
def test_keyword_reports(
    schema: dict[str, Any], data: Any, keyword: str, targets: tuple[str, ...], message: str
) -> None:
    result = Validator().validate_against(KEY, schema, data)
    assert isinstance(result, ValidationError)
    assert result.data_reports == (
        DataReport(message=message, path="$", keyword=keyword, targets=targets),
    )


def test_invalid_schema_gives_schema_issues() -> None:
    result = Validator().validate_against(
        KEY, {"type": "object", "properties": {"a": {"type": 5}}}, {}
    )
    assert isinstance(result, ValidationError)
    assert result.data_reports == ()
    assert [i.path for i in result.schema_issues] == ["$.properties.a.type"]
    encoded = encode(result)
    assert list(encoded) == ["error", "schemaIssues"]
    assert encoded["schemaIssues"][0]["message"].startswith("$.properties.a.type: ")


def test_remote_refs_are_not_fetched() -> None:
    schema = {"properties": {"a": {"$ref": "http://example.test/other#"}}}
    result = Validator().validate_against(KEY, schema, {"a": 1})
    assert isinstance(result, ValidationError)
    assert "not fetched" in result.schema_issues[0].message


def test_draft4_metaschema_ref_and_local_refs_work() -> None:
    schema = {
        "definitions": {"s": {"type": "string"}},
        "properties": {
            "meta": {"$ref": "http://json-schema.org/draft-04/schema#"},
            "s": {"$ref": "#/definitions/s"},
        },
    }
    v = Validator()
    assert isinstance(
        v.validate_against(KEY, schema, {"meta": {"type": "string"}, "s": "x"}), Validated
    )
    bad = v.validate_against(KEY, schema, {"s": 1})
    assert isinstance(bad, ValidationError)
    assert bad.data_reports[0].path == "$.s"


def test_schema_fastjsonschema_refuses_still_validates() -> None:
    # a required property that additionalProperties forbids: legal draft 4, unsatisfiable
    schema = {"properties": {}, "required": ["zz"], "additionalProperties": False}
    result = Validator().validate_against(KEY, schema, {"zz": 1})
    assert isinstance(result, ValidationError)
    assert [r.keyword for r in result.data_reports] == ["additionalProperties"]


def test_defaults_are_never_written_into_data() -> None:
    data: dict[str, Any] = {}
    schema = {"properties": {"a": {"default": 1}}}
    assert isinstance(Validator().validate_against(KEY, schema, data), Validated)
    assert data == {}


def test_validate_with_resolver_and_superseding(acme_registry: Path) -> None:
    resolver = Resolver([DirectoryRepository(acme_registry, name="acme")])
    v = Validator(resolver)
    item = SelfDescribingData.parse(
        {"schema": "iglu:com.acme/item/jsonschema/1-0-0", "data": {"sku": "a"}}
    )
    assert isinstance(item, SelfDescribingData)
    assert isinstance(v.validate(item), Validated)
    old_key = SchemaKey("com.acme", "old", "jsonschema", SchemaVer(1, 0, 0))
    ok = v.validate_data(old_key, {"n": 1})
    assert ok == Validated(old_key, old_key.with_version(SchemaVer(1, 0, 1)), SchemaVer(1, 0, 1))
    bad = v.validate_data(old_key, {"n": "x"})
    assert isinstance(bad, ValidationError)
    assert encode(bad)["supersededBy"] == "1-0-1"
    assert list(encode(bad)) == ["error", "dataReports", "supersededBy"]
    missing = v.validate_data(old_key.with_version(SchemaVer(1, 0, 7)), {})
    assert isinstance(missing, ResolutionError)


def test_compiled_once_per_key(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = _Compiled.__init__

    def counting(self: _Compiled, schema: dict[str, Any]) -> None:
        built.append(1)
        original(self, schema)

    monkeypatch.setattr(_Compiled, "__init__", counting)
    v = Validator()
    for data in ({"formId": "a"}, {"formId": "abcdefg"}, {}):
        v.validate_against(KEY, ITEM_SCHEMA, data)
    assert len(built) == 1
    v.validate_against(KEY, {"type": "string"}, "x")  # a changed schema recompiles
    assert len(built) == 2


def test_json_path() -> None:
    assert json_path(["items", 0, "price"]) == "$.items[0].price"
    assert json_path([]) == "$"
    assert json_path(["a b", "it's"]) == "$['a b']['it\\'s']"


def test_atomic_field_reports_share_the_struct() -> None:
    report = DataReport(
        message="Field tr_tt: cannot convert 'x' to Double",
        path="tr_tt",
        keyword="atomic_field_parse_error",
    )
    err = ValidationError(data_reports=(report,))
    assert encode(err) == {
        "error": "ValidationError",
        "dataReports": [
            {
                "message": "Field tr_tt: cannot convert 'x' to Double",
                "path": "tr_tt",
                "keyword": "atomic_field_parse_error",
                "targets": [],
            }
        ],
    }


# --- fast path (fastjsonschema) and complete validator (Draft4Validator) must agree ---------

HAND_BUILT: list[dict[str, Any]] = [
    ITEM_SCHEMA,
    {"type": ["string", "null"], "maxLength": 3, "pattern": "^[a-c]*$"},
    {
        "type": "array",
        "items": {"type": "integer", "minimum": -2, "maximum": 5},
        "uniqueItems": True,
    },
    {"enum": [1, "1", None, True, [1], {"a": 1}]},
    {"anyOf": [{"type": "string", "minLength": 2}, {"type": "number", "multipleOf": 0.5}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
    {"not": {"type": "object"}},
    {
        "type": "object",
        "properties": {"a": {"type": "boolean"}},
        "patternProperties": {"^x": {"type": "string"}},
        "additionalProperties": {"type": "number"},
        "dependencies": {"a": ["b"]},
        "minProperties": 1,
    },
    {"type": "array", "items": [{"type": "string"}], "additionalItems": False, "maxItems": 3},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "uuid"},
    {"type": "string", "format": "ipv4"},
    {"type": "string", "format": "uri"},
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10)
    | st.floats(-5, 10, allow_nan=False)
    | st.sampled_from(["", "a", "ab", "abc", "abcd", "x1", "1", "2020-01-01T00:00:00Z", "1.2.3.4"])
    | st.sampled_from(["http://a", "12345678-1234-1234-1234-123456789abc", "2020-13-01T00:00:00Z"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["a", "b", "x", "xy", "formId", "n", "kind"]), inner, max_size=4
        )
    ),
    max_leaves=10,
)


def _fast_verdict(schema: dict[str, Any], data: Any) -> bool:
    compiled = _Compiled(schema)
    assert compiled.fast is not None
    try:
        compiled.fast(data)
    except Exception:
        return False
    return True


_FORMATS = jsonschema.FormatChecker(formats=())
for _n, _f in FORMAT_CHECKERS.items():
    _FORMATS.checks(_n)(_f)


@given(st.sampled_from(range(len(HAND_BUILT))), json_values)
@settings(max_examples=400, deadline=None)
def test_fast_and_complete_agree(index: int, data: Any) -> None:
    schema = HAND_BUILT[index]
    reference = jsonschema.Draft4Validator(schema, format_checker=_FORMATS).is_valid(data)
    assert _fast_verdict(schema, data) == reference
    result = Validator().validate_against(KEY, schema, data)
    assert isinstance(result, Validated) == reference
    if not reference:
        assert isinstance(result, ValidationError)
        assert result.data_reports


@given(json_values, json_values)
@settings(max_examples=150, deadline=None)
def test_validation_never_raises(schema: Any, data: Any) -> None:
    if not isinstance(schema, dict):
        schema = {"items": schema}
    result = Validator().validate_against(KEY, schema, data)
    assert isinstance(result, Validated | ValidationError)


def test_validator_without_resolver_is_a_programmer_error() -> None:
    with pytest.raises(RuntimeError, match="no resolver"):
        Validator().validate_data(KEY, {})


def test_formats() -> None:
    checks: dict[str, Callable[[Any], bool]] = FORMAT_CHECKERS
    assert checks["date-time"]("2024-02-29T23:59:60.123+01:00")
    assert not checks["date-time"]("2023-02-29T00:00:00Z")
    assert not checks["date-time"]("2024-01-01 00:00:00Z")
    assert checks["date"]("2024-02-29")
    assert not checks["date"]("2024-2-29")
    assert checks["ipv4"]("10.0.0.1")
    assert not checks["ipv4"]("10.0.0.256")
    assert checks["ipv6"]("::1")
    assert not checks["ipv6"]("1.2.3.4")
    assert checks["uri"]("https://x.test/a?b")
    assert not checks["uri"]("/relative")
    assert checks["email"]("a@b.c")
    assert not checks["email"]("a b@c")
    assert checks["hostname"]("a-b.example")
    assert not checks["hostname"]("-a.example")
    assert checks["uuid"]("123e4567-e89b-12d3-a456-426614174000")
    assert not checks["uuid"]("123")
    assert all(check(5) for check in checks.values())  # non-strings are not judged
