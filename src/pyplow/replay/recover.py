"""From one bad row to the raw request or event it came from (or why that is impossible).

* ``adapter_failures`` / ``tracker_protocol_violations`` carry the whole request: it becomes a
  *request* document (path from vendor/version: tp2 → ``/com.snowplowanalytics.snowplow/tp2``,
  tp1 → ``/i``, others ``/{vendor}/{version}``).
* ``schema_violations`` / ``enrichment_failures`` carry one event (``payload.raw``; model 1's
  parameter object is read too): it becomes an *event* document, later sent as a request of
  its own. tp1 events go back to ``/i``; every other event goes to the tp2 path, because the
  raw event already holds tracker-protocol parameters (running a webhook or redirect adapter
  on them again would not give the same event).
* ``collector_payload_format_violation`` carries the record's bytes: when they still decode as
  a ``CollectorPayload`` it is a request document that is replayed only if, after fixes, it
  passes the checks that failed (path, querystring, network user id).
* ``size_violation`` (a truncated rendering), loader rows (enriched, not raw, events) and the
  other types hold no raw record: they are reported as not replayable, with the reason.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from pyplow.badrows import (
    AdapterFailures,
    BadRowDecodeError,
    CollectorPayloadData,
    CollectorPayloadFormatViolation,
    EnrichmentFailures,
    OtherBadRow,
    RawEventData,
    SchemaViolations,
    SizeViolation,
    TrackerProtocolViolations,
    decode,
)
from pyplow.protocol import CollectorPayload, PayloadDecodeError, decode_collector_payload
from pyplow.replay.document import (
    TP2_PATH,
    DocumentError,
    Kind,
    encode_querystring,
    event_document,
    millis_of,
    request_document,
)

__all__ = ["NotReplayable", "Recovered", "api_path", "recover"]

SNOWPLOW = "com.snowplowanalytics.snowplow"
_ENCODER = msgspec.json.Encoder()
_REQUEST_TYPES = ("adapter_failures", "tracker_protocol_violations")
_EVENT_TYPES = ("schema_violations", "enrichment_failures")
_REASONS = {
    "size_violation": "a size_violation payload is a truncated rendering of the record; "
    "the original cannot be rebuilt",
    "loader_parsing_error": "loader bad rows hold enriched events, not raw ones: "
    "fix and load them again instead of replaying them through enrich",
}
for _name in ("loader_iglu_error", "loader_runtime_error", "loader_recovery_error"):
    _REASONS[_name] = _REASONS["loader_parsing_error"]


class Recovered(msgspec.Struct, frozen=True, kw_only=True):
    """A replayable document and what fixes match against."""

    schema: str
    type_name: str
    kind: Kind
    vendor: str | None
    version: str | None
    failure_text: str
    document: dict[str, Any]
    #: Format violations: replay only if the rebuilt payload passes the collector checks.
    check_format: bool = False


class NotReplayable(msgspec.Struct, frozen=True):
    """A bad row with no raw record to replay; ``reason`` says why."""

    type_name: str
    reason: str


def api_path(vendor: str, version: str) -> str:
    """The collector path of a vendor/version pair."""
    if vendor == SNOWPLOW and version == "tp2":
        return TP2_PATH
    if vendor == SNOWPLOW and version == "tp1":
        return "/i"
    return f"/{vendor}/{version}"


def _opt(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


def _timestamp(value: Any, where: str) -> int | str | None:
    """Milliseconds, None when absent, or the reason it is unusable."""
    if value is None or value is msgspec.UNSET:
        return None
    found = millis_of(value)
    if isinstance(found, DocumentError):
        return f"{where}: {found.message}"
    if not -(2**63) <= found < 2**63:
        return f"{where}: timestamp {value!r} is out of range"
    return found


def _from_request(data: CollectorPayloadData) -> CollectorPayload | str:
    stamp = _timestamp(data.timestamp, "payload.timestamp")
    if isinstance(stamp, str):
        return stamp
    pairs = data.querystring if data.querystring is not msgspec.UNSET else ()
    query = "&".join(encode_querystring({p.name: p.value}) for p in pairs if p.name)
    headers = data.headers if data.headers is not msgspec.UNSET else None
    return CollectorPayload(
        ip_address=_opt(data.ip_address),
        timestamp=stamp,
        encoding=data.encoding,
        collector=data.collector,
        user_agent=_opt(data.useragent),
        referer_uri=_opt(data.referer_uri),
        path=api_path(data.vendor, data.version),
        querystring=query or None,
        body=_opt(data.body),
        headers=headers,
        content_type=_opt(data.content_type),
        hostname=_opt(data.hostname),
        network_user_id=_opt(data.network_user_id),
    )


def _from_event(raw: RawEventData) -> tuple[dict[str, str | None], CollectorPayload] | str:
    stamp = _timestamp(raw.timestamp, "payload.raw.timestamp")
    if isinstance(stamp, str):
        return stamp
    pairs = _opt(raw.parameters) or ()
    params = {p.name: p.value for p in pairs}
    if not params:
        return "payload.raw.parameters is empty: there is no event to replay"
    tp1 = raw.vendor == SNOWPLOW and raw.version == "tp1"
    context = CollectorPayload(
        ip_address=_opt(raw.ip_address),
        timestamp=stamp,
        encoding=raw.encoding,
        collector=raw.loader_name,
        user_agent=_opt(raw.useragent),
        referer_uri=_opt(raw.referer_uri),
        path="/i" if tp1 else TP2_PATH,
        headers=_opt(raw.headers),
        content_type=None if tp1 else _opt(raw.content_type),
        hostname=_opt(raw.hostname),
        network_user_id=_opt(raw.user_id),
    )
    return params, context


def _convert(value: Any, kind: type[Any]) -> Any:
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        return f"payload is not a {kind.__name__}: {exc}"


def _model1_raw(data: dict[str, Any]) -> Any:
    payload = data.get("payload")
    raw = payload.get("raw") if isinstance(payload, dict) else None
    if isinstance(raw, dict) and isinstance(raw.get("parameters"), dict):
        raw = {**raw, "parameters": [{"name": k, "value": v} for k, v in raw["parameters"].items()]}
    return _convert(raw, RawEventData)


def _failure_text(data: Any) -> str:
    failure = data.data.get("failure") if isinstance(data, OtherBadRow) else data.failure
    try:
        return _ENCODER.encode(failure).decode("utf-8", "replace")
    except (TypeError, msgspec.EncodeError):  # pragma: no cover - decoded JSON always encodes
        return ""


def recover(line: bytes | str) -> Recovered | NotReplayable:
    """What to replay for one bad-row JSON document. Never raises on bad input."""
    decoded = decode(line)
    if isinstance(decoded, BadRowDecodeError):
        return NotReplayable("unreadable", decoded.message)
    schema, row = decoded.schema, decoded.data
    type_name = schema.split("/")[1]
    found: Any
    if isinstance(row, AdapterFailures | TrackerProtocolViolations):
        found = row.payload
    elif isinstance(row, SchemaViolations | EnrichmentFailures):
        found = row.payload.raw
    elif isinstance(row, CollectorPayloadFormatViolation):
        return _format_violation(schema, type_name, row)
    elif isinstance(row, OtherBadRow) and type_name in _REQUEST_TYPES:
        found = _convert(row.data.get("payload"), CollectorPayloadData)
    elif isinstance(row, OtherBadRow) and type_name in _EVENT_TYPES:
        found = _model1_raw(row.data)
    elif isinstance(row, SizeViolation) or type_name in _REASONS:
        return NotReplayable(type_name, _REASONS.get(type_name, _REASONS["size_violation"]))
    else:
        return NotReplayable(type_name, f"a {type_name} bad row holds no raw record to replay")
    if isinstance(found, str):
        return NotReplayable(type_name, found)
    text = _failure_text(row)
    if isinstance(found, CollectorPayloadData):
        payload = _from_request(found)
        if isinstance(payload, str):
            return NotReplayable(type_name, payload)
        return Recovered(
            schema=schema,
            type_name=type_name,
            kind="request",
            vendor=found.vendor,
            version=found.version,
            failure_text=text,
            document=request_document(payload),
        )
    event = _from_event(found)
    if isinstance(event, str):
        return NotReplayable(type_name, event)
    return Recovered(
        schema=schema,
        type_name=type_name,
        kind="event",
        vendor=found.vendor,
        version=found.version,
        failure_text=text,
        document=event_document(*event),
    )


def _format_violation(
    schema: str, type_name: str, row: CollectorPayloadFormatViolation
) -> Recovered | NotReplayable:
    try:
        record = base64.b64decode(row.payload + "=" * (-len(row.payload) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        return NotReplayable(type_name, f"payload is not standard base64 ({exc})")
    payload = decode_collector_payload(record)
    if isinstance(payload, PayloadDecodeError):
        return NotReplayable(
            type_name, f"the record is not a readable CollectorPayload: {payload.message}"
        )
    return Recovered(
        schema=schema,
        type_name=type_name,
        kind="request",
        vendor=None,
        version=None,
        failure_text=_failure_text(row),
        document=request_document(payload),
        check_format=True,
    )
