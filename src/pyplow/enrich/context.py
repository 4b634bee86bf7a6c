"""The contract between the enrich engine and the enrichments.

An ``Enrichment`` is built once from its Snowplow configuration (a self-describing JSON, read
unchanged) and then called for every event with an ``EventContext``: the event being built
(``fields``, typed as in :class:`~pyplow.event.EnrichedEvent`), the raw event it came from, the
tracker's entities, and the entities earlier enrichments derived. An enrichment may set fields,
returns the entities it derives (or None), and reports a failure by returning an
``EnrichmentError`` — it never raises for bad event data. A broken configuration is an
``EnrichmentConfigError`` at start-up (the command exits with status 2).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from pyplow.event.entities import Entity
from pyplow.iglu import SchemaCriterion, SchemaKey
from pyplow.protocol import RawEvent

__all__ = [
    "Enrichment",
    "EnrichmentConfig",
    "EnrichmentConfigError",
    "EnrichmentError",
    "EnrichmentOutput",
    "EventContext",
]


class EnrichmentConfigError(Exception):
    """An enrichment's configuration cannot be used; the message names the enrichment, the
    setting and what was expected."""


class EnrichmentConfig(msgspec.Struct, frozen=True):
    """One enrichment's configuration as Snowplow writes it.

    ``schema`` is the config's schema key; ``data`` the whole ``data`` object (``vendor``,
    ``name``, ``enabled``, ``parameters`` and any enrichment-specific keys such as PII's
    ``emitEvent``); ``parameters`` is ``data["parameters"]`` (``{}`` when absent).
    """

    schema: SchemaKey
    data: Mapping[str, Any]

    @property
    def parameters(self) -> Mapping[str, Any]:
        value = self.data.get("parameters")
        return value if isinstance(value, Mapping) else {}

    @property
    def enabled(self) -> bool:
        return bool(self.data.get("enabled", True))


class EnrichmentError(msgspec.Struct, frozen=True):
    """One enrichment failed on one event; ``message`` says what and why."""

    message: str


EnrichmentOutput = list[Entity] | EnrichmentError | None


class EventContext:
    """One event while it is being enriched.

    ``fields`` maps enriched field names to typed values (absent or None: not set). ``contexts``
    are the tracker's entities (already validated), ``unstruct`` the self-describing event;
    ``derived`` the entities derived so far, in Snowplow's order (each enrichment's output goes
    in front of the earlier ones). ``page_query`` is the page URL's query as (name, value)
    pairs, ``headers`` the request headers as ``Name: value`` strings, ``anonymous`` whether the
    request carried ``SP-Anonymous``.
    """

    __slots__ = (
        "_anonymous",
        "contexts",
        "derived",
        "dropped",
        "fields",
        "headers",
        "page_query",
        "raw",
        "unstruct",
    )

    def __init__(
        self,
        raw: RawEvent,
        fields: dict[str, Any] | None = None,
        *,
        contexts: list[Entity] | None = None,
        unstruct: Entity | None = None,
        page_query: list[tuple[str, str | None]] | None = None,
    ) -> None:
        self.raw = raw
        self.fields: dict[str, Any] = fields if fields is not None else {}
        self.contexts: list[Entity] = contexts if contexts is not None else []
        self.unstruct = unstruct
        self.derived: list[Entity] = []
        self.page_query: list[tuple[str, str | None]] = page_query or []
        self.headers: tuple[str, ...] = raw.headers
        self._anonymous: bool | None = None  # worked out when first asked (rarely)
        #: set by an enrichment that discards the event on purpose (counted, not a failure)
        self.dropped = False

    @property
    def anonymous(self) -> bool:
        """Whether the request carried the ``SP-Anonymous`` header."""
        if self._anonymous is None:
            self._anonymous = any(h.lower().startswith("sp-anonymous:") for h in self.headers)
        return self._anonymous

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def set(self, name: str, value: Any) -> None:
        self.fields[name] = value


class Enrichment(abc.ABC):
    """One enrichment: configured once, applied to every event."""

    #: The ``name`` of the config schema key that selects this implementation.
    schema_name: ClassVar[str]
    #: The config schema versions this implementation accepts.
    criteria: ClassVar[tuple[SchemaCriterion, ...]]
    #: How failures of this enrichment are labelled in bad rows.
    identifier: ClassVar[str]
    #: True when the entities this enrichment derives are valid by construction (fixed shapes,
    #: no length limits in their schemas, checked against those schemas by the tests): the
    #: engine then does not validate them again. User-defined outputs are always validated.
    trusted_output: ClassVar[bool] = False

    def __init__(self, config: EnrichmentConfig) -> None:
        self.config = config

    @property
    def schema_key(self) -> SchemaKey:
        return self.config.schema

    @abc.abstractmethod
    def enrich(self, event: EventContext) -> EnrichmentOutput:
        """Enrich ``event`` in place; return derived entities, None, or an error."""

    def close(self) -> None:  # noqa: B027 - most enrichments hold nothing to release
        """Release resources (files, connections, caches)."""


def criterion(uri: str) -> SchemaCriterion:
    """A ``SchemaCriterion`` from its URI (for class definitions; raises on a typo)."""
    parsed = SchemaCriterion.parse(uri)
    if not isinstance(parsed, SchemaCriterion):
        raise ValueError(f"bad criterion {uri!r}: {parsed.message}")
    return parsed
