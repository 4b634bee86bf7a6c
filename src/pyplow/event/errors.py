"""Why an enriched TSV line could not be decoded, in the Scala Analytics SDK's JSON shape.

Encoding these Structs with ``msgspec.json`` gives exactly the JSON the Scala Analytics SDK
produces for its ``ParsingError`` (the ``failure`` of a ``loader_parsing_error`` bad row)::

    {"type":"NotTSV"}
    {"type":"FieldNumberMismatch","fieldCount":5}
    {"type":"RowDecodingError","errors":[{"type":"InvalidValue","key":"event_id",
     "value":"x","message":"Cannot parse key event_id into UUID"}]}

and ``msgspec.json.decode(raw, type=TsvDecodeError)`` reads such JSON back.
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec

__all__ = [
    "FieldNumberMismatch",
    "InvalidValue",
    "NotTSV",
    "RowDecodingError",
    "RowDecodingErrorInfo",
    "TsvDecodeError",
    "UnhandledRowDecodingError",
    "describe_error",
]


class InvalidValue(msgspec.Struct, frozen=True, tag_field="type", tag="InvalidValue"):
    """The text of field ``key`` is not a valid value for it."""

    key: str
    """Field name."""
    value: str
    """The offending field text (empty for a missing required field)."""
    message: str
    """What was expected."""


class UnhandledRowDecodingError(
    msgspec.Struct, frozen=True, tag_field="type", tag="UnhandledRowDecodingError"
):
    """An unexpected failure while decoding a row (never produced by :mod:`pyplow.event`)."""

    message: str


RowDecodingErrorInfo: TypeAlias = InvalidValue | UnhandledRowDecodingError


class NotTSV(msgspec.Struct, frozen=True, tag_field="type", tag="NotTSV"):
    """The line contains no TAB at all."""


class FieldNumberMismatch(msgspec.Struct, frozen=True, tag_field="type", tag="FieldNumberMismatch"):
    """The line has TABs but not 131 fields."""

    field_count: int = msgspec.field(name="fieldCount")


class RowDecodingError(msgspec.Struct, frozen=True, tag_field="type", tag="RowDecodingError"):
    """131 fields, but some values are invalid; one entry per bad field, in field order."""

    errors: tuple[RowDecodingErrorInfo, ...]


TsvDecodeError: TypeAlias = NotTSV | FieldNumberMismatch | RowDecodingError


def describe_error(error: TsvDecodeError) -> str:
    """A one-line human-readable explanation of ``error``."""
    if isinstance(error, NotTSV):
        return "not an enriched event: the line contains no TAB (expected 131 TAB-separated fields)"
    if isinstance(error, FieldNumberMismatch):
        return f"expected 131 TAB-separated fields, got {error.field_count}"
    parts = []
    for info in error.errors:
        if isinstance(info, InvalidValue):
            parts.append(f"{info.key}={info.value!r}: {info.message}")
        else:
            parts.append(info.message)
    return "invalid enriched event: " + "; ".join(parts)
