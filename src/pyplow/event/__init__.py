"""The canonical enriched event, its TSV codec and the analytics-SDK JSON shapes.

- :mod:`~pyplow.event.fields`: the 131 fields in Snowplow's order (names, kinds, limits, DDL);
- :mod:`~pyplow.event.entities`: ``Entity``, ``Contexts``, ``UnstructEvent`` (the JSON fields);
- :mod:`~pyplow.event.model`: ``EnrichedEvent``;
- :mod:`~pyplow.event.values`: scalar text forms (timestamps, decimals, Java-style floats);
- :mod:`~pyplow.event.errors`: TSV decoding errors in the Scala Analytics SDK's JSON shape;
- :mod:`~pyplow.event.tsv`: ``decode_tsv`` / ``encode_tsv``;
- :mod:`~pyplow.event.sdk`: Scala / Python analytics-SDK JSON forms.
"""

from pyplow.event.entities import (
    CONTEXTS_SCHEMA,
    CONTEXTS_SCHEMA_1_0_0,
    CONTEXTS_SCHEMA_1_0_1,
    UNSTRUCT_EVENT_SCHEMA,
    Contexts,
    Entity,
    EnvelopeError,
    UnstructEvent,
    decode_contexts,
    decode_unstruct_event,
    encode_json,
)
from pyplow.event.errors import (
    FieldNumberMismatch,
    InvalidValue,
    NotTSV,
    RowDecodingError,
    RowDecodingErrorInfo,
    TsvDecodeError,
    UnhandledRowDecodingError,
    describe_error,
)
from pyplow.event.fields import (
    FIELD_COUNT,
    FIELD_INDEX,
    FIELD_NAMES,
    FIELDS,
    REQUIRED_FIELDS,
    Field,
    Kind,
)
from pyplow.event.model import EnrichedEvent, missing_required
from pyplow.event.sdk import (
    EventParseError,
    PythonSdkError,
    python_sdk_key,
    scala_sdk_key,
    to_lossless_json,
    to_python_sdk_json,
    to_sdk_json,
    transform,
)
from pyplow.event.tsv import decode_tsv, encode_tsv
from pyplow.event.values import (
    WholeSecondTimestamp,
    format_instant,
    format_java_float,
    format_timestamp,
)

__all__ = [
    "CONTEXTS_SCHEMA",
    "CONTEXTS_SCHEMA_1_0_0",
    "CONTEXTS_SCHEMA_1_0_1",
    "FIELDS",
    "FIELD_COUNT",
    "FIELD_INDEX",
    "FIELD_NAMES",
    "REQUIRED_FIELDS",
    "UNSTRUCT_EVENT_SCHEMA",
    "Contexts",
    "EnrichedEvent",
    "Entity",
    "EnvelopeError",
    "EventParseError",
    "Field",
    "FieldNumberMismatch",
    "InvalidValue",
    "Kind",
    "NotTSV",
    "PythonSdkError",
    "RowDecodingError",
    "RowDecodingErrorInfo",
    "TsvDecodeError",
    "UnhandledRowDecodingError",
    "UnstructEvent",
    "WholeSecondTimestamp",
    "decode_contexts",
    "decode_tsv",
    "decode_unstruct_event",
    "describe_error",
    "encode_json",
    "encode_tsv",
    "format_instant",
    "format_java_float",
    "format_timestamp",
    "missing_required",
    "python_sdk_key",
    "scala_sdk_key",
    "to_lossless_json",
    "to_python_sdk_json",
    "to_sdk_json",
    "transform",
]
