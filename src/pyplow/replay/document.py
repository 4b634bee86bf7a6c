"""The event document fixes are applied to, and turning it back into a ``CollectorPayload``.

A recovered request or event is shown to fixes as one JSON document::

    {"parameters": {name: value},          # tracker parameters (value null: a bare name)
     "unstruct_event": <ue_pr/ue_px JSON decoded, or null>,
     "contexts": <co/cx JSON decoded, or null>,
     "request": {"path", "querystring", "body", "contentType", "headers", "ipAddress",
                 "useragent", "refererUri", "hostname", "timestamp", "networkUserId",
                 "collector", "encoding"}}

Two kinds exist. A *request* document (adapter failures, tracker protocol violations, format
violations) is a whole collector request: ``parameters`` are its querystring pairs and
``request.body`` its body. An *event* document (schema violations, enrichment failures) is one
event: ``parameters`` are that event's, and the request carrying it is made when the document
is turned back into a payload (``request.querystring`` and ``request.body`` are null and
ignored there).

Re-encoding touches only what a fix changed, so an unfixed document gives back the recorded
bytes: changed ``parameters`` are written as a new querystring; a changed ``unstruct_event`` or
``contexts`` goes back into the parameter it came from, base64url when it came as
``ue_px``/``cx`` (a new one goes to ``ue_pr``/``co``), and null removes it.
``request.timestamp`` is an ISO-8601 instant (collector time, milliseconds kept).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import msgspec

from pyplow.protocol import (
    ACCEPTED_CONTENT_TYPES,
    PAYLOAD_DATA_KEYS,
    CarriedJson,
    CollectorPayload,
    encode_base64url,
    extract_contexts,
    extract_unstruct,
    iso_millis,
    parse_pairs,
)

__all__ = [
    "PAYLOAD_DATA_1_0_4",
    "TP2_PATH",
    "DocumentError",
    "Kind",
    "encode_querystring",
    "event_document",
    "millis_of",
    "rebuild",
    "request_document",
]

Kind = Literal["request", "event"]

TP2_PATH = "/com.snowplowanalytics.snowplow/tp2"
PAYLOAD_DATA_1_0_4 = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
_BODY_KEYS = PAYLOAD_DATA_KEYS["1-0-4"]
_JSON = msgspec.json.Encoder()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Which parameters carry each decoded field: (plain, base64url).
_CARRIERS = {"unstruct_event": ("ue_pr", "ue_px"), "contexts": ("co", "cx")}


class DocumentError(msgspec.Struct, frozen=True):
    """A (patched) document that cannot become a collector payload."""

    message: str


def millis_of(value: str) -> int | DocumentError:
    """Epoch milliseconds of an ISO-8601 instant (``Z`` or an offset; naive means UTC)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return DocumentError(f"timestamp {value!r} is not an ISO-8601 instant")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return (moment - _EPOCH) // timedelta(milliseconds=1)
    except OverflowError:
        return DocumentError(f"timestamp {value!r} is out of range")


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    try:
        return iso_millis(ms)
    except (OverflowError, ValueError, OSError):
        return None


def _decoded(found: CarriedJson | object | None) -> Any:
    return copy.deepcopy(found.value) if isinstance(found, CarriedJson) else None


def _request(
    payload: CollectorPayload, *, querystring: str | None, body: str | None
) -> dict[str, Any]:
    return {
        "path": payload.path,
        "querystring": querystring,
        "body": body,
        "contentType": payload.content_type,
        "headers": list(payload.headers) if payload.headers is not None else None,
        "ipAddress": payload.ip_address,
        "useragent": payload.user_agent,
        "refererUri": payload.referer_uri,
        "hostname": payload.hostname,
        "timestamp": _iso(payload.timestamp),
        "networkUserId": payload.network_user_id,
        "collector": payload.collector,
        "encoding": payload.encoding,
    }


def request_document(payload: CollectorPayload) -> dict[str, Any]:
    """The document of a whole collector request (its querystring as ``parameters``)."""
    params = dict(parse_pairs(payload.querystring)) if payload.querystring else {}
    return {
        "parameters": params,
        "unstruct_event": _decoded(extract_unstruct(params)),
        "contexts": _decoded(extract_contexts(params)),
        "request": _request(payload, querystring=payload.querystring, body=payload.body),
    }


def event_document(parameters: dict[str, str | None], context: CollectorPayload) -> dict[str, Any]:
    """The document of one event; ``context`` holds the request fields (path included)."""
    params = dict(parameters)
    return {
        "parameters": params,
        "unstruct_event": _decoded(extract_unstruct(params)),
        "contexts": _decoded(extract_contexts(params)),
        "request": _request(context, querystring=None, body=None),
    }


def encode_querystring(params: dict[str, str | None]) -> str:
    """Parameters as a querystring that ``parse_pairs`` reads back to the same pairs."""
    parts = []
    for name, value in params.items():
        key = quote(name, safe="", errors="replace")
        parts.append(key if value is None else f"{key}={quote(value, safe='', errors='replace')}")
    return "&".join(parts)


def _parameters(value: Any) -> dict[str, str | None] | DocumentError:
    if not isinstance(value, dict):
        return DocumentError(f"parameters is {_kind(value)}, expected an object")
    for name, item in value.items():
        if item is not None and not isinstance(item, str):
            return DocumentError(
                f"parameters/{name} is {_kind(item)}, expected a string or null (tracker "
                "parameters are text)"
            )
    return dict(value)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _recarry(params: dict[str, str | None], field: str, before: Any, after: Any) -> None:
    """Write a changed decoded field back into the parameter it came from."""
    if before == after:
        return
    plain, encoded = _CARRIERS[field]
    use_encoded = params.get(plain) is None and params.get(encoded) is not None
    params.pop(plain, None)
    params.pop(encoded, None)
    if after is None:
        return
    text = _JSON.encode(after).decode("utf-8")
    if use_encoded:
        params[encoded] = encode_base64url(text)
    else:
        params[plain] = text


def _text(request: dict[str, Any], key: str) -> str | DocumentError | None:
    value = request.get(key)
    if value is None or isinstance(value, str):
        return value
    return DocumentError(f"request/{key} is {_kind(value)}, expected a string or null")


def _context(request: Any) -> CollectorPayload | DocumentError:
    """The request fields of a document, as a payload without querystring and body."""
    if not isinstance(request, dict):
        return DocumentError(f"request is {_kind(request)}, expected an object")
    values: dict[str, Any] = {}
    for key, field in (
        ("path", "path"),
        ("contentType", "content_type"),
        ("ipAddress", "ip_address"),
        ("useragent", "user_agent"),
        ("refererUri", "referer_uri"),
        ("hostname", "hostname"),
        ("networkUserId", "network_user_id"),
        ("collector", "collector"),
        ("encoding", "encoding"),
    ):
        text = _text(request, key)
        if isinstance(text, DocumentError):
            return text
        values[field] = text
    headers = request.get("headers")
    if headers is not None and not (
        isinstance(headers, list) and all(isinstance(h, str) for h in headers)
    ):
        return DocumentError("request/headers must be a list of strings or null")
    values["headers"] = tuple(headers) if headers is not None else None
    stamp = request.get("timestamp")
    if stamp is not None:
        if not isinstance(stamp, str):
            return DocumentError(f"request/timestamp is {_kind(stamp)}, expected an ISO instant")
        ms = millis_of(stamp)
        if isinstance(ms, DocumentError):
            return ms
        if not -(2**63) <= ms < 2**63:
            return DocumentError(f"request/timestamp {stamp!r} is out of range")
        values["timestamp"] = ms
    return CollectorPayload(**values)


def rebuild(
    kind: Kind, before: dict[str, Any], after: dict[str, Any]
) -> CollectorPayload | DocumentError:
    """The collector payload of a (patched) document; ``before`` is the unpatched one."""
    context = _context(after.get("request"))
    if isinstance(context, DocumentError):
        return context
    params = _parameters(after.get("parameters"))
    if isinstance(params, DocumentError):
        return params
    for field in _CARRIERS:
        _recarry(params, field, before.get(field), after.get(field))
    if kind == "request":
        request = after["request"]
        body = _text(request, "body")
        raw_query = _text(request, "querystring")
        if isinstance(body, DocumentError):
            return body
        if isinstance(raw_query, DocumentError):
            return raw_query
        if params != before.get("parameters"):
            raw_query = encode_querystring(params) or None
        return msgspec.structs.replace(context, querystring=raw_query, body=body)
    return _event_payload(context, params)


def _event_payload(context: CollectorPayload, params: dict[str, str | None]) -> CollectorPayload:
    """One event as a request of its own: a single-event POST on tp2 when it was posted (so
    the other events of its batch are not sent again), else a GET querystring."""
    if context.path == TP2_PATH and context.content_type is not None:
        in_body = {k: v for k, v in params.items() if k in _BODY_KEYS and v is not None}
        # Names payload_data does not allow, and bare names, ride in the querystring: Enrich
        # merges querystring parameters into every event of a POST.
        in_query = {k: v for k, v in params.items() if k not in in_body}
        body = _JSON.encode({"schema": PAYLOAD_DATA_1_0_4, "data": [in_body]}).decode("utf-8")
        content_type = (
            context.content_type
            if context.content_type in ACCEPTED_CONTENT_TYPES
            else ACCEPTED_CONTENT_TYPES[0]
        )
        return msgspec.structs.replace(
            context,
            body=body,
            content_type=content_type,
            querystring=encode_querystring(in_query) or None,
        )
    return msgspec.structs.replace(
        context, body=None, content_type=None, querystring=encode_querystring(params) or None
    )
