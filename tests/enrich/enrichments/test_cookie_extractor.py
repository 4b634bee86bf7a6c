from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.cookie_extractor import (
    COOKIE_SCHEMA,
    CookieExtractor,
    parse_cookie_header,
)
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))


def config(cookies: Any) -> EnrichmentConfig:
    key = SchemaKey.parse(
        "iglu:com.snowplowanalytics.snowplow/cookie_extractor_config/jsonschema/1-0-0"
    )
    assert isinstance(key, SchemaKey)
    data = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "cookie_extractor_config",
        "enabled": True,
        "parameters": {"cookies": cookies},
    }
    return EnrichmentConfig(schema=key, data=data)


def event(*headers: str) -> EventContext:
    return EventContext(
        RawEvent(
            vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={}, headers=headers
        )
    )


def test_config_validates_against_embedded_schema() -> None:
    cfg = config(["sp", "_ga"])
    assert isinstance(VALIDATOR.validate_data(cfg.schema, dict(cfg.data)), Validated)


def test_extracts_configured_cookies_in_header_order() -> None:
    enrichment = CookieExtractor(config(["sp", "_ga", "flag"]))
    result = enrichment.enrich(
        event(
            "Host: example.com",
            "Cookie: sp=abc-123; other=1; _ga=GA1.2.3; flag",
            "cookie: sp=second",
        )
    )
    assert result == [
        Entity(COOKIE_SCHEMA, {"name": "sp", "value": "abc-123"}),
        Entity(COOKIE_SCHEMA, {"name": "_ga", "value": "GA1.2.3"}),
        Entity(COOKIE_SCHEMA, {"name": "flag", "value": None}),
        Entity(COOKIE_SCHEMA, {"name": "sp", "value": "second"}),
    ]
    assert isinstance(result, list)
    for entity in result:
        key = SchemaKey.parse(entity.schema)
        assert isinstance(key, SchemaKey)
        assert isinstance(VALIDATOR.validate_data(key, entity.data), Validated)


def test_no_match_gives_none() -> None:
    assert CookieExtractor(config(["sp"])).enrich(event("Cookie: a=b", "X-Cookie: sp=1")) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=1; b=2", [("a", "1"), ("b", "2")]),
        (' a = "quoted; value" ; b', [("a", "quoted; value"), ("b", None)]),
        ('a="x\\"y\\\\z\\n"', [("a", 'x"y\\z\\n')]),
        ("a=1, b=2", [("a", "1")]),
        ("a=  two   words  ", [("a", "two words")]),
        ("a=", [("a", "")]),
        ("", []),
        ("a=1;", [("a", "1")]),
        ("a=1; ", [("a", "1"), ("", None)]),
    ],
)
def test_parse_cookie_header(header: str, expected: list[tuple[str, str | None]]) -> None:
    assert parse_cookie_header(header) == expected


@pytest.mark.parametrize("cookies", ["sp", [1, 2], None])
def test_bad_config(cookies: Any) -> None:
    with pytest.raises(EnrichmentConfigError, match="cookies"):
        CookieExtractor(config(cookies))


@settings(max_examples=100)
@given(st.text(alphabet=st.sampled_from('ab =;,"\\\t x'), max_size=30))
def test_parser_never_raises(header: str) -> None:
    for name, value in parse_cookie_header(header):
        assert name == name.strip()
        assert value is None or value == value.strip() or '"' in header
