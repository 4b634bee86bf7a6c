"""Shared helpers for the tests of the client enrichments (IP, user agent, bots)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pyplow.enrich.context import EnrichmentConfig, EventContext
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, SelfDescribingData, Validated, Validator
from pyplow.iglu.repositories import builtin_repository
from pyplow.protocol import RawEvent

__all__ = ["assert_valid", "config", "event", "validate_config"]


@cache
def _validator() -> Validator:
    return Validator(Resolver([builtin_repository()]))


def _key(uri: str) -> SchemaKey:
    key = SchemaKey.parse(uri)
    assert isinstance(key, SchemaKey), key
    return key


def config(document: dict[str, Any]) -> EnrichmentConfig:
    """An ``EnrichmentConfig`` from a Snowplow self-describing configuration document."""
    return EnrichmentConfig(schema=_key(document["schema"]), data=document["data"])


def validate_config(document: dict[str, Any]) -> bool:
    """Whether a configuration document is valid against its embedded Iglu schema."""
    parsed = SelfDescribingData.parse(document)
    assert isinstance(parsed, SelfDescribingData), parsed
    return isinstance(_validator().validate(parsed), Validated)


def assert_valid(entity: Entity) -> None:
    """The entity validates against its schema in the embedded registry."""
    result = _validator().validate_data(_key(entity.schema), entity.data)
    assert isinstance(result, Validated), result


def event(
    fields: dict[str, Any] | None = None,
    *,
    headers: tuple[str, ...] = (),
    contexts: list[Entity] | None = None,
    derived: list[Entity] | None = None,
) -> EventContext:
    """An ``EventContext`` for a minimal raw event."""
    raw = RawEvent(
        vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={}, headers=headers
    )
    context = EventContext(raw, dict(fields or {}), contexts=contexts)
    if derived:
        context.derived.extend(derived)
    return context
