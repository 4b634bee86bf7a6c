"""Building bad rows from what failed: collector payloads, adapter results and raw events.

The one place that turns pyplow's in-memory values into the bad-row payload shapes: the whole
request (``CollectorPayloadData``) for adapter and tracker-protocol failures, the raw event
(``RawEventData``) for per-event failures, base64 of the record for unreadable records.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pyplow.badrows.codec import instant
from pyplow.badrows.model import (
    AdapterFailure,
    AdapterFailures,
    CollectorPayloadData,
    CollectorPayloadFormatViolation,
    FormatViolationFailure,
    NameValue,
    Processor,
    RawEventData,
    SizeViolation,
    SizeViolationFailure,
    TrackerProtocolViolations,
)
from pyplow.protocol import (
    AdapterResult,
    BadRowFamily,
    CollectorPayload,
    RawEvent,
    iso_millis,
    parse_pairs,
)


def collector_payload_data(
    payload: CollectorPayload, vendor: str, version: str
) -> CollectorPayloadData:
    """The whole request, every querystring pair kept, nulls written out as Snowplow does."""
    pairs = parse_pairs(payload.querystring) if payload.querystring else ()
    return CollectorPayloadData(
        vendor=vendor,
        version=version,
        querystring=tuple(NameValue(name, value) for name, value in pairs),
        content_type=payload.content_type,
        body=payload.body,
        collector=payload.collector or "",
        encoding=payload.encoding or "UTF-8",
        hostname=payload.hostname,
        timestamp=None if payload.timestamp is None else _millis(payload.timestamp),
        ip_address=payload.ip_address,
        useragent=payload.user_agent,
        referer_uri=payload.referer_uri,
        headers=payload.headers or (),
        network_user_id=payload.network_user_id,
    )


def raw_event_data(event: RawEvent) -> RawEventData:
    """One raw event as per-event bad rows carry it (model 2: parameters as name/value list)."""
    return RawEventData(
        vendor=event.vendor,
        version=event.version,
        parameters=tuple(NameValue(k, v) for k, v in event.parameters.items()),
        content_type=event.content_type,
        loader_name=event.loader_name,
        encoding=event.encoding,
        hostname=event.hostname,
        timestamp=None if event.timestamp is None else _millis(event.timestamp),
        ip_address=event.ip_address,
        useragent=event.useragent,
        referer_uri=event.referer_uri,
        headers=event.headers,
        user_id=event.user_id,
    )


def format_violations(
    record: bytes, messages: Iterable[Any], *, processor: Processor, now: datetime
) -> list[CollectorPayloadFormatViolation]:
    """One ``collector_payload_format_violation`` per message; the payload is the record."""
    payload = base64.b64encode(record).decode("ascii")
    return [
        CollectorPayloadFormatViolation(
            processor=processor,
            failure=FormatViolationFailure(timestamp=instant(now), loader="thrift", message=m),
            payload=payload,
        )
        for m in messages
    ]


def adapter_bad_rows(
    result: AdapterResult,
    payload: CollectorPayload,
    record: bytes,
    *,
    processor: Processor,
    now: datetime,
) -> list[AdapterFailures | TrackerProtocolViolations | CollectorPayloadFormatViolation]:
    """The bad rows of a request whose adapter failed (empty when it produced events)."""
    if result.format_violations:
        return list(
            format_violations(record, result.format_violations, processor=processor, now=now)
        )
    if not result.violations:
        return []
    vendor, version = result.vendor or "", result.version or ""
    failure = AdapterFailure(
        timestamp=instant(now), vendor=vendor, version=version, messages=result.violations
    )
    data = collector_payload_data(payload, vendor, version)
    if result.family is BadRowFamily.TRACKER_PROTOCOL_VIOLATIONS:
        return [TrackerProtocolViolations(processor=processor, failure=failure, payload=data)]
    return [AdapterFailures(processor=processor, failure=failure, payload=data)]


def size_violation(
    *,
    processor: Processor,
    now: datetime,
    maximum_bytes: int,
    actual_bytes: int,
    expectation: str,
    payload: str,
) -> SizeViolation:
    """A record too large for its target; ``payload`` is cut to a tenth of the limit."""
    return SizeViolation(
        processor=processor,
        failure=SizeViolationFailure(
            timestamp=instant(now),
            maximum_allowed_size_bytes=maximum_bytes,
            actual_size_bytes=actual_bytes,
            expectation=expectation,
        ),
        payload=payload[: maximum_bytes // 10],
    )


def _millis(ms: int) -> str | None:
    try:
        return iso_millis(ms)
    except (OverflowError, ValueError):
        return None


__all__ = [
    "adapter_bad_rows",
    "collector_payload_data",
    "format_violations",
    "raw_event_data",
    "size_violation",
]
