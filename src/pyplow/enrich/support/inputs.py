"""Enrichment inputs read from the event: an atomic field (``pojo``) or a JSONPath into an entity.

The API request and SQL query enrichments share Snowplow's input configuration::

    {"pojo": {"field": "user_id"}}
    {"json": {"field": "contexts", "schemaCriterion": "iglu:com.acme/user/jsonschema/1-*-*",
              "jsonPath": "$.id"}}

A ``json`` input reads the first entity of ``contexts`` (the tracker's), ``derived_contexts``
(derived so far) or ``unstruct_event`` whose schema matches the criterion, and queries its
``data``. An input that finds nothing (unset field, no matching entity, no match, JSON null)
is *missing*: the enrichment then skips the event without failing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from pyplow.enrich.context import EnrichmentConfigError, EventContext
from pyplow.enrich.support.fields import ATOMIC_KINDS
from pyplow.enrich.support.jsonpath import JsonPath, collapse
from pyplow.event.entities import Entity
from pyplow.event.fields import Kind
from pyplow.iglu import SchemaCriterion, SchemaKey

__all__ = [
    "JSON_FIELDS",
    "JsonInput",
    "PojoInput",
    "entities_of",
    "json_text",
    "matching",
    "parse_criterion",
    "parse_source",
    "read_source",
    "schema_key",
]

#: The JSON fields an input or a PII rule can read.
JSON_FIELDS: Final = ("contexts", "derived_contexts", "unstruct_event")

_ENCODER: Final = msgspec.json.Encoder()


class PojoInput(msgspec.Struct, frozen=True):
    """An atomic field of the event."""

    field: str
    kind: Kind


class JsonInput(msgspec.Struct, frozen=True):
    """A JSONPath into the first entity of ``field`` matching ``criterion``."""

    field: str
    criterion: SchemaCriterion
    path: JsonPath


@functools.lru_cache(maxsize=4096)
def schema_key(uri: str) -> SchemaKey | None:
    """The parsed key of an entity's schema URI (None if it is not a valid Iglu URI)."""
    parsed = SchemaKey.parse(uri)
    return parsed if isinstance(parsed, SchemaKey) else None


def matching(criterion: SchemaCriterion, entity: Entity) -> bool:
    """Whether ``entity``'s schema fits ``criterion``."""
    key = schema_key(entity.schema)
    return key is not None and criterion.matches(key)


def parse_criterion(text: Any, what: str) -> SchemaCriterion:
    """A schema criterion from config text (raises ``EnrichmentConfigError``)."""
    parsed = SchemaCriterion.parse(text)
    if not isinstance(parsed, SchemaCriterion):
        raise EnrichmentConfigError(f"{what}: {parsed.message}")
    return parsed


def parse_source(spec: Mapping[str, Any], what: str) -> PojoInput | JsonInput:
    """The ``pojo`` or ``json`` part of one configured input."""
    pojo, json = spec.get("pojo"), spec.get("json")
    if (pojo is None) == (json is None):
        raise EnrichmentConfigError(f"{what}: expected exactly one of 'pojo' or 'json'")
    if pojo is not None:
        field = pojo.get("field") if isinstance(pojo, Mapping) else None
        kind = ATOMIC_KINDS.get(field) if isinstance(field, str) else None
        if kind is None:
            raise EnrichmentConfigError(
                f"{what}: pojo field {field!r} is not an atomic field of the enriched event"
            )
        assert isinstance(field, str)
        return PojoInput(field, kind)
    if not isinstance(json, Mapping):
        raise EnrichmentConfigError(f"{what}: 'json' must be an object, got {json!r}")
    field = json.get("field")
    if field not in JSON_FIELDS:
        raise EnrichmentConfigError(
            f"{what}: json field {field!r} is invalid: expected one of {', '.join(JSON_FIELDS)}"
        )
    criterion = parse_criterion(json.get("schemaCriterion"), f"{what}.schemaCriterion")
    path = JsonPath(json.get("jsonPath"), f"{what}.jsonPath")
    return JsonInput(str(field), criterion, path)


def entities_of(event: EventContext, field: str) -> list[Entity]:
    """The entities of one JSON field of the event being enriched."""
    if field == "contexts":
        return event.contexts
    if field == "derived_contexts":
        return event.derived
    return [event.unstruct] if event.unstruct is not None else []


def read_source(event: EventContext, source: PojoInput | JsonInput) -> Any:
    """The input's value: a typed field value or a JSON value; None when missing."""
    if isinstance(source, PojoInput):
        value = event.fields.get(source.field)
        return None if value == "" else value
    for entity in entities_of(event, source.field):
        if matching(source.criterion, entity):
            found = source.path.query(entity.data)
            return collapse(found) if found else None
    return None


def json_text(value: Any) -> str:
    """A JSON value as input text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return _ENCODER.encode(value).decode()
