"""The bad-row types: Snowplow's ``com.snowplowanalytics.snowplow.badrows`` family as Structs.

Every bad row is one self-describing JSON document::

    {"schema": "iglu:com.snowplowanalytics.snowplow.badrows/<type>/jsonschema/<version>",
     "data": {"processor": {...}, "failure": {...}, "payload": ...}}

Each class below is the ``data`` part of one type at the version pyplow emits; the class
variable ``SCHEMA`` names that version. Keys are Snowplow's (camelCase), in Snowplow's order, so
the msgspec JSON encoding of a row is the wire form. Optional keys are ``UNSET`` by default: a
key that was absent in a decoded row stays absent when it is encoded again, and ``null`` stays
``null``.

Failure messages are plain JSON values (``Any``): pyplow builds them from the typed violation
Structs of ``pyplow.protocol`` and the error Structs of ``pyplow.iglu`` and ``pyplow.event``; a
decoded row keeps them as the dicts it read, so it can be re-encoded without losing anything.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
from msgspec import UNSET, UnsetType

VENDOR = "com.snowplowanalytics.snowplow.badrows"


def _uri(name: str, version: str) -> str:
    return f"iglu:{VENDOR}/{name}/jsonschema/{version}"


class Processor(msgspec.Struct, frozen=True):
    """The application that emitted the bad row."""

    artifact: str
    version: str


class NameValue(msgspec.Struct, frozen=True):
    """One querystring or tracker parameter, ``{"name": …, "value": …}``."""

    name: str
    value: str | None


class CollectorPayloadData(msgspec.Struct, frozen=True, rename="camel"):
    """The whole collector request, as adapter_failures and tracker_protocol_violations carry it."""

    vendor: str
    version: str
    querystring: tuple[NameValue, ...] | UnsetType = UNSET
    content_type: str | UnsetType | None = UNSET
    body: str | UnsetType | None = UNSET
    collector: str = ""
    encoding: str = "UTF-8"
    hostname: str | UnsetType | None = UNSET
    timestamp: str | UnsetType | None = UNSET
    ip_address: str | UnsetType | None = UNSET
    useragent: str | UnsetType | None = UNSET
    referer_uri: str | UnsetType | None = UNSET
    headers: tuple[str, ...] | UnsetType = UNSET
    network_user_id: str | UnsetType | None = UNSET


class RawEventData(msgspec.Struct, frozen=True, rename="camel"):
    """One raw event (tracker parameters plus its request context), as schema_violations and
    enrichment_failures carry it (model 2: ``parameters`` is a list of name/value pairs)."""

    vendor: str
    version: str
    parameters: tuple[NameValue, ...] | UnsetType | None = UNSET
    content_type: str | UnsetType | None = UNSET
    loader_name: str = ""
    encoding: str = "UTF-8"
    hostname: str | UnsetType | None = UNSET
    timestamp: str | UnsetType | None = UNSET
    ip_address: str | UnsetType | None = UNSET
    useragent: str | UnsetType | None = UNSET
    referer_uri: str | UnsetType | None = UNSET
    headers: tuple[str, ...] | UnsetType | None = UNSET
    user_id: str | UnsetType | None = UNSET


class EventPayload(msgspec.Struct, frozen=True):
    """The payload of per-event bad rows: the partially enriched event and the raw event.

    ``enriched`` maps enriched field names (TSV order) to their values as computed so far.
    """

    enriched: dict[str, Any]
    raw: RawEventData


# --- failures -------------------------------------------------------------------------------


class SizeViolationFailure(msgspec.Struct, frozen=True, rename="camel"):
    timestamp: str
    maximum_allowed_size_bytes: int
    actual_size_bytes: int
    expectation: str


class FormatViolationFailure(msgspec.Struct, frozen=True):
    timestamp: str
    loader: str
    message: Any


class AdapterFailure(msgspec.Struct, frozen=True):
    timestamp: str
    vendor: str
    version: str
    messages: tuple[Any, ...]


class EventFailure(msgspec.Struct, frozen=True):
    timestamp: str
    messages: tuple[Any, ...]


class GenericFailure(msgspec.Struct, frozen=True):
    timestamp: str
    errors: tuple[str, ...]


class RecoveryFailure(msgspec.Struct, frozen=True, rename="camel"):
    error: str
    config_name: str | UnsetType = UNSET


# --- the rows ---------------------------------------------------------------------------------


class SizeViolation(msgspec.Struct, frozen=True):
    """A record too large for its stream; ``payload`` is a truncated rendering of it."""

    SCHEMA: ClassVar[str] = _uri("size_violation", "1-0-0")
    processor: Processor
    failure: SizeViolationFailure
    payload: str


class CollectorPayloadFormatViolation(msgspec.Struct, frozen=True):
    """A raw record that is not a valid CollectorPayload; ``payload`` is base64 of its bytes."""

    SCHEMA: ClassVar[str] = _uri("collector_payload_format_violation", "1-0-0")
    processor: Processor
    failure: FormatViolationFailure
    payload: str


class AdapterFailures(msgspec.Struct, frozen=True):
    """A request no adapter could turn into events (tp1 and webhooks)."""

    SCHEMA: ClassVar[str] = _uri("adapter_failures", "1-0-0")
    processor: Processor
    failure: AdapterFailure
    payload: CollectorPayloadData


class TrackerProtocolViolations(msgspec.Struct, frozen=True):
    """A tp2 or redirect request that breaks the tracker protocol."""

    SCHEMA: ClassVar[str] = _uri("tracker_protocol_violations", "1-0-1")
    processor: Processor
    failure: AdapterFailure
    payload: CollectorPayloadData


class SchemaViolations(msgspec.Struct, frozen=True):
    """An event whose fields or self-describing JSON failed validation."""

    SCHEMA: ClassVar[str] = _uri("schema_violations", "2-0-1")
    processor: Processor
    failure: EventFailure
    payload: EventPayload


class EnrichmentFailures(msgspec.Struct, frozen=True):
    """An event on which an enrichment failed."""

    SCHEMA: ClassVar[str] = _uri("enrichment_failures", "2-0-1")
    processor: Processor
    failure: EventFailure
    payload: EventPayload


class LoaderParsingError(msgspec.Struct, frozen=True):
    """An enriched TSV line a loader could not parse; ``failure`` is the SDK's parse error JSON."""

    SCHEMA: ClassVar[str] = _uri("loader_parsing_error", "2-0-0")
    processor: Processor
    failure: Any
    payload: str


class LoaderIgluError(msgspec.Struct, frozen=True):
    """An event a loader could not shred: schema lookup, casting or migration problems."""

    SCHEMA: ClassVar[str] = _uri("loader_iglu_error", "2-0-1")
    processor: Processor
    failure: tuple[Any, ...]
    payload: Any


class LoaderRuntimeError(msgspec.Struct, frozen=True):
    """An event a loader failed on for another reason."""

    SCHEMA: ClassVar[str] = _uri("loader_runtime_error", "1-0-1")
    processor: Processor
    failure: str
    payload: Any


class GenericError(msgspec.Struct, frozen=True):
    """Anything else; ``payload`` is the offending input as text."""

    SCHEMA: ClassVar[str] = _uri("generic_error", "1-0-0")
    processor: Processor
    failure: GenericFailure
    payload: str


class RecoveryError(msgspec.Struct, frozen=True):
    """A bad row whose recovery (replay with fixes) failed; ``payload`` is that bad row."""

    SCHEMA: ClassVar[str] = _uri("recovery_error", "1-0-1")
    processor: Processor
    failure: RecoveryFailure
    payload: Any
    recoveries: int | UnsetType = UNSET


class OtherBadRow(msgspec.Struct, frozen=True):
    """A bad row of a type or version pyplow does not model field by field (older versions, other
    producers). It is kept whole so that it can be stored, shown and re-encoded."""

    schema: str
    data: dict[str, Any]


BadRow = (
    SizeViolation
    | CollectorPayloadFormatViolation
    | AdapterFailures
    | TrackerProtocolViolations
    | SchemaViolations
    | EnrichmentFailures
    | LoaderParsingError
    | LoaderIgluError
    | LoaderRuntimeError
    | GenericError
    | RecoveryError
    | OtherBadRow
)

MODELLED: tuple[type[Any], ...] = (
    SizeViolation,
    CollectorPayloadFormatViolation,
    AdapterFailures,
    TrackerProtocolViolations,
    SchemaViolations,
    EnrichmentFailures,
    LoaderParsingError,
    LoaderIgluError,
    LoaderRuntimeError,
    GenericError,
    RecoveryError,
)
