"""Campaign attribution: the ``mkt_*`` fields from the page URL's querystring.

Each of ``mktMedium``, ``mktSource``, ``mktTerm``, ``mktContent`` and ``mktCampaign`` lists
querystring parameter names in priority order: the first *configured* name present in the page
URL's querystring gives the field (its position in the URL does not matter). When a name
appears several times in the URL its last value counts (Snowplow builds a map). Click ids come
from ``gclid`` (Google), ``msclkid`` (Microsoft) and ``dclid`` (DoubleClick) plus the configured
``mktClickId`` map (parameter → network; a configured key replaces the built-in network but
keeps its place): the first present gives ``mkt_clickid`` and ``mkt_network``. Values are made
TSV-safe as Snowplow does (tab → four spaces, other control characters removed); an empty
value leaves the field null. Only the page URL is read, never the referrer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)

__all__ = ["DEFAULT_CLICK_IDS", "CampaignAttribution", "CampaignFields", "tsv_safe"]

#: Click-id parameters every configuration knows, in Snowplow's order.
DEFAULT_CLICK_IDS: Final[tuple[tuple[str, str], ...]] = (
    ("gclid", "Google"),
    ("msclkid", "Microsoft"),
    ("dclid", "DoubleClick"),
)

_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("mktMedium", "mkt_medium"),
    ("mktSource", "mkt_source"),
    ("mktTerm", "mkt_term"),
    ("mktContent", "mkt_content"),
    ("mktCampaign", "mkt_campaign"),
)

_CONTROL: Final = re.compile("[\x00-\x1f\x7f]")


def tsv_safe(value: str | None) -> str | None:
    """Snowplow's ``fixTabsNewlines``: tabs → four spaces, control characters dropped, "" → None."""
    if not value:
        return None
    if "\t" in value:
        value = value.replace("\t", "    ")
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    return value or None


class CampaignFields(msgspec.Struct, frozen=True, kw_only=True):
    """The parsed ``parameters.fields``: for each ``mkt_*`` field, its parameter names."""

    fields: tuple[tuple[str, tuple[str, ...]], ...]
    click_ids: tuple[tuple[str, str], ...]


def _names(fields: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = fields.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EnrichmentConfigError(
            f"campaign_attribution: fields.{key} must be a list of parameter names, got {value!r}"
        )
    return tuple(value)


def parse_fields(parameters: Mapping[str, Any]) -> CampaignFields:
    """Read ``parameters.fields``; EnrichmentConfigError when a list or the map is malformed."""
    fields = parameters.get("fields")
    if not isinstance(fields, Mapping):
        raise EnrichmentConfigError(
            f"campaign_attribution: parameters.fields must be an object, got {fields!r}"
        )
    mapped = tuple((target, _names(fields, key)) for key, target in _FIELDS)
    custom = fields.get("mktClickId", {})
    if not isinstance(custom, Mapping) or not all(isinstance(v, str) for v in custom.values()):
        raise EnrichmentConfigError(
            "campaign_attribution: fields.mktClickId must map parameter names to network "
            f"names, got {custom!r}"
        )
    click_ids = dict(DEFAULT_CLICK_IDS)
    click_ids.update(custom)
    return CampaignFields(fields=mapped, click_ids=tuple(click_ids.items()))


class CampaignAttribution(Enrichment):
    """Sets ``mkt_medium`` … ``mkt_campaign``, ``mkt_clickid`` and ``mkt_network``."""

    schema_name = "campaign_attribution"
    criteria = (
        criterion("iglu:com.snowplowanalytics.snowplow/campaign_attribution/jsonschema/1-0-*"),
    )
    identifier = "campaign_attribution"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        self.settings = parse_fields(config.parameters)
        names: set[str] = {name for _, names in self.settings.fields for name in names}
        names.update(name for name, _ in self.settings.click_ids)
        self._interesting = frozenset(names)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        page_query = event.page_query
        if not page_query:
            return None
        interesting = self._interesting
        query = {k: v for k, v in page_query if k in interesting}
        fields = event.fields
        for target, names in self.settings.fields:
            value: str | None = None
            for name in names:
                if name in query:
                    value = query[name]
                    break
            fields[target] = tsv_safe(value)
        click_id = network = None
        for name, network_name in self.settings.click_ids:
            if name in query:
                click_id, network = query[name], network_name
                break
        fields["mkt_clickid"] = tsv_safe(click_id)
        fields["mkt_network"] = tsv_safe(network)
        return None
