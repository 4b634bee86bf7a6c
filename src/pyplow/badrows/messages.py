"""The failure messages of a bad row, as text: what a person reads to see why data failed."""

from __future__ import annotations

from typing import Any

import msgspec

from pyplow.badrows.codec import BadRowDecodeError, decode
from pyplow.badrows.model import CollectorPayloadFormatViolation, OtherBadRow, SizeViolation

__all__ = ["failure_messages", "row_failure_messages"]

_JSON = msgspec.json.Encoder()


def _text(message: Any) -> str:
    if isinstance(message, str):
        return message
    return _JSON.encode(message).decode()


def failure_messages(data: Any) -> list[str]:
    """Each failure message of a decoded bad row's ``data`` as text: a string message as it
    is, a structured one as compact JSON."""
    if isinstance(data, OtherBadRow):
        failure = data.data.get("failure")
        return [] if failure is None else [_text(failure)]
    if isinstance(data, CollectorPayloadFormatViolation | SizeViolation):
        return [_text(msgspec.to_builtins(data.failure))]
    failure = getattr(data, "failure", None)
    messages = getattr(failure, "messages", None)
    if messages is not None:
        return [_text(msgspec.to_builtins(m)) for m in messages]
    errors = getattr(failure, "errors", None)
    if errors is not None:
        return [str(e) for e in errors]
    return [] if failure is None else [_text(msgspec.to_builtins(failure))]


def row_failure_messages(row: bytes | str) -> list[str]:
    """:func:`failure_messages` of a bad row's JSON text (never raises: an unreadable row
    says so in its one message)."""
    decoded = decode(row)
    if isinstance(decoded, BadRowDecodeError):
        return [f"unreadable bad row: {decoded.message}"]
    return failure_messages(decoded.data)
