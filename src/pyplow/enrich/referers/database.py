"""A referer database in referer-parser's JSON format, and the lookup of a referring URL in it.

The format (Snowplow's ``referers-latest.json``) maps a *medium* (``search``, ``social``,
``email``, ``paid``, ``chatbot``, ``unknown``) to *sources* (the provider name that becomes
``refr_source``), each with ``domains`` (hosts, optionally followed by a path prefix such as
``google.com/imgres``) and, for search engines, ``parameters`` (querystring keys carrying the
search term). When a domain is listed twice, the later entry wins, as in referer-parser.

A lookup tries, in this order, the referrer's full path, its first path segment and no path;
for each, the host and then every parent domain (``a.b.example.com``, ``b.example.com``,
``example.com``, ``com``). Results are cached per host (bounded), so the path part is only
re-examined for hosts that have path-prefixed entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import msgspec

__all__ = [
    "MEDIA",
    "Provider",
    "RefererDatabase",
    "RefererDatabaseError",
    "load_database",
]

#: The media a database may list (``internal`` is decided by the page host, never listed).
MEDIA: Final = frozenset({"search", "social", "email", "paid", "chatbot", "unknown"})

_CACHE_SIZE: Final = 16_384


class RefererDatabaseError(ValueError):
    """The database file or an inline ``referrers`` object is not in the expected format."""


class Provider(msgspec.Struct, frozen=True):
    """One known referrer: its medium, its name and its search-term parameters."""

    medium: str
    source: str
    parameters: tuple[str, ...] = ()


def _entries(data: Any, where: str) -> dict[str, Provider]:
    """Domain (with optional path) → provider, from the medium → source → spec mapping."""
    if not isinstance(data, Mapping):
        raise RefererDatabaseError(
            f"{where}: expected an object of media, got {type(data).__name__}"
        )
    table: dict[str, Provider] = {}
    for medium, sources in data.items():
        if medium not in MEDIA:
            raise RefererDatabaseError(
                f"{where}: unknown medium {medium!r}; expected one of {', '.join(sorted(MEDIA))}"
            )
        if not isinstance(sources, Mapping):
            raise RefererDatabaseError(f"{where}.{medium}: expected an object of sources")
        for source, spec in sources.items():
            domains = spec.get("domains") if isinstance(spec, Mapping) else None
            parameters = spec.get("parameters", []) if isinstance(spec, Mapping) else None
            if (
                not isinstance(domains, list)
                or not all(isinstance(d, str) and d for d in domains)
                or not isinstance(parameters, list)
                or not all(isinstance(p, str) for p in parameters)
            ):
                raise RefererDatabaseError(
                    f"{where}.{medium}.{source}: expected {{'domains': [non-empty strings], "
                    f"'parameters': [strings]}}, got {spec!r}"
                )
            provider = Provider(medium, str(source), tuple(parameters))
            for domain in domains:
                table[domain] = provider
    return table


class RefererDatabase:
    """Known referrers, looked up by host and path."""

    def __init__(self, entries: Mapping[str, Provider]) -> None:
        self._entries = dict(entries)
        #: hosts (and parents) that have entries with a path
        self._path_hosts = frozenset(d.split("/", 1)[0] for d in self._entries if "/" in d)
        self._plan = lru_cache(maxsize=_CACHE_SIZE)(self._make_plan)

    @classmethod
    def from_json(cls, data: Any, *, where: str = "referer database") -> RefererDatabase:
        """A database from decoded JSON (medium → source → spec)."""
        return cls(_entries(data, where))

    def extended(self, data: Any, *, where: str = "referrers") -> RefererDatabase:
        """This database plus the entries of ``data`` (same format; its entries win)."""
        merged = dict(self._entries)
        merged.update(_entries(data, where))
        return RefererDatabase(merged)

    def __len__(self) -> int:
        return len(self._entries)

    def _make_plan(self, host: str) -> tuple[tuple[str, ...], Provider | None]:
        """The host's candidate domains, the ones with path entries, and the path-less result."""
        labels = host.split(".")
        while labels and not labels[-1]:  # Java's split drops trailing empty strings
            labels.pop()
        candidates = tuple(".".join(labels[i:]) for i in range(len(labels)))
        with_paths = tuple(c for c in candidates if c in self._path_hosts)
        found = next((self._entries[c] for c in candidates if c in self._entries), None)
        return with_paths, found

    def lookup(self, host: str, path: str) -> Provider | None:
        """The provider for a referrer ``host`` and ``path`` (None: not in the database)."""
        with_paths, found = self._plan(host)
        if with_paths and path:
            first = next((segment for segment in path.split("/") if segment), None)
            if first is not None:
                entries = self._entries
                for suffix in (path, "/" + first):
                    for candidate in with_paths:
                        provider = entries.get(candidate + suffix)
                        if provider is not None:
                            return provider
        return found

    def cache_clear(self) -> None:
        self._plan.cache_clear()


def load_database(path: Path) -> RefererDatabase:
    """Read a referer-parser JSON file; RefererDatabaseError when unreadable or malformed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RefererDatabaseError(f"cannot read referer database {path}: {exc}") from None
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise RefererDatabaseError(f"referer database {path} is not valid JSON: {exc}") from None
    return RefererDatabase.from_json(data, where=str(path))
