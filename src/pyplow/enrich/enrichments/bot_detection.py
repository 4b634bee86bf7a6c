"""Bot detection (``bot_detection_enrichment_config`` 1-0-*): one verdict from several signals.

Each enabled signal reads an entity that is already on the event:

- ``useYauaa``: the derived ``nl.basjes/yauaa_context`` has ``deviceClass`` ``Robot``,
  ``Robot Mobile`` or ``Robot Imitator``, or ``agentClass`` ``Robot`` or ``Robot Mobile``;
- ``useIab``: the derived ``com.iab.snowplow/spiders_and_robots`` has ``spiderOrRobot: true``;
- ``useAsnLookups``: the derived ``asn`` entity has ``likelyBot: true`` (set by ASN lookups);
- ``useClientSideDetection`` (1-0-1): the tracker sent a
  ``com.snowplowanalytics.snowplow/client_side_bot_detection/jsonschema/1-0-0`` entity with
  ``bot: true``.

The entity ``com.snowplowanalytics.snowplow/bot_detection/jsonschema/1-0-1``
``{"bot": <any signal fired>, "indicators": [names of the signals that fired]}`` is always
emitted, indicators in the order above (``yauaa``, ``iab``, ``asnLookups``,
``clientSideDetection``). A signal whose entity is absent simply does not fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.event.entities import Entity

__all__ = ["BOT_DETECTION_SCHEMA", "BotDetection"]

BOT_DETECTION_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/bot_detection/jsonschema/1-0-1"

_YAUAA: Final = "iglu:nl.basjes/yauaa_context/jsonschema/1-"
_IAB: Final = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-"
_ASN: Final = "iglu:com.snowplowanalytics.snowplow/asn/jsonschema/1-"
_CLIENT_SIDE: Final = "iglu:com.snowplowanalytics.snowplow/client_side_bot_detection/jsonschema/1-"

_BOT_DEVICE_CLASSES: Final = frozenset({"Robot", "Robot Mobile", "Robot Imitator"})
_BOT_AGENT_CLASSES: Final = frozenset({"Robot", "Robot Mobile"})


def _yauaa_bot(data: Mapping[str, Any]) -> bool:
    return (
        data.get("deviceClass") in _BOT_DEVICE_CLASSES
        or data.get("agentClass") in _BOT_AGENT_CLASSES
    )


def _flag(key: str) -> Callable[[Mapping[str, Any]], bool]:
    def fired(data: Mapping[str, Any]) -> bool:
        return data.get(key) is True

    return fired


#: (parameter, indicator name, schema prefix, reads tracker contexts?, test)
_SIGNALS: Final = (
    ("useYauaa", "yauaa", _YAUAA, False, _yauaa_bot),
    ("useIab", "iab", _IAB, False, _flag("spiderOrRobot")),
    ("useAsnLookups", "asnLookups", _ASN, False, _flag("likelyBot")),
    ("useClientSideDetection", "clientSideDetection", _CLIENT_SIDE, True, _flag("bot")),
)


def _first(entities: list[Entity], prefix: str) -> Mapping[str, Any] | None:
    for entity in entities:
        if entity.schema.startswith(prefix) and isinstance(entity.data, Mapping):
            return entity.data
    return None


class BotDetection(Enrichment):
    """Combines the YAUAA, IAB, ASN and client-side bot signals into ``bot_detection``."""

    schema_name: ClassVar[str] = "bot_detection_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/"
            "bot_detection_enrichment_config/jsonschema/1-0-*"
        ),
    )
    identifier: ClassVar[str] = "bot_detection"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters = config.parameters
        enabled = []
        for parameter, name, prefix, tracker, test in _SIGNALS:
            value = parameters.get(parameter, False)
            if not isinstance(value, bool):
                raise EnrichmentConfigError(
                    f"parameters.{parameter} must be true or false, got {value!r}"
                )
            if value:
                enabled.append((name, prefix, tracker, test))
        self.signals: tuple[tuple[str, str, bool, Callable[[Mapping[str, Any]], bool]], ...] = (
            tuple(enabled)
        )

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        indicators = []
        for name, prefix, tracker, test in self.signals:
            data = _first(event.contexts if tracker else event.derived, prefix)
            if data is not None and test(data):
                indicators.append(name)
        return [Entity(BOT_DETECTION_SCHEMA, {"bot": bool(indicators), "indicators": indicators})]
