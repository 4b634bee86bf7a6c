"""The URI-redirect adapter (``/r/tp2``): click tracking through the collector.

The ``u`` parameter (the redirect target) becomes a
``com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0`` entity ``{"uri": u}``:

- without ``e`` the event becomes a self-describing event (``e=ue``, ``ue_pr`` = the
  unstruct_event envelope around the entity);
- with ``e`` the entity is prepended to the existing contexts: into ``cx`` (decoded, changed,
  re-encoded base64url the way Enrich's encoder does it: no padding, CRLF every 76
  characters), else into a non-empty ``co``, else as a new ``co``.

``tv`` is forced to ``r-tp2``, ``p`` defaults to ``web`` and ``u`` is removed. A ``cx``/``co``
key sent without a value counts as absent (Enrich's code has no case for it and fails).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pyplow.protocol.base64 import decode_base64_text, encode_base64url
from pyplow.protocol.sdj import decode_json
from pyplow.protocol.violations import InputData, NotJson, ProtocolViolation

__all__ = ["CONTEXTS_SCHEMA", "UNSTRUCT_EVENT_SCHEMA", "URI_REDIRECT_SCHEMA", "redirect_parameters"]

URI_REDIRECT_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0"
UNSTRUCT_EVENT_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
CONTEXTS_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"

_ENCODER: Final = msgspec.json.Encoder()
_CONTEXT_FIELD: Final = "co|cx"

Params = dict[str, str | None]


def _compact(value: Any) -> str:
    return _ENCODER.encode(value).decode("utf-8")


def _prepend(entity: dict[str, Any], existing: str) -> str | NotJson:
    """Put ``entity`` first in the ``data`` array of a contexts JSON text; a JSON without such
    an array is returned unchanged (re-serialised compactly)."""
    parsed = decode_json(existing, _CONTEXT_FIELD, max_depth=None)
    if isinstance(parsed, NotJson):
        return parsed
    if isinstance(parsed, dict) and isinstance(parsed.get("data"), list):
        parsed["data"] = [entity, *parsed["data"]]
    return _compact(parsed)


def _with_context(params: Params, entity: dict[str, Any]) -> Params | ProtocolViolation:
    cx, co = params.get("cx"), params.get("co")
    if cx is not None:
        decoded = decode_base64_text(cx)
        assert isinstance(decoded, str)  # lenient mode never fails
        merged = _prepend(entity, decoded)
        if isinstance(merged, NotJson):
            return merged
        return {"cx": encode_base64url(merged, chunked=True)}
    if co:
        merged = _prepend(entity, co)
        if isinstance(merged, NotJson):
            return merged
        return {"co": merged}
    return {"co": _compact({"schema": CONTEXTS_SCHEMA, "data": [entity]})}


def redirect_parameters(params: Params) -> Params | ProtocolViolation:
    """The single event of a redirect request (querystring parameters, last occurrence of a
    name winning), or the violation."""
    if not params:
        return InputData("querystring", None, "empty querystring: not a valid URI redirect")
    target = params.get("u")
    if target is None:
        rendered = "&".join(f"{k}={'null' if v is None else v}" for k, v in params.items())
        return InputData("querystring", rendered, "missing `u` parameter: not a valid URI redirect")
    entity = {"schema": URI_REDIRECT_SCHEMA, "data": {"uri": target}}
    added: Params | ProtocolViolation
    if "e" in params:
        added = _with_context(params, entity)
    else:
        added = {"e": "ue", "ue_pr": _compact({"schema": UNSTRUCT_EVENT_SCHEMA, "data": entity})}
    if not isinstance(added, dict):
        return added
    result = {k: v for k, v in params.items() if k != "u"}
    result.update(added)
    result["tv"] = "r-tp2"
    result["p"] = params.get("p", "web")
    return result
