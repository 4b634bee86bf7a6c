"""Resolver: Snowplow's lookup order, caching with TTL, retries, error JSON, superseding."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from pyplow.iglu.config import ResolverConfig, parse_resolver_config
from pyplow.iglu.key import SchemaKey, SchemaVer
from pyplow.iglu.repositories import (
    CLASS_PRIORITY_EMBEDDED,
    CLASS_PRIORITY_HTTP,
    HttpRepository,
    ListResult,
    LookupResult,
    NotFound,
    RepoFailure,
)
from pyplow.iglu.resolver import ResolutionError, Resolved, Resolver, format_instant

KEY = SchemaKey("com.acme", "item", "jsonschema", SchemaVer(1, 0, 0))
SCHEMA: dict[str, Any] = {"type": "object"}


class FakeRepo:
    """A scripted repository counting its lookups."""

    def __init__(
        self,
        name: str,
        answers: list[LookupResult] | LookupResult,
        *,
        priority: int = 0,
        prefixes: tuple[str, ...] = (),
        remote: bool = True,
    ) -> None:
        self.name = name
        self.priority = priority
        self.vendor_prefixes = prefixes
        self.class_priority = CLASS_PRIORITY_HTTP if remote else CLASS_PRIORITY_EMBEDDED
        self.remote = remote
        self._answers = answers if isinstance(answers, list) else [answers]
        self.calls: list[SchemaKey] = []

    def lookup(self, key: SchemaKey) -> LookupResult:
        self.calls.append(key)
        return self._answers[min(len(self.calls), len(self._answers)) - 1]

    def list(self, vendor: str, name: str, model: int) -> ListResult:
        return NotFound()


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_first_hit_wins_in_snowplow_order() -> None:
    http_low = FakeRepo("http low", SCHEMA, priority=0)
    embedded_high = FakeRepo("embedded", NotFound(), priority=50, remote=False)
    prefixed = FakeRepo("prefixed http", NotFound(), priority=99, prefixes=("com.ac",))
    resolver = Resolver([http_low, embedded_high, prefixed])
    result = resolver.lookup(KEY)
    assert isinstance(result, Resolved)
    assert result.schema == SCHEMA
    assert result.schema_key == KEY
    assert result.superseded_by is None
    # prefixed first, then embedded (class priority), then http
    assert (len(prefixed.calls), len(embedded_high.calls), len(http_low.calls)) == (1, 1, 1)


def test_configured_priority_breaks_ties() -> None:
    second = FakeRepo("second", SCHEMA, priority=2)
    first = FakeRepo("first", NotFound(), priority=1)
    Resolver([second, first]).lookup(KEY)
    assert len(first.calls) == 1
    later = FakeRepo("later", SCHEMA, priority=5)
    never = FakeRepo("never", SCHEMA, priority=9)
    Resolver([never, later]).lookup(KEY)
    assert never.calls == []


def test_resolution_error_json_is_snowplows() -> None:
    clock = Clock(1_646_047_370.573)
    resolver = Resolver(
        [
            FakeRepo("b repo", RepoFailure("timeout")),
            FakeRepo("a repo", NotFound(), remote=False),
        ],
        clock=clock,
    )
    err = resolver.lookup(KEY)
    assert isinstance(err, ResolutionError)
    assert msgspec.json.encode(err) == (
        b'{"error":"ResolutionError","lookupHistory":['
        b'{"repository":"a repo","errors":[{"error":"NotFound"}],"attempts":1,'
        b'"lastAttempt":"2022-02-28T11:22:50.573Z"},'
        b'{"repository":"b repo","errors":[{"error":"RepoFailure","message":"timeout"}],'
        b'"attempts":1,"lastAttempt":"2022-02-28T11:22:50.573Z"}]}'
    )
    assert msgspec.json.decode(msgspec.json.encode(err), type=ResolutionError) == err


def test_format_instant() -> None:
    assert format_instant(0) == "1970-01-01T00:00:00.000Z"
    assert format_instant(1.0999) == "1970-01-01T00:00:01.099Z"


def test_hits_are_cached_until_ttl() -> None:
    clock = Clock()
    repo = FakeRepo("r", SCHEMA)
    resolver = Resolver([repo], cache_ttl=60, clock=clock)
    for _ in range(3):
        assert isinstance(resolver.lookup(KEY), Resolved)
    assert len(repo.calls) == 1
    clock.now += 61
    assert isinstance(resolver.lookup(KEY), Resolved)
    assert len(repo.calls) == 2


def test_misses_are_cached_too() -> None:
    clock = Clock()
    repo = FakeRepo("r", [NotFound(), SCHEMA])
    resolver = Resolver([repo], cache_ttl=10, clock=clock)
    assert isinstance(resolver.lookup(KEY), ResolutionError)
    assert isinstance(resolver.lookup(KEY), ResolutionError)
    assert len(repo.calls) == 1  # NotFound is not retried while cached
    clock.now += 10
    assert isinstance(resolver.lookup(KEY), Resolved)
    assert len(repo.calls) == 2


def test_failures_are_retried_three_more_times() -> None:
    clock = Clock()
    failing = FakeRepo("down", RepoFailure("connection refused"))
    embedded = FakeRepo("embedded", NotFound(), remote=False)
    resolver = Resolver([failing, embedded], clock=clock)
    errors = []
    for _ in range(6):
        clock.now += 1
        result = resolver.lookup(KEY)
        assert isinstance(result, ResolutionError)
        errors.append(result)
    assert len(failing.calls) == 4
    assert len(embedded.calls) == 1
    history = {h.repository: h for h in errors[-1].lookup_history}
    assert history["down"].attempts == 4
    assert history["down"].errors == (RepoFailure("connection refused"),)
    assert history["embedded"].attempts == 1
    assert history["down"].last_attempt == format_instant(clock.now - 2)


def test_retry_can_succeed() -> None:
    repo = FakeRepo("flaky", [RepoFailure("503"), SCHEMA])
    resolver = Resolver([repo])
    assert isinstance(resolver.lookup(KEY), ResolutionError)
    assert isinstance(resolver.lookup(KEY), Resolved)
    assert isinstance(resolver.lookup(KEY), Resolved)
    assert len(repo.calls) == 2


def test_lru_eviction() -> None:
    repo = FakeRepo("r", SCHEMA)
    resolver = Resolver([repo], cache_size=2)
    keys = [KEY.with_version(SchemaVer(1, 0, a)) for a in range(3)]
    for k in keys:
        resolver.lookup(k)
    resolver.lookup(keys[2])
    resolver.lookup(keys[1])
    assert len(repo.calls) == 3
    resolver.lookup(keys[0])  # evicted
    assert len(repo.calls) == 4


def test_cache_size_zero_disables_cache() -> None:
    repo = FakeRepo("r", SCHEMA)
    resolver = Resolver([repo], cache_size=0)
    resolver.lookup(KEY)
    resolver.lookup(KEY)
    assert len(repo.calls) == 2


class ByVersion:
    name = "versions"
    priority = 0
    vendor_prefixes: tuple[str, ...] = ()
    class_priority = CLASS_PRIORITY_EMBEDDED
    remote = False

    def __init__(self, schemas: dict[str, dict[str, Any]]) -> None:
        self.schemas = schemas

    def lookup(self, key: SchemaKey) -> LookupResult:
        return self.schemas.get(str(key.version), NotFound())

    def list(self, vendor: str, name: str, model: int) -> ListResult:
        return NotFound()


def test_superseded_schema_is_replaced() -> None:
    repo = ByVersion(
        {
            "1-0-0": {"$supersededBy": "1-0-1"},
            "1-0-1": {"$supersededBy": "1-0-2"},
            "1-0-2": {"type": "string"},
        }
    )
    result = Resolver([repo]).lookup(KEY)
    assert isinstance(result, Resolved)
    assert result.key == KEY
    assert result.schema == {"type": "string"}
    assert result.schema_key == KEY.with_version(SchemaVer(1, 0, 2))
    assert result.superseded_by == SchemaVer(1, 0, 2)


def test_superseding_loops_and_missing_targets() -> None:
    loop = ByVersion({"1-0-0": {"$supersededBy": "1-0-0"}})
    result = Resolver([loop]).lookup(KEY)
    assert isinstance(result, Resolved)
    assert result.superseded_by is None
    missing = ByVersion({"1-0-0": {"$supersededBy": "1-0-5"}})
    assert isinstance(Resolver([missing]).lookup(KEY), ResolutionError)


def test_from_config_adds_builtin_first_and_uses_http(tmp_path: Path) -> None:
    config = parse_resolver_config(
        {
            "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-2",
            "data": {
                "cacheSize": 10,
                "repositories": [
                    {
                        "name": "server",
                        "priority": 0,
                        "vendorPrefixes": [],
                        "connection": {"http": {"uri": "http://iglu.test", "apikey": "k"}},
                    },
                    {
                        "name": "classpath",
                        "priority": 0,
                        "vendorPrefixes": [],
                        "connection": {"embedded": {"path": "/iglu-embedded"}},
                    },
                    {
                        "name": "disk",
                        "priority": 0,
                        "vendorPrefixes": [],
                        "connection": {"embedded": {"path": str(tmp_path)}},
                    },
                ],
            },
        }
    )
    assert isinstance(config, ResolverConfig)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("apikey", ""))
        return httpx.Response(200, json=SCHEMA)

    resolver = Resolver.from_config(config, transport=httpx.MockTransport(handler))
    names = [r.name for r in resolver.repositories]
    assert names == ["Iglu Client Embedded", "server", "disk"]
    assert isinstance(resolver.repositories[1], HttpRepository)
    result = resolver.lookup(KEY)
    assert isinstance(result, Resolved)
    assert seen == ["k"]
    resolver.close()


def test_list_schemas() -> None:
    class Lister(FakeRepo):
        def list(self, vendor: str, name: str, model: int) -> ListResult:
            return (KEY,)

    resolver = Resolver([FakeRepo("none", NotFound()), Lister("lister", NotFound(), priority=1)])
    assert resolver.list_schemas("com.acme", "item", 1) == (KEY,)
    empty = Resolver([FakeRepo("none", NotFound())]).list_schemas("com.acme", "item", 1)
    assert isinstance(empty, ResolutionError)
    assert empty.lookup_history[0].repository == "none"


def test_many_threads() -> None:
    repo = FakeRepo("r", SCHEMA)
    resolver = Resolver([repo], cache_size=5)
    keys = [KEY.with_version(SchemaVer(1, 0, a)) for a in range(20)]
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                for k in keys:
                    assert isinstance(resolver.lookup(k), Resolved)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


@pytest.mark.parametrize("size", [-1])
def test_negative_cache_size_is_a_programmer_error(size: int) -> None:
    with pytest.raises(ValueError, match="-1"):
        Resolver([], cache_size=size)
