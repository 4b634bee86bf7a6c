from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.campaign_attribution import CampaignAttribution, tsv_safe
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

FIELDS: dict[str, Any] = {
    "mktMedium": ["utm_medium", "medium"],
    "mktSource": ["utm_source", "source"],
    "mktTerm": ["utm_term"],
    "mktContent": ["utm_content"],
    "mktCampaign": ["utm_campaign", "cid"],
}


def config(fields: Any = None, version: str = "1-0-1") -> EnrichmentConfig:
    key = SchemaKey.parse(
        f"iglu:com.snowplowanalytics.snowplow/campaign_attribution/jsonschema/{version}"
    )
    assert isinstance(key, SchemaKey)
    data = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "campaign_attribution",
        "enabled": True,
        "parameters": {"mapping": "static", "fields": FIELDS if fields is None else fields},
    }
    return EnrichmentConfig(schema=key, data=data)


def run(pairs: list[tuple[str, str | None]], cfg: EnrichmentConfig | None = None) -> dict[str, Any]:
    ctx = EventContext(
        RawEvent(vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={}),
        page_query=pairs,
    )
    assert CampaignAttribution(cfg or config()).enrich(ctx) is None
    return ctx.fields


def test_configs_validate_against_embedded_schema() -> None:
    validator = Validator(Resolver([builtin_repository()]))
    with_click = config({**FIELDS, "mktClickId": {"fbclid": "Facebook"}})
    for cfg in (config(), with_click):
        assert isinstance(validator.validate_data(cfg.schema, dict(cfg.data)), Validated)


def test_first_configured_name_wins_not_first_in_url() -> None:
    fields = run(
        [
            ("medium", "second"),
            ("utm_medium", "cpc"),
            ("utm_source", "google"),
            ("utm_term", "shoes"),
            ("utm_content", "ad1"),
            ("cid", "spring"),
            ("gclid", "abc"),
        ]
    )
    assert fields == {
        "mkt_medium": "cpc",
        "mkt_source": "google",
        "mkt_term": "shoes",
        "mkt_content": "ad1",
        "mkt_campaign": "spring",
        "mkt_clickid": "abc",
        "mkt_network": "Google",
    }


def test_empty_values_become_null_and_last_duplicate_counts() -> None:
    fields = run([("utm_medium", ""), ("utm_source", "a"), ("utm_source", "b"), ("utm_term", None)])
    assert fields["mkt_medium"] is None
    assert fields["mkt_source"] == "b"
    assert fields["mkt_term"] is None


def test_click_ids_builtin_order_and_custom_override() -> None:
    cfg = config({**FIELDS, "mktClickId": {"dclid": "DV360", "fbclid": "Facebook"}})
    fields = run([("fbclid", "f1"), ("dclid", "d1")], cfg)
    assert (fields["mkt_clickid"], fields["mkt_network"]) == ("d1", "DV360")
    fields = run([("fbclid", "f1"), ("msclkid", "m1")], cfg)
    assert (fields["mkt_clickid"], fields["mkt_network"]) == ("m1", "Microsoft")
    fields = run([("fbclid", "f1")], cfg)
    assert (fields["mkt_clickid"], fields["mkt_network"]) == ("f1", "Facebook")
    fields = run([("gclid", "")], cfg)
    assert (fields["mkt_clickid"], fields["mkt_network"]) == (None, "Google")


def test_config_1_0_0_has_builtin_click_ids() -> None:
    fields = run([("msclkid", "x")], config(version="1-0-0"))
    assert fields["mkt_network"] == "Microsoft"


def test_values_are_tsv_safe() -> None:
    assert run([("utm_campaign", "a\tb\nc")])["mkt_campaign"] == "a    bc"
    assert tsv_safe("\n") is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**FIELDS, "mktMedium": "utm_medium"}, "mktMedium"),
        ({k: v for k, v in FIELDS.items() if k != "mktTerm"}, "mktTerm"),
        ({**FIELDS, "mktClickId": {"x": 1}}, "mktClickId"),
        ("nope", "fields"),
    ],
)
def test_bad_configs(fields: Any, message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        CampaignAttribution(config(fields))


@settings(max_examples=50)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "gclid", "x"]), st.one_of(st.none(), st.text(max_size=8))
        ),
        max_size=6,
    )
)
def test_never_raises(pairs: list[tuple[str, str | None]]) -> None:
    fields = run(pairs)
    for value in fields.values():
        assert value is None or (value and "\t" not in value and "\n" not in value)
