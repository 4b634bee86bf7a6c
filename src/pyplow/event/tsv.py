"""The enriched-event TSV codec: one line of 131 TAB-separated fields ↔ :class:`EnrichedEvent`.

Decoding follows the Scala Analytics SDK:

- split on TAB, keeping trailing empty fields; exactly one value → :class:`NotTSV`, any count
  other than 131 → :class:`FieldNumberMismatch`;
- an empty field is ``None``; ``collector_tstamp``, ``event_id``, ``v_collector`` and ``v_etl``
  must not be empty;
- every invalid value becomes an :class:`InvalidValue` (all of them are collected, in field order,
  into one :class:`RowDecodingError`); the messages are the SDK's (``Cannot parse key txn_id into
  integer``, ``Field v_etl cannot be empty``), except for the JSON fields, whose messages say
  what is wrong with the JSON. Money fields are decimals here, doubles in the SDK, so their
  message says ``into double`` as the SDK's would;
- timestamps are accepted with or without fractional seconds.

Decoding never raises on any ``str``.

Encoding writes what Enrich writes (formats in :mod:`pyplow.event.values`), so decoding then
encoding a Snowplow-written row gives back the same text. The one historical wrinkle: old
Snowplow versions (and the analytics SDKs' sample row, ``v_etl=serde-0.5.2``) wrote timestamps
without milliseconds (``2013-11-26 00:02:05``). Such a value decodes to a
:class:`~pyplow.event.values.WholeSecondTimestamp`, a ``datetime`` subclass equal to the plain
datetime of the same instant, which the encoder writes back without ``.SSS``; plain datetimes
are always written with milliseconds, as Enrich does today.

The encoder raises ``ValueError`` if a value would break the line (a TAB, CR or LF inside a text
field, or a naive datetime): Enrich removes those before building an event, so meeting one is a
programmer error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import msgspec

from pyplow.event.entities import (
    Contexts,
    EnvelopeError,
    UnstructEvent,
    decode_contexts,
    decode_unstruct_event,
)
from pyplow.event.errors import (
    FieldNumberMismatch,
    InvalidValue,
    NotTSV,
    RowDecodingError,
    TsvDecodeError,
)
from pyplow.event.fields import FIELD_COUNT, FIELDS, Kind
from pyplow.event.model import EnrichedEvent
from pyplow.event.tsv_codegen import build_decoder, build_encoder
from pyplow.event.values import (
    InvalidTextError,
    parse_bool_fast,
    parse_decimal,
    parse_float,
    parse_int_memo,
    parse_timestamp,
    parse_uuid,
)

__all__ = ["decode_tsv", "encode_tsv"]

_Parser = Callable[[str], Any]


def _contexts_or_none(text: str) -> Contexts | None:
    value = decode_contexts(text)
    return None if isinstance(value, EnvelopeError) else value


def _unstruct_or_none(text: str) -> UnstructEvent | None:
    value = decode_unstruct_event(text)
    return None if isinstance(value, EnvelopeError) else value


# kind → (parser returning None for invalid text, type named in the SDK's error message)
_PARSERS_BY_KIND: Final[dict[Kind, tuple[_Parser, str]]] = {
    Kind.INT: (parse_int_memo, "integer"),
    Kind.DEC: (parse_decimal, "double"),
    Kind.FLOAT: (parse_float, "double"),
    Kind.BOOL: (parse_bool_fast, "boolean"),
    Kind.TS: (parse_timestamp, "datetime"),
    Kind.UUID: (parse_uuid, "UUID"),
    Kind.CONTEXTS: (_contexts_or_none, ""),
    Kind.UNSTRUCT: (_unstruct_or_none, ""),
}
_JSON_DECODERS: Final[dict[Kind, Callable[[str], Any]]] = {
    Kind.CONTEXTS: decode_contexts,
    Kind.UNSTRUCT: decode_unstruct_event,
}

# One entry per field, in TSV order: the parser, or None for plain text fields.
_PARSERS: Final[tuple[_Parser | None, ...]] = tuple(
    _PARSERS_BY_KIND[f.kind][0] if f.kind in _PARSERS_BY_KIND else None for f in FIELDS
)
_NOT_TSV: Final = NotTSV()

_decode_line: Final = build_decoder()
_encode_fields: Final = build_encoder()


def decode_tsv(line: str) -> EnrichedEvent | TsvDecodeError:
    """Parse one enriched-event line (without its line terminator)."""
    try:
        return _decode_line(line)
    except InvalidTextError:
        return _collect_errors(line.split("\t"))
    except ValueError:
        count = line.count("\t") + 1
        if count == FIELD_COUNT:
            raise
        return _NOT_TSV if count == 1 else FieldNumberMismatch(count)


def _collect_errors(parts: list[str]) -> RowDecodingError:
    """The slow path: say what is wrong with each bad field, in field order."""
    errors: list[InvalidValue] = []
    for field, text, parse in zip(FIELDS, parts, _PARSERS, strict=True):
        name = field.name
        if not text:
            if field.required:
                errors.append(InvalidValue(name, text, f"Field {name} cannot be empty"))
            continue
        if parse is None:
            continue
        json_decoder = _JSON_DECODERS.get(field.kind)
        if json_decoder is not None:
            result = json_decoder(text)
            if isinstance(result, EnvelopeError):
                errors.append(InvalidValue(name, text, result.message))
        elif parse(text) is None:
            what = _PARSERS_BY_KIND[field.kind][1]
            errors.append(InvalidValue(name, text, f"Cannot parse key {name} into {what}"))
    return RowDecodingError(tuple(errors))


def encode_tsv(event: EnrichedEvent) -> str:
    """Write ``event`` as one TSV line (no line terminator), exactly as Enrich formats it."""
    line = _encode_fields(event)
    if line.count("\t") != FIELD_COUNT - 1 or "\n" in line or "\r" in line:
        _raise_line_breaker(msgspec.structs.astuple(event))
    return line


def _raise_line_breaker(values: tuple[Any, ...]) -> None:
    for field, value in zip(FIELDS, values, strict=True):
        if isinstance(value, str) and ("\t" in value or "\n" in value or "\r" in value):
            raise ValueError(
                f"field {field.name} = {value!r} contains a TAB, CR or LF; "
                "enriched-event values must be free of them"
            )
    raise ValueError("enriched-event line does not have 131 fields")  # pragma: no cover
