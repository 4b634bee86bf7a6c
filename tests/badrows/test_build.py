"""Bad rows built from collector payloads, adapter results and raw events."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from pyplow import badrows
from pyplow.badrows.build import (
    adapter_bad_rows,
    collector_payload_data,
    format_violations,
    raw_event_data,
    size_violation,
)
from pyplow.protocol import (
    CollectorPayload,
    IgluError,
    RawEvent,
    encode_collector_payload,
    to_raw_events,
)

PROCESSOR = badrows.Processor("pyplow", "0.1.0")
NOW = datetime(2024, 3, 1, 10, 0, 0, 123_000, tzinfo=UTC)
NUID = "c5f3a09f-75f8-4309-bec5-fea560f78455"

GET = CollectorPayload(
    ip_address="203.0.113.7",
    timestamp=1389833398278,
    encoding="UTF-8",
    collector="pyplow-0.1.0-memory",
    user_agent="Mozilla/5.0 (test)",
    path="/i",
    querystring="e=pv&e=pp&page=Caf%C3%A9+%E2%98%95&flag",
    headers=("Host: collector.test", "Cookie: sp=" + NUID),
    hostname="collector.test",
    network_user_id=NUID,
)


def test_collector_payload_data_is_snowplows_shape() -> None:
    data = collector_payload_data(GET, "com.snowplowanalytics.snowplow", "tp1")
    doc = json.loads(badrows.model.msgspec.json.encode(data))
    assert doc == {
        "vendor": "com.snowplowanalytics.snowplow",
        "version": "tp1",
        "querystring": [
            {"name": "e", "value": "pv"},
            {"name": "e", "value": "pp"},  # every pair kept, duplicates too
            {"name": "page", "value": "Café ☕"},
            {"name": "flag", "value": None},
        ],
        "contentType": None,
        "body": None,
        "collector": "pyplow-0.1.0-memory",
        "encoding": "UTF-8",
        "hostname": "collector.test",
        "timestamp": "2014-01-16T00:49:58.278Z",
        "ipAddress": "203.0.113.7",
        "useragent": "Mozilla/5.0 (test)",
        "refererUri": None,
        "headers": ["Host: collector.test", "Cookie: sp=" + NUID],
        "networkUserId": NUID,
    }
    assert list(doc) == list(
        badrows.CollectorPayloadData.__struct_encode_fields__  # Snowplow's key order
    )


def test_raw_event_data_lists_parameters_in_order() -> None:
    event = RawEvent(
        vendor="com.snowplowanalytics.snowplow",
        version="tp2",
        parameters={"e": "pv", "flag": None},
        loader_name="c",
        timestamp=0,
    )
    data = raw_event_data(event)
    assert data.parameters == (badrows.NameValue("e", "pv"), badrows.NameValue("flag", None))
    assert data.timestamp == "1970-01-01T00:00:00.000Z"
    assert data.referer_uri is None  # written as null, as Snowplow does
    assert b'"refererUri":null' in badrows.model.msgspec.json.encode(data)


def test_tracker_protocol_violation_row_for_a_bad_tp2_body() -> None:
    payload = CollectorPayload(
        collector="c",
        path="/com.snowplowanalytics.snowplow/tp2",
        body="not json",
        content_type="application/json",
        timestamp=0,
    )
    result = to_raw_events(payload)
    (row,) = adapter_bad_rows(
        result, payload, encode_collector_payload(payload), processor=PROCESSOR, now=NOW
    )
    assert isinstance(row, badrows.TrackerProtocolViolations)
    assert row.failure.timestamp == "2024-03-01T10:00:00.123Z"
    assert row.failure.vendor == "com.snowplowanalytics.snowplow"
    assert row.payload.body == "not json"
    assert len(row.failure.messages) >= 1
    text = badrows.encode(row)
    decoded = badrows.decode(text)
    assert isinstance(decoded, badrows.SelfDescribingBadRow)
    assert isinstance(decoded.data, badrows.TrackerProtocolViolations)
    assert badrows.encode(decoded) == text


def test_adapter_failure_row_for_an_empty_tp1_request() -> None:
    payload = CollectorPayload(collector="c", path="/i", timestamp=0)
    (row,) = adapter_bad_rows(to_raw_events(payload), payload, b"", processor=PROCESSOR, now=NOW)
    assert isinstance(row, badrows.AdapterFailures)
    message = badrows.model.msgspec.to_builtins(row.failure.messages[0])
    assert message == {
        "field": "querystring",
        "value": None,
        "expectation": "empty querystring: not a valid URI redirect",
    }


def test_format_violation_rows_carry_the_record_in_base64() -> None:
    payload = CollectorPayload(collector="c", path="/a/b/c", network_user_id="not-a-uuid")
    record = encode_collector_payload(payload)
    rows = adapter_bad_rows(to_raw_events(payload), payload, record, processor=PROCESSOR, now=NOW)
    assert len(rows) == 2  # one row per problem: the path and the network user id
    for row in rows:
        assert isinstance(row, badrows.CollectorPayloadFormatViolation)
        assert base64.b64decode(row.payload) == record
        assert row.failure.loader == "thrift"
    fields = {badrows.model.msgspec.to_builtins(r.failure.message)["payloadField"] for r in rows}
    assert fields == {"path", "networkUserId"}


def test_good_request_makes_no_bad_rows() -> None:
    assert adapter_bad_rows(to_raw_events(GET), GET, b"", processor=PROCESSOR, now=NOW) == []


def test_unreadable_record() -> None:
    (row,) = format_violations(
        b"\x0b\x00", [{"error": "error deserializing raw event: x"}], processor=PROCESSOR, now=NOW
    )
    assert row.payload == "CwA="
    assert row.failure.message == {"error": "error deserializing raw event: x"}


def test_size_violation_truncates_the_payload_to_a_tenth_of_the_limit() -> None:
    row = size_violation(
        processor=PROCESSOR,
        now=NOW,
        maximum_bytes=100,
        actual_bytes=250,
        expectation="oversized collector payload: GET requests cannot be split",
        payload="x" * 250,
    )
    assert row.payload == "x" * 10
    assert row.failure.actual_size_bytes == 250


def test_built_rows_validate_against_the_bad_row_schemas() -> None:
    from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository

    validator = Validator(Resolver([builtin_repository()]))
    tp2 = CollectorPayload(
        collector="c", path="/com.snowplowanalytics.snowplow/tp2", body="[", timestamp=0
    )
    bad_path = CollectorPayload(collector="c", path="/x", timestamp=0)
    rows: list[badrows.BadRow] = [
        *adapter_bad_rows(to_raw_events(tp2), tp2, b"t", processor=PROCESSOR, now=NOW),
        *adapter_bad_rows(to_raw_events(bad_path), bad_path, b"p", processor=PROCESSOR, now=NOW),
        size_violation(
            processor=PROCESSOR,
            now=NOW,
            maximum_bytes=10,
            actual_bytes=20,
            expectation="e",
            payload="abc",
        ),
        badrows.SchemaViolations(
            processor=PROCESSOR,
            failure=badrows.EventFailure(
                timestamp=badrows.instant(NOW),
                messages=(
                    IgluError(
                        "iglu:com.acme/x/jsonschema/1-0-0",
                        {
                            "error": "ResolutionError",
                            "lookupHistory": [
                                {
                                    "repository": "Iglu Central",
                                    "errors": [{"error": "NotFound"}],
                                    "attempts": 1,
                                    "lastAttempt": "2024-03-01T10:00:00.123Z",
                                }
                            ],
                        },
                    ),
                ),
            ),
            payload=badrows.EventPayload(
                enriched={"app_id": None},
                raw=raw_event_data(to_raw_events(GET).events[0]),
            ),
        ),
    ]
    assert len(rows) == 4
    for row in rows:
        doc = json.loads(badrows.encode(row))
        key = SchemaKey.parse(doc["schema"])
        assert isinstance(key, SchemaKey)
        result = validator.validate_data(key, doc["data"])
        assert isinstance(result, Validated), (doc["schema"], result)
