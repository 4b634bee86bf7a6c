"""Wire-shaped values of the three JSON fields of an enriched event.

``contexts`` and ``derived_contexts`` hold a *contexts envelope*: a self-describing JSON whose
schema is ``iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-*`` and whose ``data`` is
an array of self-describing entities. ``unstruct_event`` holds an *unstruct_event envelope*
(``.../unstruct_event/jsonschema/1-0-*``) whose ``data`` is one self-describing event.

The Structs below mirror that wire shape field for field (``schema`` first, then ``data``), so
encoding them with msgspec gives the compact JSON Enrich writes. Each envelope remembers its own
schema URI: Enrich writes contexts ``1-0-1`` while older data (and the analytics SDKs) use
``1-0-0``; keeping the URI makes decode → encode byte-identical.

Entity payloads (``data``) are kept as plain decoded JSON (``dict`` / ``list`` / scalars, key
order preserved, integers as ``int``). Re-encoding reproduces Snowplow's compact JSON for ordinary
data; number spellings that JSON allows but a compact printer would not produce (``1.50``,
``1e3``) and escaped non-ASCII (``\\u00e9``) are normalised.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

import msgspec

from pyplow.event.values import InvalidTextError
from pyplow.iglu import IgluParseError, SchemaKey

__all__ = [
    "CONTEXTS_SCHEMA",
    "CONTEXTS_SCHEMA_1_0_0",
    "CONTEXTS_SCHEMA_1_0_1",
    "UNSTRUCT_EVENT_SCHEMA",
    "Contexts",
    "Entity",
    "EnvelopeError",
    "UnstructEvent",
    "decode_contexts",
    "decode_unstruct_event",
    "encode_json",
    "strict_contexts",
    "strict_unstruct_event",
]

_SNOWPLOW: Final = "iglu:com.snowplowanalytics.snowplow/"

CONTEXTS_SCHEMA_1_0_0: Final = _SNOWPLOW + "contexts/jsonschema/1-0-0"
"""Contexts envelope used by trackers, old Enrich versions and the analytics SDKs."""
CONTEXTS_SCHEMA_1_0_1: Final = _SNOWPLOW + "contexts/jsonschema/1-0-1"
"""Contexts envelope current Enrich writes for ``contexts`` and ``derived_contexts``."""
CONTEXTS_SCHEMA: Final = CONTEXTS_SCHEMA_1_0_1
"""Default envelope for new :class:`Contexts` values (what Enrich writes)."""
UNSTRUCT_EVENT_SCHEMA: Final = _SNOWPLOW + "unstruct_event/jsonschema/1-0-0"
"""The unstruct_event envelope."""

_CONTEXTS_CRITERION: Final = _SNOWPLOW + "contexts/jsonschema/1-0-"
_UNSTRUCT_CRITERION: Final = _SNOWPLOW + "unstruct_event/jsonschema/1-0-"

_IGLU_EXPECTED: Final = "iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>"


class Entity(msgspec.Struct, frozen=True):
    """A self-describing datum: ``{"schema": "iglu:...", "data": ...}``."""

    schema: str
    """The Iglu schema URI (``iglu:`` form)."""
    data: Any
    """The payload as decoded JSON."""


class Contexts(msgspec.Struct, frozen=True):
    """A contexts envelope: a list of entities plus the envelope's own schema URI."""

    schema: str = CONTEXTS_SCHEMA
    data: tuple[Entity, ...] = ()


class UnstructEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An unstruct_event envelope wrapping one self-describing event."""

    schema: str = UNSTRUCT_EVENT_SCHEMA
    data: Entity


class EnvelopeError(msgspec.Struct, frozen=True):
    """Why a JSON field's text is not a valid envelope (returned, never raised)."""

    message: str


class _Envelope(msgspec.Struct, frozen=True):
    schema: str
    data: msgspec.Raw


class _ContextsWire(msgspec.Struct, frozen=True):
    schema: str
    data: tuple[Entity, ...]


class _UnstructWire(msgspec.Struct, frozen=True):
    schema: str
    data: Entity


_CONTEXTS_DECODER: Final = msgspec.json.Decoder(_ContextsWire)
_UNSTRUCT_DECODER: Final = msgspec.json.Decoder(_UnstructWire)
_ENVELOPE_DECODER: Final = msgspec.json.Decoder(_Envelope)
_ENTITIES_DECODER: Final = msgspec.json.Decoder(tuple[Entity, ...])
_ENTITY_DECODER: Final = msgspec.json.Decoder(Entity)
_ENCODER: Final = msgspec.json.Encoder()

# Schema URIs already checked as valid Iglu URIs (events repeat the same few schemas).
_VALID_URIS: Final[set[str]] = set()
_VALID_URIS_MAX: Final = 4096


def _is_iglu_uri(uri: str) -> bool:
    if uri in _VALID_URIS:
        return True
    if isinstance(SchemaKey.parse(uri), IgluParseError):
        return False
    if len(_VALID_URIS) < _VALID_URIS_MAX:
        _VALID_URIS.add(uri)
    return True


# Envelope URIs already accepted, one set per kind of envelope.
_GOOD_CONTEXTS: Final[set[str]] = set()
_GOOD_UNSTRUCT: Final[set[str]] = set()


def _good_envelope(uri: str, criterion: str, accepted: set[str]) -> bool:
    if not (uri.startswith(criterion) and _is_iglu_uri(uri)):
        return False
    if len(accepted) < _VALID_URIS_MAX:
        accepted.add(uri)
    return True


def _bad_uri(uri: str, where: str) -> EnvelopeError:
    return EnvelopeError(f"invalid schema URI {uri!r} at {where}: expected {_IGLU_EXPECTED}")


def _explain(text: str | bytes, criterion: str, entities: Any, what: str) -> EnvelopeError:
    """The slow path: find the first problem with an envelope, in the Scala SDK's order."""
    try:
        envelope = _ENVELOPE_DECODER.decode(text)
    except (msgspec.DecodeError, UnicodeError) as exc:
        return EnvelopeError(f"not a self-describing JSON: {exc}")
    if not _is_iglu_uri(envelope.schema):
        return _bad_uri(envelope.schema, "$.schema")
    if not envelope.schema.startswith(criterion):
        return EnvelopeError(f"Unknown payload: {envelope.schema} (expected {criterion}*)")
    try:
        inner = msgspec.json.decode(envelope.data, type=entities)
    except msgspec.DecodeError as exc:
        return EnvelopeError(f"{what}: {exc}")
    for i, entity in enumerate(inner if isinstance(inner, tuple) else (inner,)):
        if not _is_iglu_uri(entity.schema):
            where = f"$.data[{i}].schema" if isinstance(inner, tuple) else "$.data.schema"
            return _bad_uri(entity.schema, where)
    return EnvelopeError(f"invalid {what}")  # pragma: no cover - the fast path accepted it


_Wire = TypeVar("_Wire", _ContextsWire, _UnstructWire)


def _checked_envelope(
    decoder: msgspec.json.Decoder[_Wire], text: str | bytes, criterion: str, accepted: set[str]
) -> _Wire:
    """The envelope of ``text`` once it parses and its schema URI is one of ``criterion``."""
    try:
        wire = decoder.decode(text)
    except (msgspec.DecodeError, UnicodeError):
        raise InvalidTextError(text) from None
    if wire.schema not in accepted and not _good_envelope(wire.schema, criterion, accepted):
        raise InvalidTextError(text)
    return wire


def strict_contexts(text: str | bytes) -> Contexts:
    """:func:`decode_contexts` raising :class:`~pyplow.event.values.InvalidTextError` instead."""
    wire = _checked_envelope(_CONTEXTS_DECODER, text, _CONTEXTS_CRITERION, _GOOD_CONTEXTS)
    for entity in wire.data:
        if entity.schema not in _VALID_URIS and not _is_iglu_uri(entity.schema):
            raise InvalidTextError(text)
    return Contexts(wire.schema, wire.data)


def strict_unstruct_event(text: str | bytes) -> UnstructEvent:
    """:func:`decode_unstruct_event` raising :class:`~pyplow.event.values.InvalidTextError`."""
    wire = _checked_envelope(_UNSTRUCT_DECODER, text, _UNSTRUCT_CRITERION, _GOOD_UNSTRUCT)
    entity = wire.data
    if entity.schema not in _VALID_URIS and not _is_iglu_uri(entity.schema):
        raise InvalidTextError(text)
    return UnstructEvent(schema=wire.schema, data=entity)


def decode_contexts(text: str | bytes) -> Contexts | EnvelopeError:
    """Parse a ``contexts`` / ``derived_contexts`` value (envelope ``contexts`` 1-0-*)."""
    try:
        return strict_contexts(text)
    except InvalidTextError:
        return _explain(
            text,
            _CONTEXTS_CRITERION,
            tuple[Entity, ...],
            "contexts data must be an array of self-describing JSONs",
        )


def decode_unstruct_event(text: str | bytes) -> UnstructEvent | EnvelopeError:
    """Parse an ``unstruct_event`` value (envelope ``unstruct_event`` 1-0-*)."""
    try:
        return strict_unstruct_event(text)
    except InvalidTextError:
        return _explain(
            text,
            _UNSTRUCT_CRITERION,
            Entity,
            "unstruct_event data must be a self-describing JSON",
        )


def encode_json(value: Contexts | UnstructEvent | Entity) -> str:
    """Compact JSON text of an envelope or entity, as Enrich writes it in the TSV."""
    return _ENCODER.encode(value).decode()
