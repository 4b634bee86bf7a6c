import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.yauaa import YAUAA_SCHEMA, Yauaa

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
CHROME_HINTS = (
    'Sec-CH-UA: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
    'sec-ch-ua-full-version-list: "Chromium";v="124.0.6367.91", '
    '"Google Chrome";v="124.0.6367.91", "Not-A.Brand";v="99.0.0.0"',
    "Sec-CH-UA-Mobile: ?0",
    'Sec-CH-UA-Platform: "Windows"',
    'Sec-CH-UA-Platform-Version: "15.0.0"',
    'Sec-CH-UA-Bitness: "64"',
    "Accept: text/html",
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
PIXEL = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLEBOT_SMARTPHONE = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 "
    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)


def _document(parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "yauaa_enrichment_config",
        "enabled": True,
    }
    if parameters is not None:
        data["parameters"] = parameters
    return {
        "schema": "iglu:com.snowplowanalytics.snowplow.enrichments/"
        "yauaa_enrichment_config/jsonschema/1-0-0",
        "data": data,
    }


@pytest.fixture(scope="module")
def yauaa() -> Yauaa:
    return Yauaa(config(_document({"cacheSize": 100})))


def _analyse(yauaa: Yauaa, useragent: Any, headers: tuple[str, ...] = ()) -> dict[str, Any]:
    result = yauaa.enrich(event({"useragent": useragent}, headers=headers))
    assert isinstance(result, list)
    [entity] = result
    assert entity.schema == YAUAA_SCHEMA
    assert_valid(entity)
    data: dict[str, Any] = entity.data
    return data


def test_snowplow_configs_validate_against_embedded_schema() -> None:
    assert validate_config(_document({"cacheSize": 1000}))
    assert validate_config(_document())
    assert not validate_config(_document({"cacheSize": "big"}))


def test_empty_user_agent_gives_only_unknown_device_class(yauaa: Yauaa) -> None:
    assert _analyse(yauaa, None) == {"deviceClass": "Unknown"}
    assert _analyse(yauaa, "") == {"deviceClass": "Unknown"}


def test_desktop_chrome_with_client_hints(yauaa: Yauaa) -> None:
    data = _analyse(yauaa, CHROME_WINDOWS, CHROME_HINTS)
    assert data == {
        "deviceClass": "Desktop",
        "deviceName": "Desktop",
        "deviceCpuBits": "64",
        "operatingSystemClass": "Desktop",
        "operatingSystemName": "Windows NT",
        "operatingSystemVersion": "11",
        "operatingSystemVersionMajor": "11",
        "operatingSystemNameVersion": "Windows NT 11",
        "operatingSystemNameVersionMajor": "Windows NT 11",
        "layoutEngineClass": "Browser",
        "layoutEngineName": "Blink",
        "layoutEngineVersion": "124.0.0.0",
        "layoutEngineVersionMajor": "124",
        "layoutEngineNameVersion": "Blink 124.0.0.0",
        "layoutEngineNameVersionMajor": "Blink 124",
        "agentClass": "Browser",
        "agentName": "Chrome",
        "agentVersion": "124.0.6367.91",
        "agentVersionMajor": "124",
        "agentNameVersion": "Chrome 124.0.6367.91",
        "agentNameVersionMajor": "Chrome 124",
    }
    without_hints = _analyse(yauaa, CHROME_WINDOWS)
    assert without_hints["operatingSystemVersion"] == "10"
    assert without_hints["agentVersion"] == "124.0.0.0"


def test_phones_tablets_and_macs(yauaa: Yauaa) -> None:
    iphone = _analyse(yauaa, IPHONE)
    assert (iphone["deviceClass"], iphone["deviceBrand"], iphone["deviceName"]) == (
        "Phone",
        "Apple",
        "Apple iPhone",
    )
    assert (iphone["operatingSystemName"], iphone["operatingSystemVersion"]) == ("iOS", "17.2")
    assert (iphone["agentName"], iphone["layoutEngineName"]) == ("Safari", "AppleWebKit")
    pixel = _analyse(yauaa, PIXEL)
    assert (pixel["deviceClass"], pixel["deviceName"], pixel["agentName"]) == (
        "Phone",
        "Google Pixel 7",
        "Chrome",
    )
    assert pixel["operatingSystemClass"] == "Mobile"
    assert _analyse(yauaa, IPAD)["deviceClass"] == "Tablet"
    tablet = PIXEL.replace("Mobile Safari", "Safari").replace("Pixel 7", "SM-X710")
    assert _analyse(yauaa, tablet)["deviceClass"] == "Tablet"
    mac = _analyse(yauaa, FIREFOX_MAC)
    assert (mac["deviceClass"], mac["operatingSystemName"], mac["layoutEngineName"]) == (
        "Desktop",
        "Mac OS",
        "Gecko",
    )
    assert (mac["agentName"], mac["agentVersionMajor"]) == ("Firefox", "125")


def test_mobile_client_hint_and_model(yauaa: Yauaa) -> None:
    headers = (
        "Sec-CH-UA-Mobile: ?1",
        'Sec-CH-UA-Model: "Pixel 8"',
        'Sec-CH-UA-Platform: "Android"',
    )
    data = _analyse(yauaa, PIXEL.replace("Pixel 7", "K"), headers)
    assert data["deviceClass"] == "Phone"
    assert data["operatingSystemName"] == "Android"


def test_robots(yauaa: Yauaa) -> None:
    bot = _analyse(yauaa, GOOGLEBOT)
    assert (bot["deviceClass"], bot["agentClass"], bot["agentName"]) == (
        "Robot",
        "Robot",
        "Googlebot",
    )
    assert bot["operatingSystemClass"] == "Cloud"
    assert _analyse(yauaa, GOOGLEBOT_SMARTPHONE)["deviceClass"] == "Robot Mobile"


def test_entities_are_fresh_copies(yauaa: Yauaa) -> None:
    _analyse(yauaa, IPHONE)["deviceClass"] = "changed"
    assert _analyse(yauaa, IPHONE)["deviceClass"] == "Phone"


@pytest.mark.parametrize("size", [-1, "10", 2.5, True])
def test_bad_cache_sizes_are_rejected(size: Any) -> None:
    with pytest.raises(EnrichmentConfigError, match=r"parameters\.cacheSize must be"):
        Yauaa(config(_document({"cacheSize": size})))


def test_cache_size_zero_disables_the_cache() -> None:
    enrichment = Yauaa(config(_document({"cacheSize": 0})))
    assert _analyse(enrichment, IPHONE)["deviceClass"] == "Phone"


@settings(max_examples=150)
@given(
    st.text(max_size=150),
    st.lists(st.sampled_from(CHROME_HINTS) | st.text(max_size=40), max_size=4),
)
def test_any_input_gives_a_valid_entity(yauaa: Yauaa, useragent: str, headers: list[str]) -> None:
    data = _analyse(yauaa, useragent, tuple(headers))
    assert isinstance(data["deviceClass"], str)
