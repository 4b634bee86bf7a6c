"""Referer parser: ``refr_medium``, ``refr_source`` and ``refr_term`` from the referrer URL.

Reads the referrer's parts the engine set (``refr_urlscheme``, ``refr_urlhost``,
``refr_urlpath``, ``refr_urlquery``; ``page_referrer`` is split here only when they are
missing) and the page host (``page_urlhost``) for ``internal``. See
:mod:`pyplow.enrich.referers.parser` for the classification rules.

Configuration (``referer_parser`` 2-0-0 / 2-0-1, Snowplow's JSON unchanged):
``internalDomains``; ``uri`` + ``database``, the referer-parser JSON file to load (a local
folder or an HTTP(S) base, see :mod:`pyplow.enrich.assets`); optional ``referrers``, extra
entries in the same medium → source → ``{domains, parameters}`` form, which take precedence
over the file's. ``"uri": "pyplow:builtin"`` (any ``pyplow:`` URI) or no ``uri``/``database``
at all selects pyplow's own shipped database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from pyplow.enrich.assets import resolve_asset
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.enrichments.campaign_attribution import tsv_safe
from pyplow.enrich.referers import (
    RefererDatabase,
    RefererDatabaseError,
    builtin_database,
    load_database,
)
from pyplow.enrich.referers import RefererParser as Classifier

__all__ = ["BUILTIN_URI_SCHEME", "RefererParser", "load_configured_database"]

#: ``uri`` scheme that selects pyplow's shipped database.
BUILTIN_URI_SCHEME: Final = "pyplow:"

_WHAT: Final = "referer_parser"


def load_configured_database(parameters: Mapping[str, Any]) -> RefererDatabase:
    """The database named by ``uri`` + ``database`` (pyplow's own when unset or ``pyplow:``),
    extended with the inline ``referrers``."""
    uri, name = parameters.get("uri"), parameters.get("database")
    try:
        builtin = isinstance(uri, str) and uri.lower().startswith(BUILTIN_URI_SCHEME)
        if builtin or (uri is None and name is None):
            database = builtin_database()
        else:
            path = resolve_asset({"uri": uri, "database": name}, f"{_WHAT} database")
            database = load_database(path)
        extra = parameters.get("referrers")
        if extra is not None:
            database = database.extended(extra, where=f"{_WHAT}: referrers")
    except RefererDatabaseError as exc:
        raise EnrichmentConfigError(f"{_WHAT}: {exc}") from None
    return database


class RefererParser(Enrichment):
    """Classifies the referrer as internal, search, social, email, paid, chatbot or unknown."""

    schema_name = "referer_parser"
    criteria = (criterion("iglu:com.snowplowanalytics.snowplow/referer_parser/jsonschema/2-0-*"),)
    identifier = "referer_parser"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters = config.parameters
        internal = parameters.get("internalDomains", [])
        if not isinstance(internal, list) or not all(isinstance(d, str) for d in internal):
            raise EnrichmentConfigError(
                f"{_WHAT}: internalDomains must be a list of host names, got {internal!r}"
            )
        self.classifier = Classifier(load_configured_database(parameters), internal)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        fields = event.fields
        host = fields.get("refr_urlhost")
        if host is not None:
            scheme = fields.get("refr_urlscheme")
            path = fields.get("refr_urlpath")
            query = fields.get("refr_urlquery")
        else:
            referrer = fields.get("page_referrer")
            if not referrer:
                return None
            try:
                parts = urlsplit(referrer)
                host = parts.hostname
            except ValueError:
                return None
            scheme, path, query = parts.scheme.lower(), parts.path, parts.query or None
        referer = self.classifier.classify(scheme, host, path, query, fields.get("page_urlhost"))
        if referer is None:
            return None
        fields["refr_medium"] = referer.medium
        if referer.source is not None:
            fields["refr_source"] = tsv_safe(referer.source)
        if referer.term is not None:
            fields["refr_term"] = tsv_safe(referer.term)
        return None
