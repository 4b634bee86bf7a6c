"""Classifying a referring URL: internal, a known provider (with its search term), or unknown.

Follows referer-parser as Snowplow uses it: only ``http``, ``https`` and ``android-app`` URLs
with a host are classified; a referrer whose host equals the page's host or is one of the
internal domains is ``internal``; otherwise the database decides, and a host it does not know
is ``unknown``. A provider listed under ``unknown`` gives medium ``unknown`` without a source.
For search engines the term is the value of the first querystring pair (in URL order) whose
name is one of the provider's parameters, ``+`` and ``%XX`` decoded as UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from urllib.parse import unquote_to_bytes

import msgspec

from pyplow.enrich.referers.database import RefererDatabase

__all__ = ["Referer", "RefererParser", "decode_form_component"]

_SCHEMES: Final = frozenset({"http", "https", "android-app"})
_INTERNAL: Final = "internal"
_UNKNOWN: Final = "unknown"


class Referer(msgspec.Struct, frozen=True):
    """The classification of one referrer: ``refr_medium``, ``refr_source``, ``refr_term``."""

    medium: str
    source: str | None = None
    term: str | None = None


_INTERNAL_REFERER: Final = Referer(_INTERNAL)
_UNKNOWN_REFERER: Final = Referer(_UNKNOWN)


def decode_form_component(text: str) -> str | None:
    """``+`` → space and ``%XX`` → bytes, read as UTF-8; None for a broken ``%`` escape."""
    if "%" not in text:
        return text.replace("+", " ")
    position = text.find("%")
    while position >= 0:
        digits = text[position + 1 : position + 3]
        if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            return None  # Java's URLDecoder refuses the whole value
        position = text.find("%", position + 3)
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")


def search_term(query: str, names: Iterable[str]) -> str | None:
    """The value of the first pair of the raw ``query`` whose decoded name is in ``names``."""
    wanted = frozenset(names)
    if not wanted:
        return None
    for pair in query.split("&"):
        equals = pair.find("=")
        raw_name, raw_value = (pair[:equals], pair[equals + 1 :]) if equals > 0 else (pair, "")
        name = decode_form_component(raw_name)
        if name is None or name not in wanted:
            continue
        value = decode_form_component(raw_value)
        if value is not None:
            return value
    return None


class RefererParser:
    """Classifies referrers against one database and a list of internal domains."""

    def __init__(self, database: RefererDatabase, internal_domains: Iterable[str] = ()) -> None:
        self.database = database
        self.internal_domains = frozenset(d.strip() for d in internal_domains)

    def classify(
        self,
        scheme: str | None,
        host: str | None,
        path: str | None,
        query: str | None,
        page_host: str | None,
    ) -> Referer | None:
        """The referrer's classification, or None when the URL is not classifiable."""
        if scheme not in _SCHEMES or not host:
            return None
        if host == page_host or host in self.internal_domains:
            return _INTERNAL_REFERER
        provider = self.database.lookup(host, path or "")
        if provider is None or provider.medium == _UNKNOWN:
            return _UNKNOWN_REFERER
        if provider.medium != "search":
            return Referer(provider.medium, provider.source)
        term = search_term(query, provider.parameters) if query else None
        return Referer(provider.medium, provider.source, term)
