"""The Iglu webhook adapter (``/com.snowplowanalytics.iglu/v1``): any self-describing event.

Ways to send one (as Snowplow's Iglu adapter accepts them):

- ``GET ?schema=<iglu uri>&field=value…``: the querystring fields (all but ``schema``,
  ``nuid``, ``aid``, ``cv`` and ``p``) become the event's data, as strings;
- ``POST`` with a JSON body that is a whole self-describing JSON (no ``schema`` parameter);
- ``POST ?schema=<iglu uri>`` with a JSON object body (one event) or a JSON array of objects
  (one event each);
- ``POST ?schema=<iglu uri>`` with a form-urlencoded body, whose fields become the data.

Each event becomes tracker-protocol parameters: ``e=ue``, ``ue_pr`` (the unstruct_event
envelope around the event), ``tv=com.snowplowanalytics.iglu-v1``, ``p`` from the querystring
or ``app`` (``srv`` for form bodies), and ``nuid``, ``aid``, ``cv``, ``eid``, ``ttm``, ``url``
copied from the querystring when present. Problems are ``adapter_failures`` messages.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pyplow.iglu import IgluParseError, SchemaKey, SelfDescribingData
from pyplow.protocol.querystring import parse_pairs
from pyplow.protocol.sdj import decode_json
from pyplow.protocol.violations import InputData, NotIglu, NotJson, ProtocolViolation

__all__ = ["TRACKER_VERSION", "iglu_webhook_parameters"]

TRACKER_VERSION: Final = "com.snowplowanalytics.iglu-v1"
UNSTRUCT_EVENT: Final = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
_JSON_TYPES: Final = ("application/json", "application/json; charset=utf-8")
_FORM_TYPE: Final = "application/x-www-form-urlencoded"
_NOT_DATA: Final = frozenset({"schema", "nuid", "aid", "cv", "p"})
_COPIED: Final = ("nuid", "aid", "cv", "eid", "ttm", "url")
_ENCODER: Final = msgspec.json.Encoder()

Params = dict[str, str | None]


def _event(schema: str, data: Any, query: Params, platform: str) -> Params:
    envelope = {"schema": UNSTRUCT_EVENT, "data": {"schema": schema, "data": data}}
    params: Params = {
        "tv": TRACKER_VERSION,
        "e": "ue",
        "p": query.get("p") or platform,
        "ue_pr": _ENCODER.encode(envelope).decode("utf-8"),
    }
    for name in _COPIED:
        if query.get(name) is not None:
            params[name] = query[name]
    return params


def _schema(uri: str | None) -> str | ProtocolViolation:
    if not uri:
        return InputData("schema", uri, "empty or missing schema parameter")
    key = SchemaKey.parse(uri)
    if isinstance(key, IgluParseError):
        return InputData("schema", uri, f"not an Iglu schema URI: {key.message}")
    return key.to_uri()


def iglu_webhook_parameters(
    query: Params, body: str | None, content_type: str | None
) -> list[Params] | ProtocolViolation:
    """The events of one Iglu webhook request, or why there are none."""
    if body is None:
        if not query:
            return InputData("querystring", None, "empty querystring: no schema and no body")
        schema = _schema(query.get("schema"))
        if not isinstance(schema, str):
            return schema
        data = {k: v or "" for k, v in query.items() if k not in _NOT_DATA}
        return [_event(schema, data, query, "app")]
    media = (content_type or "").lower()
    if media == _FORM_TYPE:
        schema = _schema(query.get("schema"))
        if not isinstance(schema, str):
            return schema
        form = {k: v or "" for k, v in parse_pairs(body)}
        return [_event(schema, form, query, "srv")]
    if media not in _JSON_TYPES:
        expected = ", ".join((*_JSON_TYPES, _FORM_TYPE))
        return InputData("contentType", content_type, f"expected one of {expected}")
    value = decode_json(body, "body")
    if isinstance(value, NotJson):
        return value
    if "schema" not in query:
        parsed = SelfDescribingData.parse(value)
        if isinstance(parsed, IgluParseError):
            return NotIglu(value, parsed.code.value)
        return [_event(parsed.schema.to_uri(), parsed.data, query, "app")]
    schema = _schema(query.get("schema"))
    if not isinstance(schema, str):
        return schema
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, dict) for item in items):
        return InputData("body", body, "expected a JSON object or a non-empty array of objects")
    return [_event(schema, item, query, "app") for item in items]
