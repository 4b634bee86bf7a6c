"""Which enrichments exist, in which order they run, and where each is implemented.

``ORDER`` is Snowplow Enrich's fixed order of processing for one event, built-in steps
included (they have no configuration and always run). An enrichment is chosen by the ``name``
of its configuration's schema key, as Snowplow does. Implementations are imported only when a
configuration asks for them, so optional libraries load only when used.
"""

from __future__ import annotations

import importlib
from typing import Final

from pyplow.enrich.context import Enrichment

__all__ = ["BUILTIN_STEPS", "IMPLEMENTATIONS", "ORDER", "implementation"]

#: Steps the engine itself performs at their place in ``ORDER``.
BUILTIN_STEPS: Final = frozenset(
    {
        "collector_version",
        "page_uri",
        "derived_tstamp",
        "referer_uri",
        "page_query",
        "cross_domain",
        "event_schema",
    }
)

#: Snowplow Enrich's order (enrichments.md §2, phase 2).
ORDER: Final[tuple[str, ...]] = (
    "collector_version",
    "page_uri",
    "derived_tstamp",
    "iab_spiders_and_robots_enrichment",
    "ua_parser_config",
    "currency_conversion_config",
    "referer_uri",
    "referer_parser",
    "page_query",
    "campaign_attribution",
    "cross_domain",
    "cross_navigation_config",
    "event_fingerprint_config",
    "cookie_extractor_config",
    "http_header_extractor_config",
    "weather_enrichment_config",
    "yauaa_enrichment_config",
    "event_schema",
    "ip_lookups",
    "asn_lookups",
    "bot_detection_enrichment_config",
    "javascript_script_config",
    "python_function_config",
    "sql_query_enrichment_config",
    "api_request_enrichment_config",
    "anon_ip",
    "pii_enrichment_config",
)

_PACKAGE = "pyplow.enrich.enrichments"

#: Config schema name → "module:Class" under ``pyplow.enrich.enrichments``.
IMPLEMENTATIONS: Final[dict[str, str]] = {
    "iab_spiders_and_robots_enrichment": "iab_spiders_and_robots:IabSpidersAndRobots",
    "ua_parser_config": "ua_parser:UaParser",
    "currency_conversion_config": "currency_conversion:CurrencyConversion",
    "referer_parser": "referer_parser:RefererParser",
    "campaign_attribution": "campaign_attribution:CampaignAttribution",
    "cross_navigation_config": "cross_navigation:CrossNavigation",
    "event_fingerprint_config": "event_fingerprint:EventFingerprint",
    "cookie_extractor_config": "cookie_extractor:CookieExtractor",
    "http_header_extractor_config": "http_header_extractor:HttpHeaderExtractor",
    "weather_enrichment_config": "weather:Weather",
    "yauaa_enrichment_config": "yauaa:Yauaa",
    "ip_lookups": "ip_lookups:IpLookups",
    "asn_lookups": "asn_lookups:AsnLookups",
    "bot_detection_enrichment_config": "bot_detection:BotDetection",
    "javascript_script_config": "javascript:JavascriptEnrichment",
    "python_function_config": "python_function:PythonFunction",
    "sql_query_enrichment_config": "sql_query:SqlQuery",
    "api_request_enrichment_config": "api_request:ApiRequest",
    "anon_ip": "anon_ip:AnonIp",
    "pii_enrichment_config": "pii:PiiPseudonymization",
}


def implementation(schema_name: str) -> type[Enrichment] | None:
    """The class implementing the enrichment configured by ``schema_name`` (None: unknown)."""
    target = IMPLEMENTATIONS.get(schema_name)
    if target is None:
        return None
    module_name, class_name = target.split(":")
    module = importlib.import_module(f"{_PACKAGE}.{module_name}")
    cls: type[Enrichment] = getattr(module, class_name)
    return cls
