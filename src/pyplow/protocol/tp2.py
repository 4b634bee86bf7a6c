"""Tracker protocol v2 (``/com.snowplowanalytics.snowplow/tp2``): GET and POST.

A GET carries one event in its querystring. A POST carries a ``payload_data`` self-describing
JSON body with 1..N events; querystring parameters, if any, are merged into every event and
win over body values. The checks and their order, and every message, are Enrich's
``Tp2Adapter``'s:

1. no body and no querystring → two messages (empty body, empty querystring);
2. a content type that is not exactly one of the three JSON ones → ``contentType``;
3. a body without content type → ``contentType`` (value null);
4. a JSON content type without body → ``body`` ("empty body: not a valid track protocol
   event", Enrich's wording);
5. the body must be JSON (``NotJson``), self-describing (``NotIglu``), valid against its
   schema (``IgluError``, via the pluggable ``PayloadValidator``) and a ``payload_data``
   1-0-* (``CriterionMismatch``);
6. ``data`` must be an array of objects, non-empty, whose values are all strings.
"""

from __future__ import annotations

from typing import Any, Final, cast

import msgspec

from pyplow.iglu import SchemaCriterion
from pyplow.protocol.payload_data import PayloadValidator, default_payload_validator
from pyplow.protocol.sdj import decode_json, split_self_describing
from pyplow.protocol.violations import (
    CriterionMismatch,
    IgluError,
    InputData,
    NotIglu,
    NotJson,
    ProtocolViolation,
)

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "PAYLOAD_DATA_CRITERION",
    "Params",
    "tp2_parameters",
]

Params = dict[str, str | None]

#: The only content types Enrich accepts for a TP2 body (compared exactly).
ACCEPTED_CONTENT_TYPES: Final = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=UTF-8",
)
_CONTENT_TYPE_EXPECTATION: Final = "expected one of " + ", ".join(ACCEPTED_CONTENT_TYPES)

PAYLOAD_DATA_CRITERION: Final = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-*"
_PAYLOAD_DATA: Final = SchemaCriterion(
    "com.snowplowanalytics.snowplow", "payload_data", "jsonschema", 1, 0
)

_COMPACT: Final = msgspec.json.Encoder()

Outcome = tuple[tuple[Params, ...], tuple[ProtocolViolation, ...]]


def _compact(value: Any) -> str:
    return _COMPACT.encode(value).decode("utf-8")


def _failed(*violations: ProtocolViolation) -> Outcome:
    return (), violations


def tp2_parameters(
    body: str | None,
    content_type: str | None,
    querystring: Params,
    validator: PayloadValidator | None = None,
) -> Outcome:
    """The parameters of every event of a TP2 request, or the violations (never both)."""
    if body is None and not querystring:
        return _failed(
            InputData("body", None, "empty body: not a valid tracker protocol event"),
            InputData("querystring", None, "empty querystring: not a valid tracker protocol event"),
        )
    if content_type is not None and content_type not in ACCEPTED_CONTENT_TYPES:
        return _failed(InputData("contentType", content_type, _CONTENT_TYPE_EXPECTATION))
    if body is not None and content_type is None:
        return _failed(InputData("contentType", None, _CONTENT_TYPE_EXPECTATION))
    if body is None:
        if content_type is not None:
            return _failed(InputData("body", None, "empty body: not a valid track protocol event"))
        return (querystring,), ()
    return _body_parameters(body, querystring, validator or default_payload_validator())


def _body_parameters(body: str, querystring: Params, validator: PayloadValidator) -> Outcome:
    instance = decode_json(body, "body", max_depth=None)
    if isinstance(instance, NotJson):
        return _failed(instance)
    split = split_self_describing(instance)
    if isinstance(split, NotIglu):
        return _failed(split)
    key, data = split
    error = validator(key, data)
    if error is not None:
        return _failed(IgluError(key.to_uri(), error))
    if not _PAYLOAD_DATA.matches(key):
        return _failed(CriterionMismatch(key.to_uri(), PAYLOAD_DATA_CRITERION))
    return _events(data, querystring)


def _events(data: Any, querystring: Params) -> Outcome:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return _failed(InputData("body", _compact(data), "json is not an array"))
    if not data:
        return _failed(InputData("body", _compact(data), "empty list of events"))
    failures: list[ProtocolViolation] = []
    for item in data:
        if not all(type(value) is str for value in item.values()):
            failures.extend(_value_failures(item))
    if failures:
        return (), tuple(failures)
    items = cast(list[Params], data)
    if querystring:
        return tuple(item | querystring for item in items), ()
    return tuple(items), ()


def _value_failures(item: dict[str, Any]) -> list[ProtocolViolation]:
    failures: list[ProtocolViolation] = []
    for key, value in item.items():
        if value is None:
            failures.append(InputData(key, None, "value cannot be null"))
        elif not isinstance(value, str):
            failures.append(InputData(key, _compact(value), "value is not a string"))
    return failures
