"""Phase 1 of enrichment: a raw event's tracker parameters become the enriched event's fields.

``transform`` first sets what the pipeline itself knows (the collector name, the ETL version
and time, the collector's network user id, IP address, user agent and timestamp), then maps
every tracker parameter through :data:`pyplow.protocol.PARAMETERS` with the conversion its
kind calls for; an event left without a valid ``eid`` takes its ``event_id`` from the
caller's ``new_event_id`` (the engine derives it from the raw record). Values are typed as in
:class:`pyplow.event.EnrichedEvent`.

A value that cannot be converted leaves its field untouched and becomes a
:class:`~pyplow.iglu.DataReport` with keyword ``atomic_field_parse_error``, as Enrich reports
it inside an ``IgluError`` against ``iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0``.
Enrich names the *tracker parameter* in the report's ``path`` (``tr_tt``, ``res``, ``e``), and
``collector_tstamp`` for a missing or out-of-range collector time; pyplow does the same.

Precedence when two parameters fill one field: ``tnuid`` beats ``nuid`` (which beats the
collector's cookie id), and the current spellings beat the legacy ones (``se_*`` over
``ev_*``, ``ti_nm`` over ``ti_na``; Enrich leaves that order undefined). Both values are
still converted, so a malformed shadowed value is reported as Enrich would.

The JSON carriers (``ue_pr``/``ue_px``/``co``/``cx``) are read by
:mod:`pyplow.enrich.tracker_json`; ignored and unknown parameters set nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, Final

import msgspec

from pyplow.iglu import DataReport
from pyplow.protocol import (
    PARAMETERS,
    ConversionError,
    Parameter,
    ParamKind,
    RawEvent,
    extract_ip,
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

__all__ = [
    "ATOMIC_SCHEMA",
    "PARSE_ERROR_KEYWORD",
    "Transformed",
    "parse_report",
    "safe_text",
    "transform",
]

#: The schema atomic-field reports are filed against.
ATOMIC_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0"
#: ``keyword`` of a report about a value that could not be converted.
PARSE_ERROR_KEYWORD: Final = "atomic_field_parse_error"

_COLLECTOR_TSTAMP: Final = "collector_tstamp"


class Transformed(msgspec.Struct, frozen=True, kw_only=True):
    """The fields set so far (typed as in ``EnrichedEvent``) and the parse-error reports."""

    fields: dict[str, Any]
    reports: list[DataReport]


def parse_report(path: str, message: str) -> DataReport:
    """An ``atomic_field_parse_error`` report for ``path`` (a parameter or field name)."""
    return DataReport(message=message, path=path, keyword=PARSE_ERROR_KEYWORD)


def safe_text(value: str) -> str | None:
    """``tsv_safe`` with a fast path for the usual text that holds no control character."""
    if value.isprintable():
        return value or None
    return tsv_safe(value)


# --- converters: raw string → typed value, or ConversionError --------------------------------

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FAST_MS_MAX: Final = 253_402_300_799_999  # 9999-12-31 23:59:59.999


def _timestamp(value: str) -> dt.datetime | ConversionError:
    # Fast path for the usual 13-digit epoch milliseconds; everything else goes to values.py.
    if value.isdigit() and value.isascii() and len(value) < 16:
        ms = int(value)
        if ms <= _FAST_MS_MAX:
            return _EPOCH + dt.timedelta(0, 0, 0, ms)
    return parse_timestamp(value)


def _int32(value: str) -> int | ConversionError | None:
    if value.isdigit() and value.isascii() and len(value) < 10:
        return int(value)
    return parse_int32(value)


def _dims(value: str) -> tuple[int, int] | ConversionError:
    width, _, height = value.partition("x")
    if (
        width.isdigit()
        and height.isdigit()
        and value.isascii()
        and len(width) < 10
        and len(height) < 10
    ):
        return int(width), int(height)
    return parse_dims(value)


def _event(value: str) -> str | ConversionError:
    code = parse_event_code(value)
    return code if isinstance(code, ConversionError) else code.event


_CONVERTERS: Final[dict[ParamKind, Callable[[str], Any]]] = {
    ParamKind.STR: safe_text,
    ParamKind.INT: _int32,
    ParamKind.DEC: parse_decimal,
    ParamKind.BOOL: parse_bool,
    ParamKind.TS: _timestamp,
    ParamKind.UUID: parse_uuid,
    ParamKind.DIMS: _dims,
    ParamKind.PLATFORM: parse_platform,
    ParamKind.EVENT_CODE: _event,
    ParamKind.IP: extract_ip,
}

# A parameter that loses to another one filling the same field (when that one has a value).
_SHADOWED_BY: Final[dict[str, str]] = {"nuid": "tnuid"}


def _shadow(param: Parameter) -> str | None:
    if param.name in _SHADOWED_BY:
        return _SHADOWED_BY[param.name]
    if not param.legacy or not param.fields:
        return None
    for other in PARAMETERS:
        if other.fields == param.fields and not other.legacy and other.name != param.name:
            return other.name
    return None


# (convert, first field, second field or None, shadowing parameter or None)
_Setter = tuple[Callable[[str], Any], str, str | None, str | None]


def _build_setters() -> MappingProxyType[str, _Setter]:
    table: dict[str, _Setter] = {}
    for param in PARAMETERS:
        convert = _CONVERTERS.get(param.kind)
        if convert is None or not param.fields:  # JSON carriers, ignored parameters
            continue
        second = param.fields[1] if len(param.fields) > 1 else None
        table[param.name] = (convert, param.fields[0], second, _shadow(param))
    return MappingProxyType(table)


#: Parameter name → how to convert it and which field(s) it sets (built once at import).
_SETTERS: Final = _build_setters()


def _collector_tstamp(timestamp: int | None) -> dt.datetime | DataReport:
    if timestamp is None:
        return parse_report(_COLLECTOR_TSTAMP, "Field not set")
    parsed = _timestamp(str(timestamp))
    if isinstance(parsed, ConversionError):
        # Enrich words the collector time "Formatted as …" where parameters say "Formatting as".
        message = parsed.message
        if message.startswith("Formatting as "):
            message = "Formatted as " + message[len("Formatting as ") :]
        return parse_report(_COLLECTOR_TSTAMP, message)
    return parsed


def _millis(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC, cut to whole milliseconds (what the enriched event can hold)."""
    if moment.tzinfo is None:
        raise ValueError(f"etl_tstamp must be timezone-aware, got naive {moment.isoformat()}")
    moment = moment.astimezone(dt.UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def transform(
    raw: RawEvent,
    *,
    etl_tstamp: dt.datetime,
    v_etl: str,
    new_event_id: Callable[[], str],
) -> Transformed:
    """Set up the enriched event's fields from ``raw`` as Enrich's phase 1 does.

    Never raises for bad event data: conversion problems come back in ``reports``.
    (``etl_tstamp`` must be timezone-aware; a naive one is a programming error.)
    """
    fields: dict[str, Any] = {
        "v_collector": raw.loader_name or None,
        "v_etl": v_etl,
        "etl_tstamp": _millis(etl_tstamp),
    }
    if raw.user_id is not None:
        fields["network_userid"] = raw.user_id
    if raw.ip_address is not None:
        fields["user_ipaddress"] = extract_ip(raw.ip_address)
    if raw.useragent is not None:
        fields["useragent"] = safe_text(raw.useragent)
    reports: list[DataReport] = []
    collector = _collector_tstamp(raw.timestamp)
    if isinstance(collector, DataReport):
        reports.append(collector)
    else:
        fields[_COLLECTOR_TSTAMP] = collector

    params = raw.parameters
    setters = _SETTERS
    for name, value in params.items():
        setter = setters.get(name)
        if setter is None or value is None:
            continue
        convert, field, second, shadow = setter
        result = convert(value)
        if result.__class__ is ConversionError:
            reports.append(parse_report(name, result.message))
        elif shadow is None or params.get(shadow) is None:
            if second is None:
                fields[field] = result
            else:
                fields[field], fields[second] = result
    if "event_id" not in fields:  # no valid eid: the caller gives one
        fields["event_id"] = new_event_id()
    return Transformed(fields=fields, reports=reports)
