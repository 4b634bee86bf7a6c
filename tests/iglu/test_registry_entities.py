"""Spot checks of tracker events/entities, derived entities and enrichment configurations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker

from pyplow.iglu.registry import schema_resource

SP = "com.snowplowanalytics.snowplow"
EN = "com.snowplowanalytics.snowplow.enrichments"


def _validator(uri_path: str, *, formats: bool = False) -> Draft4Validator:
    vendor, name, _, version = uri_path.split("/")
    resource = schema_resource(vendor, name, version)
    assert resource is not None, uri_path
    schema = json.loads(resource.read_text(encoding="utf-8"))
    return Draft4Validator(schema, format_checker=FormatChecker() if formats else None)


def _errors(validator: Draft4Validator, instance: Any) -> list[str]:
    return sorted(e.message for e in validator.iter_errors(instance))


# --- tracker events and entities --------------------------------------------------------

LINK_CLICK = _validator(f"{SP}/link_click/jsonschema/1-0-1")


def test_link_click_requires_a_non_empty_target_url() -> None:
    click = {"targetUrl": "https://example.com/", "elementId": "nav", "elementClasses": ["a"]}
    assert _errors(LINK_CLICK, click) == []
    assert _errors(LINK_CLICK, {"elementId": "nav"}) == ["'targetUrl' is a required property"]
    assert _errors(LINK_CLICK, {"targetUrl": ""}) == ["'' should be non-empty"]
    assert not LINK_CLICK.is_valid({**click, "elementClasses": "a b"})
    assert not LINK_CLICK.is_valid({**click, "href": "x"})


def test_mobile_screen_view_needs_name_and_uuid_id() -> None:
    validator = _validator(
        "com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0", formats=True
    )
    view = {"id": "3c1c2f3e-6a2b-4b55-9a0f-0d4f6f1b2a11", "name": "basket", "type": "cart"}
    assert _errors(validator, view) == []
    assert not validator.is_valid({"name": "basket"})
    assert not validator.is_valid({**view, "id": "not-a-uuid"})
    assert not validator.is_valid({**view, "previousId": "nope"})
    assert not validator.is_valid({**view, "extra": 1})


def test_web_page_and_client_session() -> None:
    web_page = _validator(f"{SP}/web_page/jsonschema/1-0-0")
    assert web_page.is_valid({"id": "0a5b8f25-0c4c-4d86-9d5e-9d4f1b1e2a3c"})
    assert not web_page.is_valid({})
    session = _validator(f"{SP}/client_session/jsonschema/1-0-2")
    good = {
        "userId": "f7364b00-2a82-467c-92c6-82bc4a778d22",
        "sessionId": "8e956703-1420-46bc-b505-0f2f586e72f5",
        "sessionIndex": 1,
        "previousSessionId": None,
        "storageMechanism": "COOKIE_1",
    }
    assert _errors(session, good) == []
    assert not session.is_valid({**good, "storageMechanism": "DISK"})
    assert session.is_valid({**good, "sessionIndex": 0})
    assert not session.is_valid({**good, "sessionIndex": -1})
    assert not session.is_valid({**good, "sessionIndex": 2**31})


# --- derived entities -------------------------------------------------------------------

UA_PARSER = _validator(f"{SP}/ua_parser_context/jsonschema/1-0-0")
UA_ENTITY = {
    "useragentFamily": "Chrome",
    "useragentMajor": "124",
    "useragentMinor": "0",
    "useragentPatch": "6367",
    "useragentVersion": "Chrome 124.0.6367",
    "osFamily": "Linux",
    "osMajor": None,
    "osMinor": None,
    "osPatch": None,
    "osPatchMinor": None,
    "osVersion": "Linux",
    "deviceFamily": "Other",
}


def test_ua_parser_context_accepts_the_emitted_shape() -> None:
    assert _errors(UA_PARSER, UA_ENTITY) == []


def test_ua_parser_context_nullability() -> None:
    # Major/minor may be null but must be present; family fields are plain strings.
    assert not UA_PARSER.is_valid({k: v for k, v in UA_ENTITY.items() if k != "useragentMajor"})
    assert UA_PARSER.is_valid({**UA_ENTITY, "useragentMajor": None})
    assert not UA_PARSER.is_valid({**UA_ENTITY, "useragentFamily": None})
    assert not UA_PARSER.is_valid({**UA_ENTITY, "browser": "x"})


def test_spiders_and_robots_enums() -> None:
    validator = _validator("com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0")
    entity = {
        "spiderOrRobot": False,
        "category": "BROWSER",
        "reason": "PASSED_ALL",
        "primaryImpact": "NONE",
    }
    assert _errors(validator, entity) == []
    assert not validator.is_valid({**entity, "category": "browser"})
    assert not validator.is_valid({**entity, "primaryImpact": "SOME"})


def test_yauaa_context_1_0_5() -> None:
    validator = _validator("nl.basjes/yauaa_context/jsonschema/1-0-5")
    entity = {"deviceClass": "Desktop", "agentName": "Chrome", "operatingSystemName": "Linux"}
    assert _errors(validator, entity) == []
    assert not validator.is_valid({"agentName": "Chrome"})  # deviceClass is always there
    assert not validator.is_valid({**entity, "deviceClass": "x" * 129})
    assert not validator.is_valid({**entity, "agentNameX": "Chrome"})


def test_cross_navigation_and_headers_and_bot_detection() -> None:
    cross = _validator(f"{SP}/cross_navigation/jsonschema/1-0-0")
    nav = {
        "domain_user_id": "f7364b00-2a82-467c-92c6-82bc4a778d22",
        "timestamp": "2024-05-06T07:08:09.123Z",
        "session_id": None,
        "user_id": None,
        "source_id": None,
        "source_platform": "web",
        "reason": None,
    }
    assert _errors(cross, nav) == []
    assert not cross.is_valid({**nav, "source_platform": "desktop"})
    header = _validator("org.ietf/http_header/jsonschema/1-0-0")
    assert header.is_valid({"name": "X-Forwarded-For", "value": "10.0.0.1"})
    assert not header.is_valid({"name": "X", "value": "v" * 4097})
    bot = _validator(f"{SP}/bot_detection/jsonschema/1-0-1")
    assert bot.is_valid({"bot": True, "indicators": ["yauaa", "iab"]})
    assert not bot.is_valid({"bot": True, "indicators": ["ua"]})


# --- enrichment configurations ----------------------------------------------------------


def _config(name: str, parameters: Any, vendor: str = SP) -> dict[str, Any]:
    return {"vendor": vendor, "name": name, "enabled": True, "parameters": parameters}


def test_anon_ip_limits() -> None:
    v100 = _validator(f"{SP}/anon_ip/jsonschema/1-0-0")
    v101 = _validator(f"{SP}/anon_ip/jsonschema/1-0-1")
    assert v101.is_valid(_config("anon_ip", {"anonOctets": 2, "anonSegments": 3}))
    assert not v100.is_valid(_config("anon_ip", {"anonOctets": 2, "anonSegments": 3}))
    assert not v101.is_valid(_config("anon_ip", {"anonOctets": 5}))
    assert not v101.is_valid(_config("anon_ip", {"anonOctets": 1, "anonSegments": 9}))


@pytest.mark.parametrize(
    ("version", "algorithm", "ok"),
    [("1-0-0", "MD5", True), ("1-0-0", "SHA256", False), ("1-0-1", "SHA256", True)],
)
def test_event_fingerprint_algorithms(version: str, algorithm: str, ok: bool) -> None:
    validator = _validator(f"{SP}/event_fingerprint_config/jsonschema/{version}")
    params = {"excludeParameters": ["cv", "eid", "nuid", "stm"], "hashAlgorithm": algorithm}
    assert validator.is_valid(_config("event_fingerprint_config", params)) is ok


def test_campaign_attribution_and_ip_lookups() -> None:
    campaign = _validator(f"{SP}/campaign_attribution/jsonschema/1-0-1")
    fields = {
        "mktMedium": ["utm_medium"],
        "mktSource": ["utm_source"],
        "mktTerm": ["utm_term"],
        "mktContent": ["utm_content"],
        "mktCampaign": ["utm_campaign"],
        "mktClickId": {"fbclid": "Facebook"},
    }
    assert _errors(campaign, _config("campaign_attribution", {"fields": fields})) == []
    assert not campaign.is_valid(
        _config("campaign_attribution", {"fields": {**fields, "mktTerm": "utm_term"}})
    )
    lookups = _validator(f"{SP}/ip_lookups/jsonschema/2-0-1")
    geo = {
        "database": "GeoLite2-City.mmdb",
        "uri": "http://snowplow-hosted-assets.s3.amazonaws.com",
    }
    assert lookups.is_valid(_config("ip_lookups", {"geo": geo}))
    assert not lookups.is_valid(_config("ip_lookups", {"geo": {**geo, "database": "City.mmdb"}}))
    asn = {"database": "GeoLite2-ASN.mmdb", "uri": "http://x"}
    assert lookups.is_valid(_config("ip_lookups", {"asn": asn}))
    assert not _validator(f"{SP}/ip_lookups/jsonschema/2-0-0").is_valid(
        _config("ip_lookups", {"asn": asn})
    )


def test_pii_enrichment_2_0_1() -> None:
    validator = _validator(f"{EN}/pii_enrichment_config/jsonschema/2-0-1")
    params: dict[str, Any] = {
        "pii": [
            {"pojo": {"field": "user_id"}},
            {
                "json": {
                    "field": "contexts",
                    "schemaCriterion": "iglu:com.acme/user/jsonschema/1-*-*",
                    "jsonPath": "$.email",
                }
            },
        ],
        "strategy": {"pseudonymize": {"hashFunction": "SHA-256", "salt": "pepper"}},
    }
    config = {**_config("pii_enrichment_config", params, EN), "emitEvent": True}
    assert _errors(validator, config) == []
    bad_field = {**params, "pii": [{"pojo": {"field": "page_url"}}]}
    assert not validator.is_valid({**config, "parameters": bad_field})
    both = {**params, "pii": [{"pojo": {"field": "user_id"}, **params["pii"][1]}]}
    assert not validator.is_valid({**config, "parameters": both})


def test_enrichments_wrapper() -> None:
    validator = _validator(f"{SP}/enrichments/jsonschema/1-0-0")
    item = {
        "schema": f"iglu:{SP}/anon_ip/jsonschema/1-0-1",
        "data": _config("anon_ip", {"anonOctets": 1}),
    }
    assert validator.is_valid([item])
    assert validator.is_valid([])
    assert not validator.is_valid([{"data": item["data"]}])
    assert not validator.is_valid(item)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-5, max_value=12))
def test_anon_octets_range_property(octets: int) -> None:
    validator = _validator(f"{SP}/anon_ip/jsonschema/1-0-1")
    assert validator.is_valid(_config("anon_ip", {"anonOctets": octets})) is (1 <= octets <= 4)
