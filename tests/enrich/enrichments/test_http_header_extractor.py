from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.http_header_extractor import (
    HEADER_SCHEMA,
    HttpHeaderExtractor,
    translate_java_regex,
)
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))


def config(pattern: object) -> EnrichmentConfig:
    key = SchemaKey.parse(
        "iglu:com.snowplowanalytics.snowplow.enrichments/http_header_extractor_config/jsonschema/1-0-0"
    )
    assert isinstance(key, SchemaKey)
    data = {
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "http_header_extractor_config",
        "enabled": True,
        "parameters": {"headersPattern": pattern},
    }
    return EnrichmentConfig(schema=key, data=data)


def event(*headers: str) -> EventContext:
    return EventContext(
        RawEvent(
            vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={}, headers=headers
        )
    )


def test_config_validates_against_embedded_schema() -> None:
    cfg = config(".*")
    assert isinstance(VALIDATOR.validate_data(cfg.schema, dict(cfg.data)), Validated)


def test_whole_name_must_match_and_values_are_trimmed() -> None:
    enrichment = HttpHeaderExtractor(config("X-Forwarded-.*|Host"))
    result = enrichment.enrich(
        event(
            "Host:  example.com ",
            "X-Forwarded-For: 1.2.3.4",
            "X-Host: no",
            "Hostname: no",
            "NoColon",
        )
    )
    assert result == [
        Entity(HEADER_SCHEMA, {"name": "Host", "value": "example.com"}),
        Entity(HEADER_SCHEMA, {"name": "X-Forwarded-For", "value": "1.2.3.4"}),
    ]
    assert isinstance(result, list)
    for entity in result:
        key = SchemaKey.parse(entity.schema)
        assert isinstance(key, SchemaKey)
        assert isinstance(VALIDATOR.validate_data(key, entity.data), Validated)


def test_match_is_case_sensitive_unless_flagged() -> None:
    assert HttpHeaderExtractor(config("host")).enrich(event("Host: a")) is None
    assert HttpHeaderExtractor(config("(?i)host")).enrich(event("Host: a")) == [
        Entity(HEADER_SCHEMA, {"name": "Host", "value": "a"})
    ]


@pytest.mark.parametrize(
    ("java", "matching", "not_matching"),
    [
        ("\\QX.Y\\E", "X.Y", "XaY"),
        ("(?<p>X)-\\k<p>", "X-X", "X-Y"),
        ("\\p{Upper}\\p{Lower}+", "Host", "host"),
        ("[\\p{Alpha}-]+", "User-Agent", "User_Agent"),
        ("\\P{Digit}+", "abc", "a1"),
        ("X\\z", "X", "X\n"),
        ("(?iu)a", "A", "b"),
        ("a*+b", "aab", "aa"),
    ],
)
def test_translation(java: str, matching: str, not_matching: str) -> None:
    regex = re.compile(translate_java_regex(java))
    assert regex.fullmatch(matching)
    assert not regex.fullmatch(not_matching)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[a-z&&[^e]]", "intersection"),
        ("a(?i)b", "start of the pattern"),
        ("\\p{InGreek}", "InGreek"),
        ("(unclosed", "not a usable"),
        (42, "headersPattern"),
    ],
)
def test_bad_patterns(pattern: object, message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        HttpHeaderExtractor(config(pattern))


@settings(max_examples=50)
@given(st.lists(st.text(max_size=20), max_size=5))
def test_enrich_never_raises(headers: list[str]) -> None:
    result = HttpHeaderExtractor(config(".*")).enrich(event(*headers))
    assert result is None or all(e.schema == HEADER_SCHEMA for e in result)
    assert len(result or []) == sum(1 for h in headers if ":" in h)
