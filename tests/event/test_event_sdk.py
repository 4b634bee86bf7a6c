from typing import Any

import msgspec
import pytest
from event_rows import OLD_SECOND_PRECISION, PAGE_VIEW, REQUIRED, TRANSACTION, UNSTRUCT_JSON, row

from pyplow.event import (
    FIELDS,
    Contexts,
    EnrichedEvent,
    Entity,
    EventParseError,
    FieldNumberMismatch,
    Kind,
    PythonSdkError,
    decode_tsv,
    python_sdk_key,
    scala_sdk_key,
    to_lossless_json,
    to_python_sdk_json,
    to_sdk_json,
    transform,
)

_ATOMIC = [f.name for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)]

PAGE_VIEW_SCALA_SET: dict[str, Any] = {
    "geo_location": "48.8566,2.3522",
    "app_id": "shop",
    "platform": "web",
    "etl_tstamp": "2024-03-01T12:00:01.003Z",
    "collector_tstamp": "2024-03-01T12:00:00.250Z",
    "dvce_created_tstamp": "2024-03-01T12:00:00Z",
    "event": "page_view",
    "event_id": "5f3c1a2b-9d8e-4f70-a1b2-c3d4e5f60718",
    "name_tracker": "sp",
    "v_tracker": "js-3.23.0",
    "v_collector": "ssc-3.2.0-kinesis",
    "v_etl": "snowplow-enrich-kinesis-4.1.0",
    "domain_sessionidx": 4,
    "geo_latitude": 48.8566,
    "geo_longitude": 2.3522,
    "page_url": "https://shop.example/cart?x=1",
    "page_urlport": 443,
    "contexts_com_snowplowanalytics_snowplow_web_page_1": [
        {"_schema_version": "1-0-0", "id": "a86c42e5-b831-45c8-b706-e214c26b4b3d"}
    ],
    "contexts_com_acme_cart_state_2": [
        {
            "_schema_version": "2-1-0",
            "items": 3,
            "total": 59.9,
            "currency": "EUR",
            "note": "Größe M ✓",
        }
    ],
    "br_features_pdf": False,
    "br_cookies": True,
    "contexts_nl_basjes_yauaa_context_1": [
        {"_schema_version": "1-0-4", "deviceClass": "Desktop", "agentName": "Firefox"}
    ],
    "derived_tstamp": "2024-03-01T12:00:00.125Z",
}

PAGE_VIEW_PYTHON: dict[str, Any] = {
    "geo_location": "48.8566,2.3522",
    "app_id": "shop",
    "platform": "web",
    "etl_tstamp": "2024-03-01T12:00:01.003Z",
    "collector_tstamp": "2024-03-01T12:00:00.250Z",
    "dvce_created_tstamp": "2024-03-01T12:00:00.000Z",
    "event": "page_view",
    "event_id": "5f3c1a2b-9d8e-4f70-a1b2-c3d4e5f60718",
    "name_tracker": "sp",
    "v_tracker": "js-3.23.0",
    "v_collector": "ssc-3.2.0-kinesis",
    "v_etl": "snowplow-enrich-kinesis-4.1.0",
    "domain_sessionidx": 4,
    "geo_latitude": 48.8566,
    "geo_longitude": 2.3522,
    "page_url": "https://shop.example/cart?x=1",
    "page_urlport": 443,
    "contexts_com_snowplowanalytics_snowplow_web_page_1": [
        {"id": "a86c42e5-b831-45c8-b706-e214c26b4b3d"}
    ],
    "contexts_com_acme_cart_state_2": [
        {"items": 3, "total": 59.9, "currency": "EUR", "note": "Größe M ✓"}
    ],
    "br_features_pdf": False,
    "br_cookies": True,
    "contexts_nl_basjes_yauaa_context_1": [{"deviceClass": "Desktop", "agentName": "Firefox"}],
    "derived_tstamp": "2024-03-01T12:00:00.125Z",
}


def _event(line: str) -> EnrichedEvent:
    event = decode_tsv(line)
    assert isinstance(event, EnrichedEvent), event
    return event


def test_scala_shredded_page_view_whole_dict() -> None:
    result = to_sdk_json(_event(PAGE_VIEW))
    expected = dict.fromkeys(_ATOMIC) | PAGE_VIEW_SCALA_SET
    assert result == expected
    keys = list(result)
    assert keys[:3] == ["geo_location", "app_id", "platform"]
    # shredded keys sit where their JSON field was
    assert (
        keys[keys.index("mkt_campaign") + 1] == "contexts_com_snowplowanalytics_snowplow_web_page_1"
    )
    assert keys[keys.index("refr_dvce_tstamp") + 1] == "contexts_nl_basjes_yauaa_context_1"
    assert "contexts" not in result
    assert "derived_contexts" not in result
    assert result == transform(PAGE_VIEW)


def test_python_sdk_page_view_whole_dict() -> None:
    result = to_python_sdk_json(_event(PAGE_VIEW))
    assert result == PAGE_VIEW_PYTHON
    assert list(result) == list(PAGE_VIEW_PYTHON)


def test_money_fields() -> None:
    event = _event(TRANSACTION)
    scala = to_sdk_json(event)
    assert scala["tr_total"] == 12.5
    assert scala["tr_shipping"] == 0.0
    assert scala["se_value"] == 1000.0
    assert isinstance(scala["se_value"], float)
    python = to_python_sdk_json(event)
    assert python["se_value"] == "1E+3"
    assert python["tr_total"] == 12.5
    assert python["tr_total_base"] == 13.5125


def test_second_precision_and_refr_name() -> None:
    event = msgspec.structs.replace(
        _event(OLD_SECOND_PRECISION), refr_dvce_tstamp=_event(PAGE_VIEW).collector_tstamp
    )
    scala = to_sdk_json(event)
    python = to_python_sdk_json(event)
    assert scala["collector_tstamp"] == "2013-11-26T00:02:05Z"
    assert python["collector_tstamp"] == "2013-11-26T00:02:05Z"
    assert scala["refr_dvce_tstamp"] == "2024-03-01T12:00:00.250Z"
    assert python["refr_device_tstamp"] == "2024-03-01T12:00:00.250Z"
    assert "refr_dvce_tstamp" not in python
    assert "geo_location" not in scala


def test_unstruct_event_and_derived_wins() -> None:
    shared = "iglu:com.acme/thing/jsonschema/1-0-0"
    line = row(
        unstruct_event=UNSTRUCT_JSON,
        contexts='{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",'
        f'"data":[{{"schema":"{shared}","data":{{"from":"custom"}}}},'
        '{"schema":"iglu:com.acme/thing/jsonschema/1-1-0","data":{"from":"custom2"}},'
        '{"schema":"iglu:com.acme/scalar/jsonschema/1-0-0","data":7}]}',
        derived_contexts='{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",'
        f'"data":[{{"schema":"{shared}","data":{{"from":"derived","_schema_version":"x"}}}}]}}',
        **REQUIRED,
    )
    scala = to_sdk_json(_event(line))
    assert scala["contexts_com_acme_thing_1"] == [{"_schema_version": "1-0-0", "from": "derived"}]
    assert scala["contexts_com_acme_scalar_1"] == [{"_schema_version": "1-0-0"}]
    assert scala["unstruct_event_com_snowplowanalytics_snowplow_link_click_1"] == {
        "targetUrl": "https://example.com/a",
        "elementId": "nav",
    }
    python = to_python_sdk_json(_event(line))
    assert python["contexts_com_acme_thing_1"] == [{"from": "derived", "_schema_version": "x"}]
    assert python["contexts_com_acme_scalar_1"] == [7]


def test_key_transforms() -> None:
    assert scala_sdk_key("contexts", "iglu:org.schema/WebPage/jsonschema/1-0-0") == (
        "contexts_org_schema_web_page_1"
    )
    assert scala_sdk_key("contexts", "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0") == (
        "contexts_org_w3_performance_timing_1"
    )
    assert scala_sdk_key("unstruct_event", "iglu:com.My-Co/my-Event_URL/jsonschema/10-0-1") == (
        "unstruct_event_com_my_co_my_event_url_10"
    )
    assert python_sdk_key("contexts", "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0") == (
        "contexts_org_w3_performance_timing_1"
    )
    assert python_sdk_key("contexts", "iglu:com.my-co/x/jsonschema/1-0-0") is None


def test_python_sdk_rejects_dashed_schema_names() -> None:
    event = EnrichedEvent(
        contexts=Contexts(data=(Entity("iglu:com.my-co/x/jsonschema/1-0-0", {}),)),
    )
    with pytest.raises(PythonSdkError, match=r"com\.my-co/x"):
        to_python_sdk_json(event)
    assert to_sdk_json(event)["contexts_com_my_co_x_1"] == [{"_schema_version": "1-0-0"}]


def test_lossless_json() -> None:
    lossless = to_lossless_json(_event(PAGE_VIEW))
    assert list(lossless) == [f.name for f in FIELDS]
    assert lossless["unstruct_event"] is None
    assert lossless["derived_contexts"] == {
        "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
        "data": [
            {
                "schema": "iglu:nl.basjes/yauaa_context/jsonschema/1-0-4",
                "data": {"deviceClass": "Desktop", "agentName": "Firefox"},
            }
        ],
    }
    assert lossless["dvce_created_tstamp"] == "2024-03-01T12:00:00Z"
    assert lossless["txn_id"] is None
    empty = to_lossless_json(_event(row(unstruct_event=UNSTRUCT_JSON, **REQUIRED)))
    assert empty["contexts"] == {}
    assert empty["unstruct_event"]["schema"] == (
        "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
    )


def test_transform_raises_a_clear_error() -> None:
    with pytest.raises(EventParseError, match="expected 131 TAB-separated fields, got 3") as info:
        transform("a\tb\tc")
    assert info.value.error == FieldNumberMismatch(3)
    with pytest.raises(EventParseError, match="event_id='nope'"):
        transform(row(**(REQUIRED | {"event_id": "nope"})))
