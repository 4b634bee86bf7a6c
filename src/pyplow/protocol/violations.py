"""The typed failure messages adapters report, shaped exactly like Snowplow's bad-row JSON.

The msgspec JSON encoding of each Struct is the message object Snowplow writes into the
``messages`` list of an ``adapter_failures`` / ``tracker_protocol_violations`` /
``schema_violations`` row: camelCase keys, in Snowplow's order, ``null`` written out.
``CollectorPayloadInputData`` is the ``message`` of a ``collector_payload_format_violation``.

Schema keys and criteria are plain ``iglu:`` strings here. ``NotIglu.json`` is any JSON value
and ``IgluError.error`` is the Iglu client error as any JSON-able value (a dict, an Iglu error
Struct, or ``msgspec.Raw``), so this module does not depend on ``pyplow.iglu``.
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

import msgspec

__all__ = [
    "CollectorPayloadInputData",
    "CriterionMismatch",
    "IgluError",
    "InputData",
    "NotIglu",
    "NotJson",
    "ProtocolViolation",
    "SchemaMapping",
    "encode_messages",
    "to_builtins",
]


class InputData(msgspec.Struct, frozen=True):
    """A parameter, header or body whose value is not what the adapter expected."""

    field: str
    value: str | None
    expectation: str


class NotJson(msgspec.Struct, frozen=True):
    """A value that should be JSON and is not; ``error`` is the parser's message."""

    field: str
    value: str | None
    error: str


class NotIglu(msgspec.Struct, frozen=True):
    """JSON that is not a self-describing JSON; ``error`` is an Iglu parse error code such as
    ``INVALID_DATA_PAYLOAD`` or ``INVALID_IGLUURI``."""

    json: Any
    error: str


class CriterionMismatch(msgspec.Struct, frozen=True, rename="camel"):
    """A self-describing JSON whose schema does not match the expected criterion."""

    schema_key: str
    schema_criterion: str


class SchemaMapping(msgspec.Struct, frozen=True, rename="camel"):
    """A webhook event type that maps to no schema (adapter failures only)."""

    actual: str | None
    expected_mapping: dict[str, str]
    expectation: str


class IgluError(msgspec.Struct, frozen=True, rename="camel"):
    """Iglu resolution or validation failed for ``schema_key`` (tracker protocol only)."""

    schema_key: str
    error: Any


class CollectorPayloadInputData(msgspec.Struct, frozen=True, rename="camel"):
    """A collector-payload field (path, querystring, networkUserId) that cannot be used."""

    payload_field: str
    value: str | None
    expectation: str


#: Any message of an adapter_failures / tracker_protocol_violations row.
ProtocolViolation: TypeAlias = (
    InputData | NotJson | NotIglu | CriterionMismatch | SchemaMapping | IgluError
)

_ENCODER: Final = msgspec.json.Encoder()


def encode_messages(messages: tuple[ProtocolViolation, ...] | list[ProtocolViolation]) -> bytes:
    """The JSON array of messages, as it appears under ``failure.messages``."""
    return _ENCODER.encode(messages)


def to_builtins(message: ProtocolViolation | CollectorPayloadInputData) -> dict[str, Any]:
    """The message as plain dicts/lists, keys in Snowplow's order."""
    result = msgspec.to_builtins(message)
    assert isinstance(result, dict)
    return result
