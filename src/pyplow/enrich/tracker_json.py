"""The self-describing JSON a tracker sent, checked against Iglu (enrichment phase 1).

``ue_pr``/``ue_px`` carry one self-describing event inside an ``unstruct_event`` envelope;
``co``/``cx`` carry entities inside a ``contexts`` envelope. For each carrier, in Enrich's
order (contexts first, then the event), the first problem of the envelope ends the check:

1. the text is not JSON (``NotJson``, from :mod:`pyplow.protocol`);
2. the JSON is not self-describing (``NotIglu``);
3. the envelope's schema is not ``unstruct_event`` / ``contexts`` 1-0-* (``CriterionMismatch``);
4. the envelope is invalid against its schema or the schema cannot be resolved (``IgluError``).

Then each entity (or the event) is parsed and validated on its own: an invalid one is left out
and reported (``NotIglu`` or ``IgluError`` with the entity's own schema key), the others are
kept. An entity validated against a superseding schema takes that schema's version, and a
``validation_info`` entity records the change (``originalSchema``, ``validatedWith``).

All messages are the ``schema_violations`` message types of :mod:`pyplow.protocol.violations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final, TypeAlias

import msgspec

from pyplow.event import Entity
from pyplow.iglu import (
    IgluParseError,
    SchemaCriterion,
    SchemaKey,
    SelfDescribingData,
    Validated,
    Validator,
)
from pyplow.protocol import (
    CriterionMismatch,
    IgluError,
    NotIglu,
    NotJson,
    extract_contexts,
    extract_unstruct,
)
from pyplow.protocol.sdj import DEFAULT_MAX_JSON_DEPTH

__all__ = [
    "CONTEXTS_CRITERION",
    "UNSTRUCT_CRITERION",
    "VALIDATION_INFO_SCHEMA",
    "SchemaViolationMessage",
    "TrackerJson",
    "check_tracker_json",
]

#: One message of a ``schema_violations`` bad row found in phase 1.
SchemaViolationMessage: TypeAlias = NotJson | NotIglu | CriterionMismatch | IgluError


def _criterion(uri: str) -> SchemaCriterion:
    parsed = SchemaCriterion.parse(uri)
    assert isinstance(parsed, SchemaCriterion), uri
    return parsed


#: The envelopes Enrich accepts.
UNSTRUCT_CRITERION: Final = _criterion(
    "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-*"
)
CONTEXTS_CRITERION: Final = _criterion(
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-*"
)
#: The entity recording that data was validated against a superseding schema.
VALIDATION_INFO_SCHEMA: Final = "iglu:com.snowplowanalytics.iglu/validation_info/jsonschema/1-0-0"


class TrackerJson(msgspec.Struct, frozen=True, kw_only=True):
    """The tracker's valid self-describing event and entities, the messages about the invalid
    ones, and the ``validation_info`` entities for superseded schemas (contexts' first)."""

    unstruct: Entity | None = None
    contexts: list[Entity] = msgspec.field(default_factory=list)
    messages: list[SchemaViolationMessage] = msgspec.field(default_factory=list)
    validation_info: list[Entity] = msgspec.field(default_factory=list)


class _Checked(msgspec.Struct, frozen=True):
    entity: Entity
    info: Entity | None


@lru_cache(maxsize=2048)
def _schema_key(uri: str) -> SchemaKey | IgluParseError:
    """Schema keys parsed once per URI (events repeat the same few schemas)."""
    return SchemaKey.parse(uri)


def _self_describing(value: Any) -> tuple[SchemaKey, str, Any] | NotIglu:
    """(key, URI, data) of a self-describing JSON, or the ``NotIglu`` message."""
    if type(value) is dict:
        uri = value.get("schema")
        if type(uri) is str and "data" in value:
            key = _schema_key(uri)
            if isinstance(key, SchemaKey):
                return key, uri, value["data"]
    sdd = SelfDescribingData.parse(value)
    if isinstance(sdd, IgluParseError):
        return NotIglu(value, sdd.code.value)
    return sdd.schema, sdd.schema.to_uri(), sdd.data  # pragma: no cover - a dict subclass


def _envelope(
    carried: Any, criterion: SchemaCriterion, validator: Validator
) -> tuple[SchemaKey, Any] | SchemaViolationMessage:
    """The envelope's data once it is self-describing, of the right schema and valid."""
    sdd = _self_describing(carried)
    if isinstance(sdd, NotIglu):
        return sdd
    key, uri, data = sdd
    if not criterion.matches(key):
        return CriterionMismatch(uri, criterion.to_uri())
    result = validator.validate_data(key, data)
    if not isinstance(result, Validated):
        return IgluError(uri, result)
    return key, data


def _entity(value: Any, validator: Validator) -> _Checked | SchemaViolationMessage:
    """One self-describing entity, parsed and validated."""
    sdd = _self_describing(value)
    if isinstance(sdd, NotIglu):
        return sdd
    key, uri, data = sdd
    result = validator.validate_data(key, data)
    if not isinstance(result, Validated):
        return IgluError(uri, result)
    if result.superseded_by is None:
        return _Checked(Entity(uri, data), None)
    newer = key.with_version(result.superseded_by).to_uri()
    info = Entity(
        VALIDATION_INFO_SCHEMA,
        {"originalSchema": uri, "validatedWith": str(result.superseded_by)},
    )
    return _Checked(Entity(newer, data), info)


def check_tracker_json(
    parameters: Mapping[str, str | None],
    validator: Validator,
    *,
    max_depth: int | None = DEFAULT_MAX_JSON_DEPTH,
) -> TrackerJson:
    """Read and validate the ``co``/``cx`` entities and the ``ue_pr``/``ue_px`` event of one
    raw event's ``parameters``. Never raises for bad data; everything wrong is a message."""
    messages: list[SchemaViolationMessage] = []
    infos: list[Entity] = []
    contexts: list[Entity] = []
    unstruct: Entity | None = None

    carried = extract_contexts(parameters, max_depth=max_depth)
    if isinstance(carried, NotJson):
        messages.append(carried)
    elif carried is not None:
        envelope = _envelope(carried.value, CONTEXTS_CRITERION, validator)
        if isinstance(envelope, tuple):
            data = envelope[1]
            for item in data if isinstance(data, list) else ():
                checked = _entity(item, validator)
                if isinstance(checked, _Checked):
                    contexts.append(checked.entity)
                    if checked.info is not None and checked.info not in infos:
                        infos.append(checked.info)
                else:
                    messages.append(checked)
        else:
            messages.append(envelope)

    carried = extract_unstruct(parameters, max_depth=max_depth)
    if isinstance(carried, NotJson):
        messages.append(carried)
    elif carried is not None:
        envelope = _envelope(carried.value, UNSTRUCT_CRITERION, validator)
        if isinstance(envelope, tuple):
            checked = _entity(envelope[1], validator)
            if isinstance(checked, _Checked):
                unstruct = checked.entity
                if checked.info is not None and checked.info not in infos:
                    infos.append(checked.info)
            else:
                messages.append(checked)
        else:
            messages.append(envelope)

    return TrackerJson(
        unstruct=unstruct, contexts=contexts, messages=messages, validation_info=infos
    )
