import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError, EnrichmentError
from pyplow.enrich.enrichments._iab_lists import parse_iab_date
from pyplow.enrich.enrichments.iab_spiders_and_robots import IAB_SCHEMA, IabSpidersAndRobots

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
AT = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)

IP_FILE = "# excluded addresses\n192.0.2.7\n198.51.100.0/24\n10.1.2.3/16\n\n0:0:0:0:0:0:0:1\n"
INCLUDE_FILE = (
    "# valid browsers\nmozilla|1|1\nOpera|1|0\nOldBrowser|0|0|03/30/2024\nDeadBrowser|0|0\n"
)
EXCLUDE_FILE = (
    "# robots\n"
    "bot|1|cubot,abot||0|0|\n"
    "scraper|1|||1|0|\n"
    "retired-spider|0|||2|0|01/15/2024\n"
    "crawlerbox|1|||2|1|\n"
    "badflag|1|||7|0|\n"
    "disabled|0|||0|0|\n"
)


def _document(parameters: dict[str, Any], version: str = "1-0-1") -> dict[str, Any]:
    return {
        "schema": "iglu:com.snowplowanalytics.snowplow.enrichments/"
        f"iab_spiders_and_robots_enrichment/jsonschema/{version}",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow.enrichments",
            "name": "iab_spiders_and_robots_enrichment",
            "enabled": True,
            "parameters": parameters,
        },
    }


def _files(folder: Path) -> dict[str, Any]:
    (folder / "ip_exclude_current_cidr.txt").write_text(IP_FILE)
    (folder / "include_current.txt").write_text(INCLUDE_FILE)
    (folder / "exclude_current.txt").write_text(EXCLUDE_FILE)
    return {
        "ipFile": {"database": "ip_exclude_current_cidr.txt", "uri": str(folder)},
        "excludeUseragentFile": {"database": "exclude_current.txt", "uri": str(folder)},
        "includeUseragentFile": {"database": "include_current.txt", "uri": f"file://{folder}"},
    }


@pytest.fixture(scope="module")
def iab(tmp_path_factory: pytest.TempPathFactory) -> IabSpidersAndRobots:
    parameters = _files(tmp_path_factory.mktemp("iab"))
    parameters["includeUseragents"] = ["TrustedMonitor"]
    parameters["excludeUseragents"] = ["EvilAgent"]
    return IabSpidersAndRobots(config(_document(parameters)))


@pytest.fixture(scope="module")
def open_list() -> IabSpidersAndRobots:
    return IabSpidersAndRobots(config(_document({})))


def _check(enrichment: IabSpidersAndRobots, ua: Any, ip: Any = "203.0.113.9", at: Any = AT) -> Any:
    result = enrichment.enrich(event({"useragent": ua, "user_ipaddress": ip, "derived_tstamp": at}))
    if isinstance(result, list):
        [entity] = result
        assert entity.schema == IAB_SCHEMA
        assert_valid(entity)
        d = entity.data
        return (d["spiderOrRobot"], d["category"], d["reason"], d["primaryImpact"])
    return result


def test_snowplow_configs_validate_against_embedded_schemas(tmp_path: Path) -> None:
    hosted = "http://snowplow-hosted-assets.s3.amazonaws.com/third-party/iab"
    files = {
        "ipFile": {"database": "ip_exclude_current_cidr.txt", "uri": hosted},
        "excludeUseragentFile": {"database": "exclude_current.txt", "uri": hosted},
        "includeUseragentFile": {"database": "include_current.txt", "uri": hosted},
    }
    assert validate_config(_document(files, "1-0-0"))
    assert validate_config(_document({**files, "excludeUseragents": ["x"]}))
    assert not validate_config(_document({**files, "excludeUseragents": ["x"]}, "1-0-0"))


def test_browser_passes_all(iab: IabSpidersAndRobots) -> None:
    assert _check(iab, CHROME) == (False, "BROWSER", "PASSED_ALL", "NONE")


def test_ip_exclusion(iab: IabSpidersAndRobots) -> None:
    expected = (True, "SPIDER_OR_ROBOT", "FAILED_IP_EXCLUDE", "UNKNOWN")
    for ip in ("192.0.2.7", "198.51.100.200", "10.1.200.1", "10.1.2.3:8080", "::1", "[::1]:80"):
        assert _check(iab, CHROME, ip) == expected, ip
    assert _check(iab, CHROME, "10.2.0.1") == (False, "BROWSER", "PASSED_ALL", "NONE")


def test_include_list(iab: IabSpidersAndRobots) -> None:
    failed = (True, "SPIDER_OR_ROBOT", "FAILED_UA_INCLUDE", "UNKNOWN")
    assert _check(iab, "curl/8.4") == failed
    assert _check(iab, "xx mozilla") == failed  # start-of-string pattern
    assert _check(iab, "fancy opera thing")[2] == "PASSED_ALL"
    # an inactive entry still counts before its inactive date
    assert _check(iab, "OldBrowser/1", at=dt.datetime(2024, 3, 29, 23, tzinfo=dt.UTC))[0] is False
    assert _check(iab, "OldBrowser/1", at=dt.datetime(2024, 3, 30, 0, tzinfo=dt.UTC)) == failed
    assert _check(iab, "DeadBrowser/1") == failed


def test_exclude_list(iab: IabSpidersAndRobots) -> None:
    assert _check(iab, GOOGLEBOT) == (
        True,
        "ACTIVE_SPIDER_OR_ROBOT",
        "FAILED_UA_EXCLUDE",
        "PAGE_IMPRESSIONS",
    )
    # exception patterns rescue a user agent
    assert _check(iab, "Mozilla/5.0 (Linux; CUBOT X30)")[2] == "PASSED_ALL"
    assert _check(iab, "Mozilla/5.0 scraper")[3] == "AD_IMPRESSIONS"
    # start-of-string exclusion: only at the start (after the include check)
    assert _check(iab, "Mozilla/5.0 crawlerbox")[2] == "PASSED_ALL"
    assert _check(iab, "Mozilla/5.0 disabled")[2] == "PASSED_ALL"
    retired = "Mozilla/5.0 retired-spider"
    before = dt.datetime(2024, 1, 14, tzinfo=dt.UTC)
    assert _check(iab, retired, at=before)[1] == "ACTIVE_SPIDER_OR_ROBOT"
    assert _check(iab, retired) == (
        True,
        "INACTIVE_SPIDER_OR_ROBOT",
        "FAILED_UA_EXCLUDE",
        "PAGE_AND_AD_IMPRESSIONS",
    )


def test_bad_impact_flag_is_an_enrichment_failure(iab: IabSpidersAndRobots) -> None:
    assert _check(iab, "Mozilla/5.0 badflag") == EnrichmentError(
        "Invalid value of impression flag: '7'"
    )


def test_custom_lists_come_first(iab: IabSpidersAndRobots) -> None:
    assert _check(iab, "trustedmonitor bot", "192.0.2.7")[2] == "PASSED_ALL"
    assert _check(iab, CHROME + " evilagent") == (
        True,
        "ACTIVE_SPIDER_OR_ROBOT",
        "FAILED_UA_EXCLUDE",
        "PAGE_AND_AD_IMPRESSIONS",
    )


@pytest.mark.parametrize(
    ("ua", "ip", "at"),
    [
        (None, "203.0.113.9", AT),
        ("   ", "203.0.113.9", AT),
        (CHROME, None, AT),
        (CHROME, "not-an-ip", AT),
        (CHROME, "example.com:80", AT),
        (CHROME, "203.0.113.9", None),
    ],
)
def test_missing_inputs_give_no_entity(iab: IabSpidersAndRobots, ua: Any, ip: Any, at: Any) -> None:
    assert _check(iab, ua, ip, at) is None


def test_open_crawler_list_without_iab_files(open_list: IabSpidersAndRobots) -> None:
    assert _check(open_list, CHROME) == (False, "BROWSER", "PASSED_ALL", "NONE")
    crawler = (True, "ACTIVE_SPIDER_OR_ROBOT", "FAILED_UA_EXCLUDE", "UNKNOWN")
    assert _check(open_list, GOOGLEBOT) == crawler
    assert _check(open_list, "python-requests/2.31.0") == crawler
    assert _check(open_list, "curl/8.4.0") == crawler


def test_open_list_with_custom_patterns() -> None:
    enrichment = IabSpidersAndRobots(config(_document({"includeUseragents": ["googlebot"]})))
    assert _check(enrichment, GOOGLEBOT)[2] == "PASSED_ALL"


def test_bad_configs_are_rejected(tmp_path: Path) -> None:
    files = _files(tmp_path)
    with pytest.raises(EnrichmentConfigError, match=r"\['includeUseragentFile'\] missing"):
        IabSpidersAndRobots(
            config(_document({k: v for k, v in files.items() if k != "includeUseragentFile"}))
        )
    with pytest.raises(EnrichmentConfigError, match="must be a list of strings"):
        IabSpidersAndRobots(config(_document({**files, "excludeUseragents": "bot"})))
    (tmp_path / "ip_exclude_current_cidr.txt").write_text("1.2.3.0/24\n300.1.1.1/8\n")
    with pytest.raises(EnrichmentConfigError, match=r"line 2: '300.1.1.1/8' is not a CIDR block"):
        IabSpidersAndRobots(config(_document(files)))


def test_lenient_dates() -> None:
    assert parse_iab_date("03/30/2017") == dt.date(2017, 3, 30)
    assert parse_iab_date("13/01/2017") == dt.date(2018, 1, 1)
    assert parse_iab_date("02/30/2017") == dt.date(2017, 3, 2)
    assert parse_iab_date("") is None
    assert parse_iab_date("soon") is None


@settings(max_examples=150)
@given(st.text(max_size=80), st.text(max_size=30))
def test_never_raises(iab: IabSpidersAndRobots, ua: str, ip: str) -> None:
    result = _check(iab, ua, ip)
    assert result is None or isinstance(result, tuple | EnrichmentError)


@settings(max_examples=100)
@given(st.text(max_size=200))
def test_list_parsing_never_raises(text: str) -> None:
    from pyplow.enrich.enrichments._iab_lists import parse_exclude_list, parse_include_list

    assert isinstance(parse_include_list(text), tuple)
    assert isinstance(parse_exclude_list(text), tuple)
