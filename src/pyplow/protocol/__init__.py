"""Snowplow wire formats: the tracker protocol and the raw ``CollectorPayload`` record.

Raw records: the Thrift ``CollectorPayload`` codec (``collector_payload``) and its line and
compressed-stream forms (``lines``).

Tracker protocol: the parameter table (``parameters``), value
conversions (``values``), lenient base64 (``base64``), Enrich-exact querystring parsing
(``querystring``), the typed failure messages (``violations``), raw events (``raw_event``)
and the adapters turning one collector request into raw events (``adapters``, ``tp2``,
``redirect``), plus the JSON carried in ``ue_*``/``co``/``cx`` (``selfdescribing_params``).
"""

from pyplow.protocol.adapters import to_raw_events, tp1_parameters
from pyplow.protocol.base64 import (
    Base64TextError,
    decode_base64,
    decode_base64_text,
    encode_base64url,
)
from pyplow.protocol.collector_payload import (
    SCHEMA_URI,
    CollectorPayload,
    PayloadDecodeError,
)
from pyplow.protocol.collector_payload import decode as decode_collector_payload
from pyplow.protocol.collector_payload import encode as encode_collector_payload
from pyplow.protocol.lines import (
    decode_line,
    decode_stream_record,
    encode_gzip_record,
    encode_line,
    read_lines,
    write_lines,
)
from pyplow.protocol.parameters import (
    EVENT_CODES,
    PARAMETERS,
    PARAMETERS_BY_NAME,
    PAYLOAD_DATA_KEYS,
    PAYLOAD_DATA_VERSIONS,
    PLATFORMS,
    EventCode,
    Parameter,
    ParamKind,
)
from pyplow.protocol.payload_data import (
    PayloadValidator,
    default_payload_validator,
    iglu_payload_validator,
)
from pyplow.protocol.querystring import (
    Querystring,
    QuerystringError,
    check_querystring,
    parse_pairs,
    parse_querystring,
)
from pyplow.protocol.raw_event import RawEvent
from pyplow.protocol.redirect import redirect_parameters
from pyplow.protocol.request import TP1, TP2, Api, parse_api, raw_event
from pyplow.protocol.result import AdapterResult, BadRowFamily, family_for
from pyplow.protocol.selfdescribing_params import (
    CarriedJson,
    extract_contexts,
    extract_unstruct,
)
from pyplow.protocol.tp2 import ACCEPTED_CONTENT_TYPES, tp2_parameters
from pyplow.protocol.values import (
    ConversionError,
    extract_ip,
    iso_millis,
    parse_bool,
    parse_decimal,
    parse_dims,
    parse_event_code,
    parse_int32,
    parse_platform,
    parse_timestamp,
    parse_uuid,
    tsv_safe,
)
from pyplow.protocol.violations import (
    CollectorPayloadInputData,
    CriterionMismatch,
    IgluError,
    InputData,
    NotIglu,
    NotJson,
    ProtocolViolation,
    SchemaMapping,
)

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "EVENT_CODES",
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "PAYLOAD_DATA_KEYS",
    "PAYLOAD_DATA_VERSIONS",
    "PLATFORMS",
    "SCHEMA_URI",
    "TP1",
    "TP2",
    "AdapterResult",
    "Api",
    "BadRowFamily",
    "Base64TextError",
    "CarriedJson",
    "CollectorPayload",
    "CollectorPayloadInputData",
    "ConversionError",
    "CriterionMismatch",
    "EventCode",
    "IgluError",
    "InputData",
    "NotIglu",
    "NotJson",
    "ParamKind",
    "Parameter",
    "PayloadDecodeError",
    "PayloadValidator",
    "ProtocolViolation",
    "Querystring",
    "QuerystringError",
    "RawEvent",
    "SchemaMapping",
    "check_querystring",
    "decode_base64",
    "decode_base64_text",
    "decode_collector_payload",
    "decode_line",
    "decode_stream_record",
    "default_payload_validator",
    "encode_base64url",
    "encode_collector_payload",
    "encode_gzip_record",
    "encode_line",
    "extract_contexts",
    "extract_ip",
    "extract_unstruct",
    "family_for",
    "iglu_payload_validator",
    "iso_millis",
    "parse_api",
    "parse_bool",
    "parse_decimal",
    "parse_dims",
    "parse_event_code",
    "parse_int32",
    "parse_pairs",
    "parse_platform",
    "parse_querystring",
    "parse_timestamp",
    "parse_uuid",
    "raw_event",
    "read_lines",
    "redirect_parameters",
    "to_raw_events",
    "tp1_parameters",
    "tp2_parameters",
    "tsv_safe",
    "write_lines",
]
