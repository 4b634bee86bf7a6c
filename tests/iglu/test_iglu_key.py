"""SchemaVer, SchemaKey and SchemaCriterion parsing, printing and matching."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu.key import IgluParseError, ParseErrorCode, SchemaCriterion, SchemaKey, SchemaVer

names = st.from_regex(r"[a-zA-Z0-9_\-]{1,12}", fullmatch=True)
vendors = st.from_regex(r"[a-zA-Z0-9_.\-]{1,20}", fullmatch=True)
versions = st.builds(
    SchemaVer,
    st.integers(1, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
keys = st.builds(SchemaKey, vendors, names, names, versions)


def test_schemaver_parses_and_prints() -> None:
    ver = SchemaVer.parse("1-0-12")
    assert ver == SchemaVer(1, 0, 12)
    assert str(ver) == "1-0-12"


@pytest.mark.parametrize(
    "text", ["0-1-0", "01-0-0", "1-00-0", "1-0", "1-0-0-0", "1.0.0", "", "a-b-c"]
)
def test_schemaver_rejects(text: str) -> None:
    err = SchemaVer.parse(text)
    assert isinstance(err, IgluParseError)
    assert err.code is ParseErrorCode.INVALID_SCHEMAVER
    assert repr(text) in err.message


def test_schemaver_orders_by_model_revision_addition() -> None:
    order = ["1-0-0", "1-0-1", "1-0-10", "1-1-0", "2-0-0", "10-0-0"]
    parsed = [SchemaVer.parse(t) for t in reversed(order)]
    assert [str(v) for v in sorted(parsed)] == order  # type: ignore[type-var]


def test_schemakey_parse_and_forms() -> None:
    key = SchemaKey.parse("iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1")
    assert key == SchemaKey(
        "com.snowplowanalytics.snowplow", "link_click", "jsonschema", SchemaVer(1, 0, 1)
    )
    assert isinstance(key, SchemaKey)
    assert key.to_path() == "com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
    assert key.to_uri() == "iglu:" + key.to_path()
    assert SchemaKey.from_path(key.to_path()) == key


@pytest.mark.parametrize(
    ("uri", "code", "fragment"),
    [
        ("com.acme/x/jsonschema/1-0-0", ParseErrorCode.INVALID_IGLUURI, "does not start with"),
        ("iglu:com.acme/x/1-0-0", ParseErrorCode.INVALID_IGLUURI, "3 '/'-separated parts"),
        ("iglu:com acme/x/jsonschema/1-0-0", ParseErrorCode.INVALID_IGLUURI, "vendor 'com acme'"),
        ("iglu:com.acme/x.y/jsonschema/1-0-0", ParseErrorCode.INVALID_IGLUURI, "name 'x.y'"),
        ("iglu:com.acme//jsonschema/1-0-0", ParseErrorCode.INVALID_IGLUURI, "name ''"),
        ("iglu:com.acme/x/jsonschema/1-0", ParseErrorCode.INVALID_SCHEMAVER, "'1-0'"),
        ("iglu:com.acme/x/jsonschema/0-0-1", ParseErrorCode.INVALID_SCHEMAVER, "'0-0-1'"),
    ],
)
def test_schemakey_errors_name_the_value(uri: str, code: ParseErrorCode, fragment: str) -> None:
    err = SchemaKey.parse(uri)
    assert isinstance(err, IgluParseError)
    assert err.code is code
    assert fragment in err.message
    assert str(err).startswith(code.value + ": ")


def test_schemakey_non_string() -> None:
    err = SchemaKey.parse(42)  # type: ignore[arg-type]
    assert isinstance(err, IgluParseError)
    assert err.code is ParseErrorCode.INVALID_IGLUURI
    assert "int" in err.message


def test_vendor_may_be_digits_like_real_bad_rows() -> None:
    key = SchemaKey.parse("iglu:0/video_impression/jsonschema/1-0-0")
    assert isinstance(key, SchemaKey)
    assert key.vendor == "0"


@given(keys)
@settings(max_examples=150)
def test_uri_round_trip(key: SchemaKey) -> None:
    assert SchemaKey.parse(key.to_uri()) == key
    assert SchemaKey.from_path(key.to_path()) == key


@given(st.text(max_size=60))
@settings(max_examples=200)
def test_parse_never_raises(text: str) -> None:
    for result in (
        SchemaKey.parse(text),
        SchemaKey.parse("iglu:" + text),
        SchemaVer.parse(text),
        SchemaCriterion.parse(text),
    ):
        assert isinstance(result, SchemaKey | SchemaVer | SchemaCriterion | IgluParseError)


def test_criterion_parse_and_match() -> None:
    crit = SchemaCriterion.parse("iglu:com.acme/item/jsonschema/1-*-*")
    assert isinstance(crit, SchemaCriterion)
    assert crit.to_uri() == "iglu:com.acme/item/jsonschema/1-*-*"
    match = SchemaKey.parse("iglu:com.acme/item/jsonschema/1-3-2")
    other_model = SchemaKey.parse("iglu:com.acme/item/jsonschema/2-0-0")
    other_name = SchemaKey.parse("iglu:com.acme/items/jsonschema/1-0-0")
    assert isinstance(match, SchemaKey)
    assert isinstance(other_model, SchemaKey)
    assert isinstance(other_name, SchemaKey)
    assert crit.matches(match)
    assert not crit.matches(other_model)
    assert not crit.matches(other_name)
    exact_rev = SchemaCriterion.parse("iglu:com.acme/item/jsonschema/1-3-*")
    assert isinstance(exact_rev, SchemaCriterion)
    assert exact_rev.matches(match)
    assert not exact_rev.matches(match.with_version(SchemaVer(1, 2, 2)))


def test_criterion_rejects_bad_version() -> None:
    err = SchemaCriterion.parse("iglu:com.acme/item/jsonschema/1-x-*")
    assert isinstance(err, IgluParseError)
    assert err.code is ParseErrorCode.INVALID_SCHEMAVER
    assert "'1-x-*'" in err.message


@given(keys)
@settings(max_examples=100)
def test_criterion_with_stars_matches_its_key(key: SchemaKey) -> None:
    ver = key.version
    for pattern in (f"{ver.model}-*-*", f"{ver.model}-{ver.revision}-*", str(ver)):
        crit = SchemaCriterion.parse(f"iglu:{key.vendor}/{key.name}/{key.format}/{pattern}")
        assert isinstance(crit, SchemaCriterion)
        assert crit.matches(key)
        assert crit.to_uri().endswith(pattern)
