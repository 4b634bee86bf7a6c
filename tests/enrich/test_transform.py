"""Phase 1: tracker parameters → typed enriched fields, parse errors → reports."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.transform import (
    ATOMIC_SCHEMA,
    PARSE_ERROR_KEYWORD,
    Transformed,
    safe_text,
    transform,
)
from pyplow.iglu import DataReport
from pyplow.protocol import PARAMETERS, RawEvent

ETL = dt.datetime(2026, 5, 7, 16, 14, 5, 976_543, tzinfo=dt.UTC)
COLLECTOR_MS = 1_778_170_445_123  # 2026-05-07 16:14:05.123 UTC
GENERATED_ID = "00000000-0000-4000-8000-000000000000"
NETWORK_ID = "ecdff4d0-9175-40ac-a8bb-325c49733607"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120"


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[arg-type,misc]


def raw_event(params: dict[str, str | None], **context: Any) -> RawEvent:
    defaults: dict[str, Any] = {
        "loader_name": "ssc-3.4.0-kinesis",
        "timestamp": COLLECTOR_MS,
        "ip_address": "203.0.113.9",
        "useragent": BROWSER_UA,
        "user_id": NETWORK_ID,
    }
    defaults.update(context)
    return RawEvent(
        vendor="com.snowplowanalytics.snowplow", version="tp2", parameters=params, **defaults
    )


def run(params: dict[str, str | None], **context: Any) -> Transformed:
    return transform(
        raw_event(params, **context),
        etl_tstamp=ETL,
        v_etl="pyplow-enrich-0.1.0",
        new_event_id=lambda: GENERATED_ID,
    )


def parse_error(path: str, message: str) -> DataReport:
    return DataReport(message=message, path=path, keyword=PARSE_ERROR_KEYWORD)


# A JavaScript-tracker page view as the v3 tracker sends it in a POST body (25 parameters).
JS_PAGE_VIEW: dict[str, str | None] = {
    "e": "pv",
    "url": "https://shop.example.com/products/blue-widget?utm_source=news",
    "page": "Blue widget – Café ☕",
    "refr": "https://www.google.com/search?q=blue+widget",
    "eid": "8d91b889-c5bd-4a0c-bb7f-bf7865c9aa6a",
    "tv": "js-3.24.6",
    "tna": "sp1",
    "aid": "shop",
    "p": "web",
    "cookie": "1",
    "cs": "UTF-8",
    "lang": "en-GB",
    "res": "1280x720",
    "cd": "24",
    "tz": "Europe/London",
    "dtm": "1778170444467",
    "vp": "1263x609",
    "ds": "1248x2429",
    "vid": "3",
    "sid": "8E956703-1420-46BC-B505-0F2F586E72F5",
    "duid": "f7364b00-2a82-467c-92c6-82bc4a778d22",
    "uid": "user-42",
    "stm": "1778170444471",
    "f_pdf": "1",
    "f_java": "0",
}


def test_js_page_view_sets_every_field() -> None:
    result = run(JS_PAGE_VIEW)
    assert result.reports == []
    assert result.fields == {
        "event_id": "8d91b889-c5bd-4a0c-bb7f-bf7865c9aa6a",
        "v_collector": "ssc-3.4.0-kinesis",
        "v_etl": "pyplow-enrich-0.1.0",
        "etl_tstamp": utc(2026, 5, 7, 16, 14, 5, 976_000),
        "network_userid": NETWORK_ID,
        "user_ipaddress": "203.0.113.9",
        "useragent": BROWSER_UA,
        "collector_tstamp": utc(2026, 5, 7, 16, 14, 5, 123_000),
        "event": "page_view",
        "page_url": "https://shop.example.com/products/blue-widget?utm_source=news",
        "page_title": "Blue widget – Café ☕",
        "page_referrer": "https://www.google.com/search?q=blue+widget",
        "v_tracker": "js-3.24.6",
        "name_tracker": "sp1",
        "app_id": "shop",
        "platform": "web",
        "br_cookies": True,
        "doc_charset": "UTF-8",
        "br_lang": "en-GB",
        "dvce_screenwidth": 1280,
        "dvce_screenheight": 720,
        "br_colordepth": "24",
        "os_timezone": "Europe/London",
        "dvce_created_tstamp": utc(2026, 5, 7, 16, 14, 4, 467_000),
        "br_viewwidth": 1263,
        "br_viewheight": 609,
        "doc_width": 1248,
        "doc_height": 2429,
        "domain_sessionidx": 3,
        "domain_sessionid": "8e956703-1420-46bc-b505-0f2f586e72f5",
        "domain_userid": "f7364b00-2a82-467c-92c6-82bc4a778d22",
        "user_id": "user-42",
        "dvce_sent_tstamp": utc(2026, 5, 7, 16, 14, 4, 471_000),
        "br_features_pdf": True,
        "br_features_java": False,
    }


def test_generated_event_id_used_without_eid() -> None:
    ids = itertools.count()
    result = transform(
        raw_event({"e": "pp"}),
        etl_tstamp=ETL,
        v_etl="v",
        new_event_id=lambda: f"id-{next(ids)}",
    )
    assert result.fields["event_id"] == "id-0"
    assert result.fields["event"] == "page_ping"


def test_python_tracker_unstruct_event_and_tnuid() -> None:
    params: dict[str, str | None] = {
        "e": "ue",
        "p": "srv",
        "tv": "py-1.1.0",
        "ue_px": "eyJzY2hlbWEiOiAiaWdsdTpjb20uc25vd3Bsb3dhbmFseXRpY3Muc25vd3Bsb3cvdW5zdHJ1Y3RfZX"
        "ZlbnQvanNvbnNjaGVtYS8xLTAtMCJ9",
        "tnuid": "5d9a2b34-1111-4c1a-9d1e-0a1b2c3d4e5f",
        "ip": "198.51.100.4",
        "ua": "python-requests/2.31",
    }
    fields = run(params).fields
    assert fields["event"] == "unstruct"
    assert fields["platform"] == "srv"
    assert fields["network_userid"] == "5d9a2b34-1111-4c1a-9d1e-0a1b2c3d4e5f"
    assert fields["user_ipaddress"] == "198.51.100.4"
    assert fields["useragent"] == "python-requests/2.31"
    # JSON carriers are read by tracker_json, never copied as text here.
    assert "unstruct_event" not in fields


def test_page_ping_offsets() -> None:
    params: dict[str, str | None] = {
        "e": "pp",
        "pp_mix": "0",
        "pp_max": "-12",
        "pp_miy": "null",
        "pp_may": "2147483647",
    }
    fields = run(params).fields
    assert fields["pp_xoffset_min"] == 0
    assert fields["pp_xoffset_max"] == -12
    assert fields["pp_yoffset_min"] is None
    assert fields["pp_yoffset_max"] == 2147483647


def test_structured_event_decimal_keeps_scale() -> None:
    params: dict[str, str | None] = {
        "e": "se",
        "se_ca": "shop",
        "se_ac": "add-to-basket",
        "se_la": "blue widget",
        "se_pr": "size\tL",
        "se_va": "12.50",
    }
    fields = run(params).fields
    assert fields["event"] == "struct"
    assert fields["se_value"] == Decimal("12.50")
    assert str(fields["se_value"]) == "12.50"
    assert fields["se_property"] == "size    L"
    assert str(run({"se_va": "1E+3"}).fields["se_value"]) == "1000"


def test_transaction_and_item() -> None:
    tr = run(
        {
            "e": "tr",
            "tr_id": "order-1",
            "tr_af": "web",
            "tr_tt": "99.90",
            "tr_tx": "8.32",
            "tr_sh": "4",
            "tr_ci": "London",
            "tr_st": "England",
            "tr_co": "UK",
            "tr_cu": "GBP",
        }
    ).fields
    assert tr["event"] == "transaction"
    assert (tr["tr_total"], tr["tr_tax"], tr["tr_shipping"]) == (
        Decimal("99.90"),
        Decimal("8.32"),
        Decimal("4"),
    )
    assert (tr["tr_orderid"], tr["tr_currency"], tr["tr_country"]) == ("order-1", "GBP", "UK")
    ti = run(
        {
            "e": "ti",
            "ti_id": "order-1",
            "ti_sk": "W-1",
            "ti_na": "old name",
            "ti_nm": "Blue widget",
            "ti_ca": "widgets",
            "ti_pr": "49.95",
            "ti_qu": "2",
            "ti_cu": "GBP",
        }
    ).fields
    assert ti["event"] == "transaction_item"
    assert ti["ti_name"] == "Blue widget"  # the current spelling beats the legacy ti_na
    assert (ti["ti_price"], ti["ti_quantity"], ti["ti_sku"]) == (Decimal("49.95"), 2, "W-1")
    assert run({"ti_na": "legacy only"}).fields["ti_name"] == "legacy only"


@pytest.mark.parametrize(
    ("params", "user_id", "expected"),
    [
        ({}, NETWORK_ID, NETWORK_ID),
        ({"nuid": "from-nuid"}, NETWORK_ID, "from-nuid"),
        ({"tnuid": "from-tnuid", "nuid": "from-nuid"}, NETWORK_ID, "from-tnuid"),
        ({"nuid": "from-nuid", "tnuid": "from-tnuid"}, None, "from-tnuid"),
        ({"nuid": "from-nuid", "tnuid": None}, None, "from-nuid"),
        ({}, None, None),
    ],
)
def test_network_userid_precedence(
    params: dict[str, str | None], user_id: str | None, expected: str | None
) -> None:
    assert run(params, user_id=user_id).fields.get("network_userid") == expected


@pytest.mark.parametrize(
    ("ip_param", "collector_ip", "expected"),
    [
        (None, "203.0.113.9", "203.0.113.9"),
        (None, "203.0.113.9, 10.0.0.1", "203.0.113.9"),
        ("198.51.100.1,10.0.0.2", "203.0.113.9", "198.51.100.1"),
        ("198.51.100.1|10.0.0.2", None, "198.51.100.1"),
        ("2001:db8::1 10.0.0.2", None, "2001:db8::1"),
    ],
)
def test_ip_address(ip_param: str | None, collector_ip: str | None, expected: str) -> None:
    params: dict[str, str | None] = {} if ip_param is None else {"ip": ip_param}
    assert run(params, ip_address=collector_ip).fields["user_ipaddress"] == expected


def test_useragent_override_and_cleaning() -> None:
    assert run({"ua": "Custom/1.0"}).fields["useragent"] == "Custom/1.0"
    assert run({}, useragent="Agent\twith\r\ncontrols").fields["useragent"] == (
        "Agent    withcontrols"
    )
    # An empty ua parameter clears the header's value, as Enrich's mapping does.
    assert run({"ua": ""}).fields["useragent"] is None
    assert "useragent" not in run({}, useragent=None).fields


def test_cv_overrides_collector_name() -> None:
    assert run({"cv": "clj-1.1.0-tom-0.2.0"}).fields["v_collector"] == "clj-1.1.0-tom-0.2.0"
    assert run({}, loader_name="").fields["v_collector"] is None


def test_legacy_structured_names() -> None:
    assert run({"ev_ca": "legacy"}).fields["se_category"] == "legacy"
    both = run({"ev_ca": "legacy", "se_ca": "current"})
    assert both.fields["se_category"] == "current"
    # A malformed shadowed value is still reported.
    shadowed = run({"ev_va": "abc", "se_va": "1.5"})
    assert shadowed.fields["se_value"] == Decimal("1.5")
    assert [r.path for r in shadowed.reports] == ["ev_va"]


def test_parse_errors_become_reports() -> None:
    params: dict[str, str | None] = {
        "e": "xx",
        "eid": "{8d91b889-c5bd-4a0c-bb7f-bf7865c9aa6a}",
        "vid": "1.5",
        "tid": "2147483648",
        "cookie": "yes",
        "res": "1280*720",
        "p": "desktop",
        "sid": "not-a-uuid",
        "dtm": "yesterday",
        "tr_tt": "1,000.00",
    }
    result = run(params)
    assert result.reports == [
        parse_error("e", "Not a valid event type"),
        parse_error("eid", "Not a valid UUID"),
        parse_error("vid", "Cannot be converted to java.lang.Integer"),
        parse_error("tid", "Cannot be converted to java.lang.Integer"),
        parse_error("cookie", "Cannot be converted to Boolean-like java.lang.Byte"),
        parse_error("res", r"Does not conform to regex (\d+)x(\d+)"),
        parse_error("p", "Not a valid platform"),
        parse_error("sid", "Not a valid UUID"),
        parse_error("dtm", "Not in the expected format: ms since epoch"),
        parse_error("tr_tt", "Cannot be converted to java.math.BigDecimal: not a decimal number"),
    ]
    assert all(r.targets == () for r in result.reports)
    # Fields whose value was refused stay as they were (the generated id stays).
    assert result.fields["event_id"] == GENERATED_ID
    for field in ("event", "domain_sessionidx", "br_cookies", "dvce_screenwidth", "platform"):
        assert field not in result.fields
    assert ATOMIC_SCHEMA == "iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0"


def test_dims_overflowing_int() -> None:
    result = run({"vp": "2147483648x10"})
    assert result.reports == [
        parse_error("vp", "Could not be converted to java.lang.Integer s"),
    ]


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (None, parse_error("collector_tstamp", "Field not set")),
        (
            253_402_300_800_000,
            parse_error(
                "collector_tstamp",
                "Formatted as 10000-01-01 00:00:00.000 is not Redshift-compatible",
            ),
        ),
    ],
)
def test_collector_tstamp_errors(timestamp: int | None, expected: DataReport) -> None:
    result = run({"e": "pv"}, timestamp=timestamp)
    assert result.reports == [expected]
    assert "collector_tstamp" not in result.fields


def test_timestamp_year_range_boundaries() -> None:
    last = run({"dtm": "253402300799999", "ttm": "-62135596800000"})
    assert last.reports == []
    assert last.fields["dvce_created_tstamp"] == utc(9999, 12, 31, 23, 59, 59, 999_000)
    assert last.fields["true_tstamp"] == utc(1, 1, 1)
    beyond = run({"dtm": "253402300800000"})
    assert beyond.reports == [
        parse_error("dtm", "Formatting as 10000-01-01 00:00:00.000 is not Redshift-compatible")
    ]
    assert run({}, timestamp=253_402_300_799_999).fields["collector_tstamp"] == utc(
        9999, 12, 31, 23, 59, 59, 999_000
    )


def test_unknown_and_valueless_parameters_are_ignored() -> None:
    result = run({"foo": "bar", "aid": None, "ctype": "x", "_sp": "abc"})
    assert result.reports == []
    assert set(result.fields) == {
        "event_id",
        "v_collector",
        "v_etl",
        "etl_tstamp",
        "network_userid",
        "user_ipaddress",
        "useragent",
        "collector_tstamp",
    }


def test_empty_strings() -> None:
    result = run({"aid": "", "url": "", "vid": ""})
    assert result.fields["app_id"] is None
    assert result.fields["page_url"] is None
    assert result.reports == [parse_error("vid", "Cannot be converted to java.lang.Integer")]


def test_naive_etl_tstamp_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        transform(
            raw_event({}),
            etl_tstamp=dt.datetime(2026, 1, 1),
            v_etl="v",
            new_event_id=lambda: GENERATED_ID,
        )


def test_safe_text() -> None:
    assert safe_text("plain") == "plain"
    assert safe_text("") is None
    assert safe_text("\r\n") is None
    assert safe_text("a\tb\x00c\x7f") == "a    bc"
    assert safe_text("non\u00a0breaking") == "non\u00a0breaking"


_NAMES = [p.name for p in PARAMETERS] + ["foo", "_sp"]
_TYPES = (str, int, bool, Decimal, dt.datetime, type(None))


@settings(max_examples=150, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from(_NAMES),
        st.one_of(st.none(), st.text(max_size=30), st.from_regex(r"-?[0-9]{1,16}", fullmatch=True)),
        max_size=12,
    ),
    timestamp=st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
)
def test_transform_never_raises(params: dict[str, str | None], timestamp: int | None) -> None:
    result = run(params, timestamp=timestamp)
    for report in result.reports:
        assert report.keyword == PARSE_ERROR_KEYWORD
        assert report.path in params or report.path == "collector_tstamp"
        assert report.message
    for value in result.fields.values():
        assert isinstance(value, _TYPES)
        if isinstance(value, str):
            assert "\t" not in value
            assert "\n" not in value
        if isinstance(value, dt.datetime):
            assert value.tzinfo is not None
