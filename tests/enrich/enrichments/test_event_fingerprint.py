from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.event_fingerprint import EventFingerprint, fingerprint
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

SCHEMA = "iglu:com.snowplowanalytics.snowplow/event_fingerprint_config/jsonschema/{}"


def config(version: str = "1-0-1", **parameters: Any) -> EnrichmentConfig:
    data = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "event_fingerprint_config",
        "enabled": True,
        "parameters": parameters
        or {"excludeParameters": ["cv", "eid", "nuid", "stm"], "hashAlgorithm": "MD5"},
    }
    key = SchemaKey.parse(SCHEMA.format(version))
    assert isinstance(key, SchemaKey)
    return EnrichmentConfig(schema=key, data=data)


def event(parameters: dict[str, str | None]) -> EventContext:
    return EventContext(
        RawEvent(vendor="com.snowplowanalytics.snowplow", version="tp2", parameters=parameters)
    )


def test_snowplow_config_validates_against_embedded_schema() -> None:
    validator = Validator(Resolver([builtin_repository()]))
    for version in ("1-0-0", "1-0-1"):
        cfg = config(version)
        assert isinstance(validator.validate_data(cfg.schema, dict(cfg.data)), Validated)


def test_md5_over_sorted_parameters_with_unit_separators() -> None:
    params: dict[str, str | None] = {"e": "pv", "aid": "site", "eid": "x", "stm": "1", "url": None}
    ctx = event(params)
    assert EventFingerprint(config()).enrich(ctx) is None
    expected = hashlib.md5(b"aid\x1fsite\x1fe\x1fpv\x1f").hexdigest()
    assert ctx.fields["event_fingerprint"] == expected


def test_known_value_for_empty_parameters() -> None:
    ctx = event({})
    EventFingerprint(config()).enrich(ctx)
    assert ctx.fields["event_fingerprint"] == "d41d8cd98f00b204e9800998ecf8427e"


@pytest.mark.parametrize(
    ("algorithm", "length"), [("SHA1", 40), ("SHA256", 64), ("SHA384", 96), ("SHA512", 128)]
)
def test_sha_algorithms(algorithm: str, length: int) -> None:
    ctx = event({"e": "pv", "empty": ""})
    EventFingerprint(config(hashAlgorithm=algorithm, excludeParameters=[])).enrich(ctx)
    value = ctx.fields["event_fingerprint"]
    assert len(value) == length
    assert value == hashlib.new(algorithm.lower(), b"e\x1fpv\x1fempty\x1f\x1f").hexdigest()


def test_key_order_is_java_utf16_order() -> None:
    # U+1F600 (surrogates D83D..) sorts before U+FFFD in UTF-16, after it by code point
    params: dict[str, str | None] = {"\ufffd": "a", "\U0001f600": "b"}
    text = "\U0001f600\x1fb\x1f\ufffd\x1fa\x1f"
    assert fingerprint(params, frozenset(), "MD5") == hashlib.md5(text.encode()).hexdigest()


def test_nothing_left_to_hash_is_the_digest_of_empty_text() -> None:
    params: dict[str, str | None] = {"eid": "x", "tv": None}
    assert fingerprint(params, frozenset({"eid"}), "MD5") == hashlib.md5(b"").hexdigest()
    assert fingerprint({}, frozenset(), "SHA1") == hashlib.sha1(b"").hexdigest()


@pytest.mark.parametrize(
    ("version", "parameters", "message"),
    [
        ("1-0-1", {"hashAlgorithm": "CRC32", "excludeParameters": []}, "CRC32"),
        ("1-0-1", {"hashAlgorithm": "MD5", "excludeParameters": "eid"}, "excludeParameters"),
        ("1-0-0", {"hashAlgorithm": "SHA256", "excludeParameters": []}, "1-0-1"),
    ],
)
def test_bad_configs(version: str, parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        EventFingerprint(config(version, **parameters))


@settings(max_examples=50)
@given(st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=5))))
def test_never_raises_and_ignores_insertion_order(params: dict[str, str | None]) -> None:
    forward = fingerprint(params, frozenset({"eid"}), "SHA256")
    backward = fingerprint(dict(reversed(list(params.items()))), frozenset({"eid"}), "SHA256")
    assert forward == backward
    assert len(forward) == 64
