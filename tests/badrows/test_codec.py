"""Bad rows: encoding is Snowplow's wire form; decoding keeps everything and never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from pyplow import badrows
from pyplow.badrows import (
    AdapterFailure,
    CollectorPayloadData,
    EventFailure,
    EventPayload,
    NameValue,
    OtherBadRow,
    Processor,
    RawEventData,
    SchemaViolations,
    SelfDescribingBadRow,
    SizeViolation,
    SizeViolationFailure,
    TrackerProtocolViolations,
)

PROCESSOR = Processor(artifact="pyplow", version="0.1.0")

# A tracker_protocol_violations row written the way Snowplow writes one (key order, nulls kept).
TP_ROW = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/tracker_protocol_violations/jsonschema/'
    '1-0-1","data":{"processor":{"artifact":"pyplow","version":"0.1.0"},"failure":{"timestamp":'
    '"2024-03-01T10:00:00.123Z","vendor":"com.snowplowanalytics.snowplow","version":"tp2",'
    '"messages":[{"field":"body","value":"{\\"a\\":1}","expectation":"does not match '
    'payload_data"}]},"payload":{"vendor":"com.snowplowanalytics.snowplow","version":"tp2",'
    '"querystring":[{"name":"stm","value":"1709287200000"},{"name":"flag","value":null}],'
    '"contentType":"application/json","body":"{\\"a\\":1}","collector":"pyplow-0.1.0-memory",'
    '"encoding":"UTF-8","hostname":"collector.test","timestamp":"2024-03-01T10:00:00.100Z",'
    '"ipAddress":"203.0.113.9","useragent":null,"refererUri":null,"headers":["Host: '
    'collector.test","application/json"],"networkUserId":"7f1c2a3e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"}}}'
)

# A schema_violations row from an older producer that left some raw keys out entirely.
SV_ROW = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-0",'
    '"data":{"processor":{"artifact":"stream-enrich","version":"2.0.4"},"failure":{"timestamp":'
    '"2021-06-01T00:00:00Z","messages":[{"schemaKey":"iglu:com.acme/thing/jsonschema/1-0-0",'
    '"error":{"error":"ValidationError","dataReports":[{"message":"$.id: is missing",'
    '"path":"$","keyword":"required","targets":["id"]}]}}]},"payload":{"enriched":{"app_id":'
    '"shop","geo_latitude":50.1188,"domain_sessionidx":3,"contexts":null},"raw":{"vendor":'
    '"com.snowplowanalytics.snowplow","version":"tp2","parameters":[{"name":"e","value":"ue"}],'
    '"contentType":"application/json","loaderName":"ssc-2.3.0-kinesis","encoding":"UTF-8",'
    '"hostname":"c.test","useragent":"curl/8","refererUri":null,"headers":[]}}}}'
)


def test_tracker_protocol_row_round_trips_byte_identical() -> None:
    decoded = badrows.decode(TP_ROW)
    assert isinstance(decoded, SelfDescribingBadRow)
    row = decoded.data
    assert isinstance(row, TrackerProtocolViolations)
    assert row.payload.querystring[1] == NameValue("flag", None)
    assert row.payload.network_user_id == "7f1c2a3e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
    assert row.failure.messages[0]["expectation"] == "does not match payload_data"
    assert badrows.encode(decoded).decode() == TP_ROW


def test_absent_keys_stay_absent_and_nulls_stay_null() -> None:
    decoded = badrows.decode(SV_ROW.encode())
    assert isinstance(decoded, SelfDescribingBadRow)
    assert decoded.schema.endswith("/2-0-0")  # the revision it was written with is kept
    row = decoded.data
    assert isinstance(row, SchemaViolations)
    assert row.payload.raw.referer_uri is None
    assert row.payload.raw.timestamp is badrows.model.UNSET
    assert row.payload.enriched["geo_latitude"] == 50.1188
    assert badrows.encode(decoded).decode() == SV_ROW


def test_built_row_encodes_in_snowplow_order_with_its_schema() -> None:
    row = SchemaViolations(
        processor=PROCESSOR,
        failure=EventFailure(timestamp="2024-03-01T10:00:00Z", messages=({"error": "x"},)),
        payload=EventPayload(
            enriched={"app_id": "a", "event": None},
            raw=RawEventData(
                vendor="com.snowplowanalytics.snowplow",
                version="tp2",
                parameters=(NameValue("e", "pv"),),
                loader_name="pyplow-0.1.0-memory",
            ),
        ),
    )
    text = badrows.encode(row).decode()
    doc = json.loads(text)
    assert doc["schema"] == (
        "iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-1"
    )
    assert list(doc["data"]) == ["processor", "failure", "payload"]
    assert list(doc["data"]["payload"]) == ["enriched", "raw"]
    assert list(doc["data"]["payload"]["raw"]) == [
        "vendor",
        "version",
        "parameters",
        "loaderName",
        "encoding",
    ]
    again = badrows.decode(text)
    assert isinstance(again, SelfDescribingBadRow)
    assert again.data == row


def test_size_violation_camel_case_keys() -> None:
    row = SizeViolation(
        processor=PROCESSOR,
        failure=SizeViolationFailure(
            timestamp="2024-03-01T10:00:00Z",
            maximum_allowed_size_bytes=1000,
            actual_size_bytes=2500,
            expectation="oversized collector payload: GET requests cannot be split",
        ),
        payload="CollectorPayload(schema:iglu:com.snowpl",
    )
    doc = json.loads(badrows.encode(row))
    assert doc["data"]["failure"] == {
        "timestamp": "2024-03-01T10:00:00Z",
        "maximumAllowedSizeBytes": 1000,
        "actualSizeBytes": 2500,
        "expectation": "oversized collector payload: GET requests cannot be split",
    }


def test_adapter_failure_payload_defaults() -> None:
    row = badrows.AdapterFailures(
        processor=PROCESSOR,
        failure=AdapterFailure(
            timestamp="2024-03-01T10:00:00Z",
            vendor="com.acme",
            version="v9",
            messages=(
                {
                    "field": "vendor/version",
                    "value": "com.acme/v9",
                    "expectation": "vendor/version combination is not supported",
                },
            ),
        ),
        payload=CollectorPayloadData(vendor="com.acme", version="v9", collector="c"),
    )
    doc = json.loads(badrows.encode(row))
    assert doc["data"]["payload"] == {
        "vendor": "com.acme",
        "version": "v9",
        "collector": "c",
        "encoding": "UTF-8",
    }


def test_older_model_is_kept_whole() -> None:
    # schema_violations 1-0-0 had parameters as an object; pyplow keeps such rows as they are.
    text = (
        '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/'
        '1-0-0","data":{"processor":{"artifact":"a","version":"1"},"failure":{"timestamp":"t",'
        '"messages":[]},"payload":{"enriched":{},"raw":{"vendor":"v","version":"1",'
        '"parameters":{"e":"pv"},"loaderName":"l","encoding":"UTF-8"}}}}'
    )
    decoded = badrows.decode(text)
    assert isinstance(decoded, SelfDescribingBadRow)
    assert isinstance(decoded.data, OtherBadRow)
    assert decoded.data.data["payload"]["raw"]["parameters"] == {"e": "pv"}
    assert badrows.encode(decoded).decode() == text


def test_unknown_bad_row_type_is_kept_whole() -> None:
    text = (
        '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/relay_failure/jsonschema/1-0-0",'
        '"data":{"processor":{"artifact":"relay","version":"1"},"failure":{"timestamp":"t",'
        '"message":{"messageText":"boom"}},"payload":{"eventRaw":"x"}}}'
    )
    decoded = badrows.decode(text)
    assert isinstance(decoded, SelfDescribingBadRow)
    assert isinstance(decoded.data, OtherBadRow)
    assert badrows.encode(decoded).decode() == text


def test_not_bad_rows_are_errors_not_exceptions() -> None:
    for text in [
        "",
        "[]",
        "{",
        '{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":{}}',
        '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/x/jsonschema/1-0-0","data":[]}',
        '{"data":{}}',
    ]:
        assert isinstance(badrows.decode(text), badrows.BadRowDecodeError), text


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_decode_never_raises(data: bytes | str) -> None:
    result = badrows.decode(data)
    assert isinstance(result, SelfDescribingBadRow | badrows.BadRowDecodeError)


def test_instant_formats_like_java() -> None:
    t = datetime(2020, 2, 17, 9, 28, 18, 100_000, tzinfo=UTC)
    assert badrows.instant(t) == "2020-02-17T09:28:18.100Z"
    assert badrows.instant(t.replace(microsecond=0)) == "2020-02-17T09:28:18Z"
    assert badrows.instant(t.replace(microsecond=123_456)) == "2020-02-17T09:28:18.123456Z"
    plus_two = timezone(timedelta(hours=2))
    assert badrows.instant(t.astimezone(plus_two)) == "2020-02-17T09:28:18.100Z"
