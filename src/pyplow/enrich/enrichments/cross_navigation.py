"""Cross navigation: the ``cross_navigation`` entity from the page URL's ``_sp`` parameter.

The engine always reads ``_sp`` (``refr_domain_userid``, ``refr_dvce_tstamp``); with this
enrichment configured, a value carrying both a domain user id and a timestamp also gives a
``com.snowplowanalytics.snowplow/cross_navigation/jsonschema/1-0-0`` entity. Parsing and the
entity's shape live in :mod:`pyplow.enrich.crossdomain` (last ``_sp`` wins; empty gives
nothing). A malformed timestamp is reported as a failure of this enrichment
(``cross-navigation``), as Snowplow attributes it when the enrichment is configured.
"""

from __future__ import annotations

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.crossdomain import (
    CROSS_NAVIGATION_SCHEMA,
    cross_navigation_entity,
    parse_sp,
    sp_value,
)
from pyplow.event.entities import Entity

__all__ = ["CROSS_NAVIGATION_SCHEMA", "CrossNavigation"]


class CrossNavigation(Enrichment):
    """Emits the ``cross_navigation`` entity for links decorated with ``_sp``."""

    schema_name = "cross_navigation_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/cross_navigation_config/jsonschema/1-0-*"
        ),
    )
    identifier = "cross-navigation"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        parsed = parse_sp(sp_value(event.page_query))
        if parsed is None:
            return None
        if isinstance(parsed, str):
            return EnrichmentError(parsed)
        data = cross_navigation_entity(parsed)
        if data is None:
            return None
        return [Entity(CROSS_NAVIGATION_SCHEMA, data)]
