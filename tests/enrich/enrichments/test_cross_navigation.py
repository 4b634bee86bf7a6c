from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentError, EventContext
from pyplow.enrich.enrichments.cross_navigation import CROSS_NAVIGATION_SCHEMA, CrossNavigation
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
KEY = SchemaKey.parse(
    "iglu:com.snowplowanalytics.snowplow.enrichments/cross_navigation_config/jsonschema/1-0-0"
)
assert isinstance(KEY, SchemaKey)
CONFIG = EnrichmentConfig(
    schema=KEY,
    data={
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "cross_navigation_config",
        "enabled": True,
    },
)
ENRICHMENT = CrossNavigation(CONFIG)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def run(*pairs: tuple[str, str | None]) -> object:
    ctx = EventContext(RawEvent(vendor="v", version="tp2", parameters={}), page_query=list(pairs))
    return ENRICHMENT.enrich(ctx)


def test_config_validates() -> None:
    assert isinstance(VALIDATOR.validate_data(CONFIG.schema, dict(CONFIG.data)), Validated)


def test_full_sp_value_gives_valid_entity() -> None:
    sp = ".".join(
        [
            "abc",
            "1697175843762",
            "176ff68a-4769-4566-ad0e-3792c1c8148f",
            b64("tester"),
            b64("https://a.example"),
            "web",
            b64("link"),
        ]
    )
    result = run(("_sp", "old.1"), ("_sp", sp))
    assert isinstance(result, list)
    assert len(result) == 1
    entity = result[0]
    assert entity.schema == CROSS_NAVIGATION_SCHEMA
    assert entity.data == {
        "domain_user_id": "abc",
        "timestamp": "2023-10-13T05:44:03.762Z",
        "session_id": "176ff68a-4769-4566-ad0e-3792c1c8148f",
        "user_id": "tester",
        "source_id": "https://a.example",
        "source_platform": "web",
        "reason": "link",
    }
    key = SchemaKey.parse(entity.schema)
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, entity.data), Validated)


def test_short_value_has_nulls() -> None:
    result = run(("_sp", "abc.1697175843762"))
    assert isinstance(result, list)
    assert result[0].data["session_id"] is None
    assert result[0].data["reason"] is None


def test_nothing_without_duid_timestamp_or_value() -> None:
    assert run() is None
    assert run(("_sp", "")) is None
    assert run(("_sp", None)) is None
    assert run(("_sp", "abc")) is None
    assert run(("_sp", ".1697175843762")) is None


def test_bad_timestamp_is_a_failure() -> None:
    result = run(("_sp", "abc.notatime"))
    assert isinstance(result, EnrichmentError)
    assert "notatime" in result.message


@settings(max_examples=100)
@given(st.text(alphabet=st.sampled_from("ab.19-_=xZ "), max_size=40))
def test_never_raises(value: str) -> None:
    result = run(("_sp", value))
    assert result is None or isinstance(result, (list, EnrichmentError))
