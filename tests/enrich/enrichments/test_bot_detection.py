import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.bot_detection import BOT_DETECTION_SCHEMA, BotDetection
from pyplow.event.entities import Entity

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config

YAUAA = "iglu:nl.basjes/yauaa_context/jsonschema/1-0-5"
IAB = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0"
ASN = "iglu:com.snowplowanalytics.snowplow/asn/jsonschema/1-0-1"
CLIENT = "iglu:com.snowplowanalytics.snowplow/client_side_bot_detection/jsonschema/1-0-0"
ALL_ON = {"useYauaa": True, "useIab": True, "useAsnLookups": True, "useClientSideDetection": True}


def _document(parameters: dict[str, Any], version: str = "1-0-1") -> dict[str, Any]:
    return {
        "schema": "iglu:com.snowplowanalytics.snowplow.enrichments/"
        f"bot_detection_enrichment_config/jsonschema/{version}",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow.enrichments",
            "name": "bot_detection_enrichment_config",
            "enabled": True,
            "parameters": parameters,
        },
    }


def _iab(robot: bool) -> Entity:
    reason = "FAILED_UA_EXCLUDE" if robot else "PASSED_ALL"
    category = "ACTIVE_SPIDER_OR_ROBOT" if robot else "BROWSER"
    return Entity(
        IAB,
        {"spiderOrRobot": robot, "category": category, "reason": reason, "primaryImpact": "NONE"},
    )


def _run(
    parameters: dict[str, Any], derived: list[Entity], contexts: list[Entity] | None = None
) -> Any:
    result = BotDetection(config(_document(parameters))).enrich(
        event({}, derived=derived, contexts=contexts)
    )
    assert isinstance(result, list)
    [entity] = result
    assert entity.schema == BOT_DETECTION_SCHEMA
    assert_valid(entity)
    return entity.data


def test_snowplow_configs_validate_against_embedded_schemas() -> None:
    old = {"useYauaa": True, "useIab": True, "useAsnLookups": False}
    assert validate_config(_document(old, "1-0-0"))
    assert validate_config(_document(ALL_ON))
    assert not validate_config(_document(old))


def test_every_signal_in_order() -> None:
    derived = [
        Entity(ASN, {"number": 14061, "organization": None, "likelyBot": True}),
        _iab(True),
        Entity(YAUAA, {"deviceClass": "Robot", "agentClass": "Robot"}),
    ]
    contexts = [Entity(CLIENT, {"bot": True, "kind": "headless_chrome"})]
    assert _run(ALL_ON, derived, contexts) == {
        "bot": True,
        "indicators": ["yauaa", "iab", "asnLookups", "clientSideDetection"],
    }


def test_no_signal_is_not_a_bot() -> None:
    derived = [
        Entity(ASN, {"number": 5089, "organization": None, "likelyBot": False}),
        _iab(False),
        Entity(YAUAA, {"deviceClass": "Desktop", "agentClass": "Browser"}),
    ]
    contexts = [Entity(CLIENT, {"bot": False})]
    assert _run(ALL_ON, derived, contexts) == {"bot": False, "indicators": []}
    assert _run(ALL_ON, []) == {"bot": False, "indicators": []}


@pytest.mark.parametrize(
    ("yauaa", "fires"),
    [
        ({"deviceClass": "Robot Mobile"}, True),
        ({"deviceClass": "Robot Imitator"}, True),
        ({"deviceClass": "Phone", "agentClass": "Robot Mobile"}, True),
        ({"deviceClass": "Phone", "agentClass": "Robot Imitator"}, False),
        ({"deviceClass": "Unknown"}, False),
    ],
)
def test_yauaa_classes(yauaa: dict[str, str], fires: bool) -> None:
    data = _run({"useYauaa": True, "useIab": False, "useAsnLookups": False}, [Entity(YAUAA, yauaa)])
    assert data == {"bot": fires, "indicators": ["yauaa"] if fires else []}


def test_disabled_signals_are_ignored() -> None:
    derived = [_iab(True), Entity(YAUAA, {"deviceClass": "Robot"})]
    contexts = [Entity(CLIENT, {"bot": True})]
    parameters = {"useYauaa": False, "useIab": True, "useAsnLookups": False}
    assert _run(parameters, derived, contexts) == {"bot": True, "indicators": ["iab"]}


def test_client_side_signal_reads_tracker_entities_only() -> None:
    parameters = {**ALL_ON, "useYauaa": False, "useIab": False, "useAsnLookups": False}
    assert _run(parameters, [Entity(CLIENT, {"bot": True})]) == {"bot": False, "indicators": []}


def test_bad_configs_are_rejected() -> None:
    with pytest.raises(EnrichmentConfigError, match=r"parameters\.useIab must be true or false"):
        BotDetection(config(_document({**ALL_ON, "useIab": "yes"})))


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.sampled_from(["deviceClass", "agentClass", "spiderOrRobot", "likelyBot", "bot"]),
        st.none() | st.booleans() | st.text(max_size=12) | st.integers(),
    ),
    st.sampled_from([YAUAA, IAB, ASN, CLIENT]),
)
def test_odd_entity_data_never_raises(data: dict[str, Any], schema: str) -> None:
    result = BotDetection(config(_document(ALL_ON))).enrich(
        event({}, derived=[Entity(schema, data)], contexts=[Entity(schema, data)])
    )
    assert isinstance(result, list)
    assert result[0].data["bot"] == bool(result[0].data["indicators"])
