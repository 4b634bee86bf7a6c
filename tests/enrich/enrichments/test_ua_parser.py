import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.ua_parser import UA_PARSER_SCHEMA, UaParser
from pyplow.event.entities import Entity

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config

IE7 = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 1.1.4322)"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
KEYS = [
    "useragentFamily",
    "useragentMajor",
    "useragentMinor",
    "useragentPatch",
    "useragentVersion",
    "osFamily",
    "osMajor",
    "osMinor",
    "osPatch",
    "osPatchMinor",
    "osVersion",
    "deviceFamily",
]


def _document(parameters: dict[str, Any] | None, version: str = "1-0-0") -> dict[str, Any]:
    data: dict[str, Any] = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "ua_parser_config",
        "enabled": True,
    }
    if parameters is not None:
        data["parameters"] = parameters
    return {
        "schema": f"iglu:com.snowplowanalytics.snowplow/ua_parser_config/jsonschema/{version}",
        "data": data,
    }


@pytest.fixture(scope="module")
def parser() -> UaParser:
    return UaParser(config(_document({})))


def _entity(parser: UaParser, useragent: str | None) -> Any:
    return parser.enrich(event({"useragent": useragent}))


def test_snowplow_configs_validate_against_embedded_schemas() -> None:
    assert validate_config(_document({}))
    assert validate_config(_document(None))
    custom = {"uri": "https://example.com/rules", "database": "regexes.yaml"}
    assert validate_config(_document(custom, "1-0-1"))
    assert not validate_config(_document(custom))


def test_snowplow_shape_for_an_old_internet_explorer(parser: UaParser) -> None:
    [entity] = _entity(parser, IE7)
    assert entity.schema == UA_PARSER_SCHEMA
    assert list(entity.data) == KEYS
    # Snowplow's sample (uap-java) spells the OS "Windows XP"; current uap-core rules split it
    assert entity.data == {
        "useragentFamily": "IE",
        "useragentMajor": "7",
        "useragentMinor": "0",
        "useragentPatch": None,
        "useragentVersion": "IE 7.0",
        "osFamily": "Windows",
        "osMajor": "XP",
        "osMinor": None,
        "osPatch": None,
        "osPatchMinor": None,
        "osVersion": "Windows XP",
        "deviceFamily": "Other",
    }
    assert_valid(entity)


def test_iphone(parser: UaParser) -> None:
    [entity] = _entity(parser, IPHONE)
    assert entity.data["useragentFamily"] == "Mobile Safari"
    assert entity.data["useragentVersion"] == "Mobile Safari 17.2"
    assert entity.data["osVersion"] == "iOS 17.2.1"
    assert (entity.data["osMajor"], entity.data["osMinor"], entity.data["osPatch"]) == (
        "17",
        "2",
        "1",
    )
    assert entity.data["deviceFamily"] == "iPhone"
    assert_valid(entity)


def test_unknown_and_missing_user_agents(parser: UaParser) -> None:
    [entity] = _entity(parser, "")
    assert entity.data["useragentFamily"] == "Other"
    assert entity.data["useragentVersion"] == "Other"
    assert entity.data["osVersion"] == "Other"
    assert entity.data["deviceFamily"] == "Other"
    assert_valid(entity)
    assert _entity(parser, None) is None


def test_entities_are_fresh_copies(parser: UaParser) -> None:
    [first] = _entity(parser, IPHONE)
    first.data["useragentFamily"] = "changed"
    [second] = _entity(parser, IPHONE)
    assert second.data["useragentFamily"] == "Mobile Safari"


def test_custom_rules_file(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    (tmp_path / "regexes.yaml").write_text(
        "user_agent_parsers:\n"
        "  - regex: '(PyplowBot)/(\\d+)\\.(\\d+)'\n"
        "os_parsers:\n"
        "  - regex: '(Plan9)'\n"
        "device_parsers:\n"
        "  - regex: '(Toaster)'\n"
    )
    parameters = {"uri": str(tmp_path), "database": "regexes.yaml"}
    custom = UaParser(config(_document(parameters, "1-0-1")))
    [entity] = custom.enrich(event({"useragent": "PyplowBot/2.5 (Plan9; Toaster)"}))
    assert entity == Entity(
        UA_PARSER_SCHEMA,
        {
            "useragentFamily": "PyplowBot",
            "useragentMajor": "2",
            "useragentMinor": "5",
            "useragentPatch": None,
            "useragentVersion": "PyplowBot 2.5",
            "osFamily": "Plan9",
            "osMajor": None,
            "osMinor": None,
            "osPatch": None,
            "osPatchMinor": None,
            "osVersion": "Plan9",
            "deviceFamily": "Toaster",
        },
    )
    [other] = custom.enrich(event({"useragent": IPHONE}))
    assert other.data["useragentFamily"] == "Other"


def test_bad_rules_files_are_rejected(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    (tmp_path / "regexes.yaml").write_text("user_agent_parsers: [")
    with pytest.raises(EnrichmentConfigError, match=r"not a usable uap-core regexes\.yaml"):
        UaParser(config(_document({"uri": str(tmp_path), "database": "regexes.yaml"}, "1-0-1")))
    with pytest.raises(EnrichmentConfigError, match="does not exist"):
        UaParser(config(_document({"uri": str(tmp_path), "database": "nope.yaml"}, "1-0-1")))


@settings(max_examples=150)
@given(st.text(max_size=120))
def test_any_user_agent_gives_a_valid_entity(parser: UaParser, useragent: str) -> None:
    result = _entity(parser, useragent)
    assert isinstance(result, list)
    [entity] = result
    assert list(entity.data) == KEYS
    assert entity.data["useragentVersion"].startswith(entity.data["useragentFamily"])
    assert_valid(entity)
