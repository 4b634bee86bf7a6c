"""The JSON shapes Snowplow's analytics SDKs make from an enriched event.

- :func:`to_sdk_json`: the Scala Analytics SDK 3.x ``toJson(lossy = true)`` ("shredded") form;
- :func:`to_python_sdk_json`: the Python Analytics SDK 0.2.3 ``transform()`` form;
- :func:`to_lossless_json`: the Scala Analytics SDK ``toJson(lossy = false)`` form;
- :func:`transform`: TSV line → Scala shredded dict, raising :class:`EventParseError`.

Key order follows the SDKs' own output (and their published expected outputs): ``geo_location``
first when latitude and longitude are both set, then the fields in TSV order, with each JSON
field replaced in place by its shredded keys. When a derived context and a custom context map to
the same key, the derived one wins and the key keeps its first position.

The returned dicts share nested entity payloads with the event; copy before mutating them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, Final

import msgspec

from pyplow.event.entities import (
    CONTEXTS_SCHEMA_1_0_0,
    UNSTRUCT_EVENT_SCHEMA,
    Contexts,
    Entity,
    UnstructEvent,
)
from pyplow.event.errors import TsvDecodeError, describe_error
from pyplow.event.fields import FIELDS, Kind
from pyplow.event.model import EnrichedEvent
from pyplow.event.tsv import decode_tsv
from pyplow.event.values import format_instant, format_java_float, format_timestamp

__all__ = [
    "EventParseError",
    "PythonSdkError",
    "python_sdk_key",
    "scala_sdk_key",
    "to_lossless_json",
    "to_python_sdk_json",
    "to_sdk_json",
    "transform",
]


class EventParseError(ValueError):
    """Raised by :func:`transform` when the line is not a valid enriched event."""

    def __init__(self, error: TsvDecodeError) -> None:
        super().__init__(describe_error(error))
        self.error = error


class PythonSdkError(ValueError):
    """The Python Analytics SDK would reject this event (it raises; so does our mirror)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


_CAMEL_BOUNDARY: Final = re.compile(r"([^A-Z_])([A-Z])")
_PY_SCHEMA: Final = re.compile(r".+:([a-zA-Z0-9_\.]+)/([a-zA-Z0-9_]+)/[^/]+/(.*)")


def _schema_parts(uri: str) -> tuple[str, str, str, str]:
    vendor, name, fmt, version = uri[5:].split("/")
    return vendor, name, fmt, version.split("-", 1)[0]


@functools.lru_cache(maxsize=4096)  # a handful of schemas recur in every event
def scala_sdk_key(prefix: str, uri: str) -> str:
    """Scala SDK column name, e.g. ``contexts_org_schema_web_page_1`` for ``org.schema/WebPage``."""
    vendor, name, _, model = _schema_parts(uri)
    vendor = vendor.replace(".", "_").replace("-", "_").lower()
    name = _CAMEL_BOUNDARY.sub(r"\1_\2", name.replace(".", "_").replace("-", "_")).lower()
    return f"{prefix}_{vendor}_{name}_{model}"


@functools.lru_cache(maxsize=4096)
def python_sdk_key(prefix: str, uri: str) -> str | None:
    """Python SDK 0.2.3 column name, or ``None`` where that SDK rejects the schema URI."""
    match = _PY_SCHEMA.match(uri)
    if match is None:
        return None
    vendor, name, version = match.groups()
    name = _CAMEL_BOUNDARY.sub(r"\1_\2", name).lower()
    return f"{prefix}_{vendor.replace('.', '_').lower()}_{name}_{version.split('-')[0]}"


def _with_schema_version(entity: Entity) -> dict[str, Any]:
    version = entity.schema.rsplit("/", 1)[1]
    merged: dict[str, Any] = {"_schema_version": version}
    if isinstance(entity.data, dict):
        merged.update((k, v) for k, v in entity.data.items() if k != "_schema_version")
    return merged


def _scala_contexts(out: dict[str, Any], contexts: Contexts | None) -> None:
    if contexts is None:
        return
    groups: dict[tuple[str, str, str, str], list[Any]] = {}
    for entity in contexts.data:
        groups.setdefault(_schema_parts(entity.schema), []).append(_with_schema_version(entity))
    for (vendor, name, fmt, model), items in groups.items():
        out[scala_sdk_key("contexts", f"iglu:{vendor}/{name}/{fmt}/{model}")] = items


def _number(value: Any) -> float:
    return float(value)


_SCALA_VALUE: Final[dict[Kind, Callable[[Any], Any]]] = {
    Kind.DEC: _number,
    Kind.TS: format_instant,
}


def _geo_location(event: EnrichedEvent) -> str | None:
    lat, lon = event.geo_latitude, event.geo_longitude
    if lat is None or lon is None:
        return None
    return f"{format_java_float(lat)},{format_java_float(lon)}"


def to_sdk_json(event: EnrichedEvent) -> dict[str, Any]:
    """The Scala Analytics SDK 3.x shredded JSON (``toJson(true)``) as a dict.

    All atomic fields are present (``None`` when absent); timestamps are ISO-8601 with ``Z``;
    decimals become floats; each entity group becomes ``contexts_<vendor>_<name>_<model>`` (a list
    of data objects with ``_schema_version``), the event becomes
    ``unstruct_event_<vendor>_<name>_<model>``; the three JSON fields themselves are dropped.
    """
    out: dict[str, Any] = {}
    geo = _geo_location(event)
    if geo is not None:
        out["geo_location"] = geo
    for field, value in zip(FIELDS, msgspec.structs.astuple(event), strict=True):
        kind = field.kind
        if kind is Kind.CONTEXTS:
            _scala_contexts(out, value)
        elif kind is Kind.UNSTRUCT:
            if value is not None:
                entity = value.data
                out[scala_sdk_key("unstruct_event", entity.schema)] = entity.data
        elif value is None:
            out[field.name] = None
        else:
            convert = _SCALA_VALUE.get(kind)
            out[field.name] = value if convert is None else convert(value)
    return out


def _python_json_field(
    out: dict[str, Any], errors: list[str], prefix: str, entities: tuple[Entity, ...]
) -> None:
    groups: dict[str, list[Any]] = {}
    for entity in entities:
        key = python_sdk_key(prefix, entity.schema)
        if key is None:
            errors.append(
                f"Schema {entity.schema} does not conform to regular expression "
                f"{_PY_SCHEMA.pattern}"
            )
            continue
        groups.setdefault(key, []).append(entity.data)
    if prefix == "unstruct_event":
        for key, items in groups.items():
            out[key] = items[0]
    else:
        out.update(groups)


def to_python_sdk_json(event: EnrichedEvent) -> dict[str, Any]:
    """The Python Analytics SDK 0.2.3 ``transform()`` output as a dict.

    Absent values are omitted; timestamps are the TSV text with ``T`` and ``Z``; ``se_value``
    stays a string while the other money fields are floats; entity data carry no
    ``_schema_version``; position 122 is called ``refr_device_tstamp``. Raises
    :class:`PythonSdkError` for schema URIs that SDK rejects (vendor or name with ``-``).
    """
    out: dict[str, Any] = {}
    errors: list[str] = []
    geo = _geo_location(event)
    if geo is not None:
        out["geo_location"] = geo
    for field, value in zip(FIELDS, msgspec.structs.astuple(event), strict=True):
        if value is None or value == "":
            continue
        kind = field.kind
        if kind is Kind.CONTEXTS:
            _python_json_field(out, errors, "contexts", value.data)
        elif kind is Kind.UNSTRUCT:
            _python_json_field(out, errors, "unstruct_event", (value.data,))
        elif kind is Kind.TS:
            out[field.python_sdk_name] = format_timestamp(value).replace(" ", "T") + "Z"
        elif kind is Kind.DEC:
            out[field.python_sdk_name] = str(value) if field.name == "se_value" else float(value)
        else:
            out[field.python_sdk_name] = value
    if errors:
        raise PythonSdkError(errors)
    return out


def _entity_json(entity: Entity) -> dict[str, Any]:
    return {"schema": entity.schema, "data": entity.data}


def to_lossless_json(event: EnrichedEvent) -> dict[str, Any]:
    """The Scala Analytics SDK ``toJson(false)`` output as a dict.

    Every field by name (``None`` when absent); ``contexts`` / ``derived_contexts`` as a
    ``contexts/jsonschema/1-0-0`` envelope object, or ``{}`` when there are no entities;
    ``unstruct_event`` as its envelope object or ``None``.
    """
    out: dict[str, Any] = {}
    for field, value in zip(FIELDS, msgspec.structs.astuple(event), strict=True):
        kind = field.kind
        if kind is Kind.CONTEXTS:
            if isinstance(value, Contexts) and value.data:
                out[field.name] = {
                    "schema": CONTEXTS_SCHEMA_1_0_0,
                    "data": [_entity_json(e) for e in value.data],
                }
            else:
                out[field.name] = {}
        elif kind is Kind.UNSTRUCT:
            if isinstance(value, UnstructEvent):
                out[field.name] = {
                    "schema": UNSTRUCT_EVENT_SCHEMA,
                    "data": _entity_json(value.data),
                }
            else:
                out[field.name] = None
        elif value is None:
            out[field.name] = None
        else:
            convert = _SCALA_VALUE.get(kind)
            out[field.name] = value if convert is None else convert(value)
    return out


def transform(tsv_line: str) -> dict[str, Any]:
    """Decode an enriched TSV line and return its Scala-SDK shredded JSON dict.

    Raises :class:`EventParseError` (carrying the typed error in ``.error``) for invalid lines.
    """
    event = decode_tsv(tsv_line)
    if not isinstance(event, EnrichedEvent):
        raise EventParseError(event)
    return to_sdk_json(event)
