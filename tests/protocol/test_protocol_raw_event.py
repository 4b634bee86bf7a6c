"""Raw events and what the adapters read off a request's path and network user id."""

from __future__ import annotations

from pyplow.protocol.collector_payload import CollectorPayload
from pyplow.protocol.raw_event import RawEvent
from pyplow.protocol.request import TP1, Api, parse_api, parse_network_user_id, raw_event
from pyplow.protocol.violations import CollectorPayloadInputData


def test_raw_event_carries_the_request_context() -> None:
    payload = CollectorPayload(
        ip_address="198.51.100.1",
        timestamp=1389833398278,
        collector="ssc-3.4.0-kinesis",
        user_agent="curl/8",
        path="/com.snowplowanalytics.snowplow/tp2",
        content_type="application/json",
        hostname="collector.example.org",
        network_user_id="c5f3a09f-75f8-4309-bec5-fea560f78455",
    )
    api = Api("com.snowplowanalytics.snowplow", "tp2")
    event = raw_event(payload, api, {"e": "pv", "flag": None})
    assert event == RawEvent(
        vendor="com.snowplowanalytics.snowplow",
        version="tp2",
        parameters={"e": "pv", "flag": None},
        content_type="application/json",
        loader_name="ssc-3.4.0-kinesis",
        encoding="UTF-8",
        hostname="collector.example.org",
        timestamp=1389833398278,
        ip_address="198.51.100.1",
        useragent="curl/8",
        headers=(),
        user_id="c5f3a09f-75f8-4309-bec5-fea560f78455",
    )


def test_parse_api() -> None:
    assert parse_api("/com.snowplowanalytics.snowplow/tp2") == Api(
        "com.snowplowanalytics.snowplow", "tp2"
    )
    assert parse_api("com.acme/v1/") == Api("com.acme", "v1")
    assert parse_api("/r/tp2") == Api("r", "tp2")
    for legacy in ("/i", "/i?e=pv", "/ice.png", "/ice.png?x=1"):
        assert parse_api(legacy) == TP1
    for bad in ("/", "/a", "/a/b/c", "//b", "/ix"):
        result = parse_api(bad)
        assert isinstance(result, CollectorPayloadInputData)
        assert result.payload_field == "path"
        assert result.value == bad
    assert parse_api(None) == CollectorPayloadInputData(
        "path", None, "request does not contain a path"
    )


def test_network_user_id() -> None:
    assert parse_network_user_id(None) is None
    assert parse_network_user_id("C5F3A09F-75F8-4309-BEC5-FEA560F78455") == (
        "c5f3a09f-75f8-4309-bec5-fea560f78455"
    )
    assert parse_network_user_id("nope") == CollectorPayloadInputData(
        "networkUserId", "nope", "not valid UUID"
    )
