"""Snowplow Micro's JSON shapes, made from pyplow's enriched rows and bad rows.

A *GoodEvent* is ``{"rawEvent", "eventType", "schema", "contexts", "event"}``:

- ``event`` is the enriched event in the Scala Analytics SDK's lossless JSON form (what Micro
  serialises), from :func:`pyplow.event.to_lossless_json`;
- ``eventType`` is the ``event`` field (``page_view``, ``unstruct``, ``struct``, ...);
- ``schema`` is the URI of the self-describing event for ``unstruct`` events, else ``None``;
- ``contexts`` lists the URIs of the event's custom contexts (not the derived ones), in order;
- ``rawEvent`` is ``None``: an enriched row does not keep the tracker parameters, and pyplow does
  not invent them (Micro fills it from the raw event it enriched).

A *BadEvent* is ``{"collectorPayload", "rawEvent", "errors"}`` plus, beyond Micro, ``badRow`` (the
whole Snowplow bad row). ``collectorPayload`` is filled for bad rows about a whole request
(``adapter_failures``, ``tracker_protocol_violations``), ``rawEvent`` for bad rows about one
event (``schema_violations``, ``enrichment_failures``); both use Micro's nested layout
(``api``/``source``/``context``). ``errors`` holds each failure message as compact JSON text (or
the plain text when the message is a string).

Every function here takes untrusted bytes and never raises on bad input.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pyplow import badrows
from pyplow.badrows import CollectorPayloadData, EventPayload, RawEventData
from pyplow.badrows.messages import failure_messages
from pyplow.event import EnrichedEvent, decode_tsv, describe_error, to_lossless_json

__all__ = [
    "BadIndex",
    "GoodIndex",
    "bad_event_json",
    "good_event_json",
    "index_bad",
    "index_good",
]

_ANY = msgspec.json.Decoder()


class GoodIndex(msgspec.Struct, frozen=True, kw_only=True):
    """What the store keeps next to a good row to filter it without decoding it again."""

    event_id: str | None
    event_type: str | None
    schema: str | None
    contexts: tuple[str, ...]


class BadIndex(msgspec.Struct, frozen=True, kw_only=True):
    """The tracker API (``vendor``/``version``) a bad row is about, when it says."""

    vendor: str | None
    version: str | None


def _event(row: bytes) -> EnrichedEvent | str:
    try:
        line = row.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return f"enriched row is not UTF-8: {exc}"
    decoded = decode_tsv(line)
    if isinstance(decoded, EnrichedEvent):
        return decoded
    return f"not an enriched event: {describe_error(decoded)}"


def index_good(row: bytes) -> GoodIndex | str:
    """The filter keys of an enriched TSV row, or why the row is not one."""
    event = _event(row)
    if isinstance(event, str):
        return event
    return GoodIndex(
        event_id=event.event_id,
        event_type=event.event,
        schema=event.unstruct_event.data.schema if event.unstruct_event is not None else None,
        contexts=tuple(e.schema for e in event.contexts.data) if event.contexts else (),
    )


def good_event_json(row: bytes) -> dict[str, Any] | str:
    """Micro's GoodEvent for an enriched TSV row, or why the row is not one."""
    event = _event(row)
    if isinstance(event, str):
        return event
    return {
        "rawEvent": None,
        "eventType": event.event,
        "schema": event.unstruct_event.data.schema if event.unstruct_event is not None else None,
        "contexts": [e.schema for e in event.contexts.data] if event.contexts else [],
        "event": to_lossless_json(event),
    }


def index_bad(row: bytes) -> BadIndex:
    """The vendor and version of a bad row (both ``None`` when it names none)."""
    decoded = badrows.decode(row)
    if isinstance(decoded, badrows.BadRowDecodeError):
        return BadIndex(vendor=None, version=None)
    payload = getattr(decoded.data, "payload", None)
    if isinstance(payload, EventPayload):
        return BadIndex(vendor=payload.raw.vendor, version=payload.raw.version)
    if isinstance(payload, CollectorPayloadData):
        return BadIndex(vendor=payload.vendor, version=payload.version)
    return BadIndex(vendor=None, version=None)


def _set(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


def _context(data: CollectorPayloadData | RawEventData, user_id: Any) -> dict[str, Any]:
    return {
        "timestamp": _set(data.timestamp),
        "ipAddress": _set(data.ip_address),
        "useragent": _set(data.useragent),
        "refererUri": _set(data.referer_uri),
        "headers": list(_set(data.headers) or ()),
        "userId": _set(user_id),
    }


def collector_payload_json(data: CollectorPayloadData) -> dict[str, Any]:
    """A whole collector request in Micro's CollectorPayload layout."""
    querystring = _set(data.querystring) or ()
    return {
        "api": {"vendor": data.vendor, "version": data.version},
        "querystring": [{"name": p.name, "value": p.value} for p in querystring],
        "contentType": _set(data.content_type),
        "body": _set(data.body),
        "source": {
            "name": data.collector,
            "encoding": data.encoding,
            "hostname": _set(data.hostname),
        },
        "context": _context(data, data.network_user_id),
    }


def raw_event_json(data: RawEventData) -> dict[str, Any]:
    """One raw event in Micro's RawEvent layout (parameters as an object)."""
    parameters = _set(data.parameters) or ()
    return {
        "api": {"vendor": data.vendor, "version": data.version},
        "parameters": {p.name: p.value for p in parameters},
        "contentType": _set(data.content_type),
        "source": {
            "name": data.loader_name,
            "encoding": data.encoding,
            "hostname": _set(data.hostname),
        },
        "context": _context(data, data.user_id),
    }


def bad_event_json(row: bytes) -> dict[str, Any]:
    """Micro's BadEvent for a bad row (a row that is not one says so in ``errors``)."""
    decoded = badrows.decode(row)
    if isinstance(decoded, badrows.BadRowDecodeError):
        return {
            "collectorPayload": None,
            "rawEvent": None,
            "errors": [f"unreadable bad row: {decoded.message}"],
            "badRow": None,
        }
    payload = getattr(decoded.data, "payload", None)
    whole: Any = _ANY.decode(row)  # badrows.decode accepted it, so it is JSON
    return {
        "collectorPayload": (
            collector_payload_json(payload) if isinstance(payload, CollectorPayloadData) else None
        ),
        "rawEvent": raw_event_json(payload.raw) if isinstance(payload, EventPayload) else None,
        "errors": failure_messages(decoded.data),
        "badRow": whole,
    }
