"""The Iglu resolver: find a schema by key across repositories, in Snowplow's order, with caching.

Order for a key: repositories whose ``vendor_prefixes`` contain a prefix of the key's vendor come
first, then by class priority (embedded/local before HTTP), then by configured priority; the first
repository holding the schema wins. Hits and misses are cached (LRU of ``cache_size`` entries,
expiring after ``cache_ttl`` seconds). A cached miss whose history contains failures of a remote
repository (anything but ``NotFound``) retries that repository on later lookups, up to
``max_retries`` more times (Snowplow: 3).

A failed lookup is a :class:`ResolutionError` whose msgspec JSON is Snowplow's::

    {"error": "ResolutionError", "lookupHistory": [{"repository": "Iglu Central",
      "errors": [{"error": "NotFound"}], "attempts": 1, "lastAttempt": "2024-01-01T00:00:00.000Z"}]}

(histories sorted by repository name, as Snowplow's output is). A schema declaring
``"$supersededBy": "m-r-a"`` is replaced by that version, reported in
:attr:`Resolved.superseded_by`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec

from pyplow.iglu.cache import TtlLruCache
from pyplow.iglu.config import EmbeddedConnection, ResolverConfig, default_config
from pyplow.iglu.key import SchemaKey, SchemaVer
from pyplow.iglu.repositories.base import (
    NotFound,
    RegistryError,
    RepoFailure,
    Repository,
)
from pyplow.iglu.repositories.embedded import builtin_repository, embedded_repository
from pyplow.iglu.repositories.http import HttpRepository, HttpTimeouts
from pyplow.iglu.selfdescribing import superseded_by

__all__ = ["LookupHistory", "ResolutionError", "Resolved", "Resolver", "format_instant"]

_MAX_SUPERSEDE_CHAIN = 16


class LookupHistory(msgspec.Struct, frozen=True, rename="camel"):
    """What one repository answered for a key: distinct errors, attempts, last attempt time."""

    repository: str
    errors: tuple[RegistryError, ...]
    attempts: int
    last_attempt: str


class ResolutionError(msgspec.Struct, frozen=True, rename="camel", tag_field="error",
                      tag="ResolutionError"):  # fmt: skip
    """No repository produced the schema."""

    lookup_history: tuple[LookupHistory, ...]


class Resolved(msgspec.Struct, frozen=True):
    """A schema found for ``key``; ``schema_key`` is the version actually used.

    When ``key``'s schema is superseded, ``schema``/``schema_key`` are the superseding version and
    ``superseded_by`` is its SchemaVer.
    """

    key: SchemaKey
    schema: dict[str, Any]
    schema_key: SchemaKey
    superseded_by: SchemaVer | None = None


class _Attempts(msgspec.Struct):
    """Mutable per-repository history (internal, guarded by the resolver's cache)."""

    errors: list[RegistryError]
    attempts: int
    last_attempt: float


_History = dict[int, _Attempts]


class _Miss(msgspec.Struct, frozen=True):
    """A cached failed lookup: per-repository histories keyed by repository index."""

    history: _History


def format_instant(seconds: float) -> str:
    """An ISO-8601 UTC instant with milliseconds and ``Z``, as in Snowplow's lookup histories."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Resolver:
    """Resolves schema keys against repositories; safe to share between threads."""

    def __init__(
        self,
        repositories: Sequence[Repository],
        *,
        cache_size: int = 500,
        cache_ttl: float | None = None,
        clock: Callable[[], float] = time.time,
        max_retries: int = 3,
    ) -> None:
        self._repos = tuple(repositories)
        self._clock = clock
        self._max_retries = max_retries
        self._cache: TtlLruCache[SchemaKey, dict[str, Any] | _Miss] = TtlLruCache(
            cache_size, cache_ttl, clock
        )
        self._lists: TtlLruCache[tuple[str, str, int], tuple[SchemaKey, ...]] = TtlLruCache(
            cache_size, cache_ttl, clock
        )
        self._orders: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls,
        config: ResolverConfig,
        *,
        clock: Callable[[], float] = time.time,
        timeouts: HttpTimeouts | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> Resolver:
        """The built-in registry first, then the configured repositories.

        An embedded connection whose path is not a directory on disk means the built-in registry,
        which is already present, so it is not added twice.
        """
        repos: list[Repository] = [builtin_repository()]
        for rc in config.repositories:
            conn = rc.connection
            if isinstance(conn, EmbeddedConnection):
                local = embedded_repository(
                    conn.path,
                    name=rc.name,
                    priority=rc.priority,
                    vendor_prefixes=rc.vendor_prefixes,
                )
                if local is not None:
                    repos.append(local)
                continue
            repos.append(
                HttpRepository(
                    conn.uri,
                    name=rc.name,
                    priority=rc.priority,
                    vendor_prefixes=rc.vendor_prefixes,
                    api_key=conn.api_key,
                    timeouts=timeouts,
                    transport=transport,
                )
            )
        return cls(repos, cache_size=config.cache_size, cache_ttl=config.cache_ttl, clock=clock)

    @classmethod
    def default(cls, *, transport: httpx.BaseTransport | None = None) -> Resolver:
        """A resolver for :func:`~pyplow.iglu.config.default_config`."""
        return cls.from_config(default_config(), transport=transport)

    @property
    def repositories(self) -> tuple[Repository, ...]:
        return self._repos

    def close(self) -> None:
        """Release HTTP connections."""
        for repo in self._repos:
            if isinstance(repo, HttpRepository):
                repo.close()

    def lookup(self, key: SchemaKey) -> Resolved | ResolutionError:
        """The schema for ``key`` (following ``$supersededBy``), or why it could not be found."""
        found = self._lookup_raw(key)
        if isinstance(found, ResolutionError):
            return found
        current, schema = key, found
        for _ in range(_MAX_SUPERSEDE_CHAIN):
            newer = superseded_by(schema)
            if not isinstance(newer, SchemaVer) or newer <= current.version:
                break
            next_key = key.with_version(newer)
            next_schema = self._lookup_raw(next_key)
            if isinstance(next_schema, ResolutionError):
                return next_schema
            current, schema = next_key, next_schema
        if current is key:
            return Resolved(key, schema, key)
        return Resolved(key, schema, current, current.version)

    def list_schemas(
        self, vendor: str, name: str, model: int
    ) -> tuple[SchemaKey, ...] | ResolutionError:
        """Versions of ``vendor/name`` with ``model``, from the first repository listing them."""
        cache_key = (vendor, name, model)
        cached = self._lists.get(cache_key)
        if cached is not None:
            return cached
        history: _History = {}
        for index in self._order(vendor):
            answer = self._repos[index].list(vendor, name, model)
            if isinstance(answer, tuple):
                self._lists.put(cache_key, answer)
                return answer
            self._record(history, index, answer)
        return self._error(history)

    def _lookup_raw(self, key: SchemaKey) -> dict[str, Any] | ResolutionError:
        cached = self._cache.get(key)
        if isinstance(cached, dict):
            return cached
        if cached is None:
            history: _History = {}
            candidates: Iterable[int] = self._order(key.vendor)
        else:
            history = {i: _copy(a) for i, a in cached.history.items()}
            candidates = [i for i in self._order(key.vendor) if self._retryable(i, history)]
            if not candidates:
                return self._error(history)
        for index in candidates:
            answer = self._repos[index].lookup(key)
            if isinstance(answer, dict):
                self._cache.put(key, answer)
                return answer
            self._record(history, index, answer)
        self._cache.put(key, _Miss(history))
        return self._error(history)

    def _retryable(self, index: int, history: _History) -> bool:
        past = history.get(index)
        if past is None or not self._repos[index].remote:
            return False
        failed = any(not isinstance(e, NotFound) for e in past.errors)
        return failed and past.attempts <= self._max_retries

    def _record(self, history: _History, index: int, error: NotFound | RepoFailure) -> None:
        now = self._clock()
        past = history.get(index)
        if past is None:
            history[index] = _Attempts([error], 1, now)
            return
        if error not in past.errors:
            past.errors.append(error)
        past.attempts += 1
        past.last_attempt = now

    def _error(self, history: _History) -> ResolutionError:
        items = [
            LookupHistory(
                self._repos[i].name, tuple(a.errors), a.attempts, format_instant(a.last_attempt)
            )
            for i, a in history.items()
        ]
        items.sort(key=lambda h: h.repository)
        return ResolutionError(tuple(items))

    def _order(self, vendor: str) -> tuple[int, ...]:
        order = self._orders.get(vendor)
        if order is None:

            def rank(i: int) -> tuple[bool, int, int]:
                repo = self._repos[i]
                prefixed = any(vendor.startswith(p) for p in repo.vendor_prefixes)
                return (not prefixed, repo.class_priority, repo.priority)

            order = tuple(sorted(range(len(self._repos)), key=rank))
            with self._lock:
                if len(self._orders) > 10_000:
                    self._orders.clear()
                self._orders[vendor] = order
        return order


def _copy(attempts: _Attempts) -> _Attempts:
    return _Attempts(list(attempts.errors), attempts.attempts, attempts.last_attempt)
