"""The Iglu resolver configuration, read unchanged from Snowplow's JSON.

The file is self-describing, with schema
``iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-0`` up to ``1-0-3``::

    {"schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3",
     "data": {"cacheSize": 500, "cacheTtl": 600,
              "repositories": [{"name": "Iglu Central", "priority": 0,
                                "vendorPrefixes": ["com.snowplowanalytics"],
                                "connection": {"http": {"uri": "http://iglucentral.com"}}}]}}

``connection`` is exactly one of ``{"http": {"uri", "apikey"?}}`` or ``{"embedded": {"path"}}``.
:func:`parse_resolver_config` never raises for bad input: it returns a :class:`ConfigError`
naming the offending field (as a JSON path) and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from pyplow.iglu.key import IgluParseError, SchemaCriterion, _show
from pyplow.iglu.selfdescribing import SelfDescribingData

__all__ = [
    "IGLU_CENTRAL_URI",
    "RESOLVER_CONFIG_CRITERION",
    "ConfigError",
    "EmbeddedConnection",
    "HttpConnection",
    "RepositoryConfig",
    "ResolverConfig",
    "config_to_json",
    "default_config",
    "parse_resolver_config",
]

IGLU_CENTRAL_URI = "http://iglucentral.com"
RESOLVER_CONFIG_CRITERION = SchemaCriterion(
    "com.snowplowanalytics.iglu", "resolver-config", "jsonschema", 1, 0, None
)
_CONFIG_SCHEMA_LATEST = "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3"
_MAX_ADDITION = 3


class HttpConnection(msgspec.Struct, frozen=True, kw_only=True):
    """A registry over HTTP: a static Iglu layout or an Iglu Server (``api_key`` sent if set)."""

    uri: str
    api_key: str | None = None


class EmbeddedConnection(msgspec.Struct, frozen=True, kw_only=True):
    """A registry on disk (``path`` a directory) or, if absent, pyplow's built-in registry."""

    path: str


class RepositoryConfig(msgspec.Struct, frozen=True, kw_only=True):
    """One configured repository; lower ``priority`` is tried earlier."""

    name: str
    priority: int
    vendor_prefixes: tuple[str, ...] = ()
    connection: HttpConnection | EmbeddedConnection


class ResolverConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The resolver settings: LRU ``cache_size``, ``cache_ttl`` seconds (None: no expiry)."""

    cache_size: int
    cache_ttl: int | None = None
    repositories: tuple[RepositoryConfig, ...] = ()


class ConfigError(msgspec.Struct, frozen=True, kw_only=True):
    """A resolver configuration that cannot be used: where (JSON path) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"invalid resolver config at {self.path}: {self.message}"


class _InvalidFieldError(Exception):
    """Internal: unwinds the field walk; always converted into a ConfigError."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def parse_resolver_config(value: Any) -> ResolverConfig | ConfigError:
    """Read a decoded resolver-config JSON value (self-describing, resolver-config 1-0-0..1-0-3)."""
    sdd = SelfDescribingData.parse(value)
    if isinstance(sdd, IgluParseError):
        return ConfigError(path="$", message=f"not self-describing JSON: {sdd.message}")
    key = sdd.schema
    if not RESOLVER_CONFIG_CRITERION.matches(key) or key.version.addition > _MAX_ADDITION:
        return ConfigError(
            path="$.schema",
            message=(
                f"schema is {key.to_uri()!r}, expected "
                "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-0 .. 1-0-3"
            ),
        )
    try:
        return _read_data(sdd.data)
    except _InvalidFieldError as bad:
        return ConfigError(path=bad.path, message=bad.message)


def _read_data(data: Any) -> ResolverConfig:
    obj = _object(data, "$.data")
    cache_size = _integer(_required(obj, "cacheSize", "$.data"), "$.data.cacheSize")
    ttl_raw = obj.get("cacheTtl")
    cache_ttl = None if ttl_raw is None else _integer(ttl_raw, "$.data.cacheTtl")
    repos_raw = _required(obj, "repositories", "$.data")
    if not isinstance(repos_raw, list):
        raise _InvalidFieldError(
            "$.data.repositories", f"expected an array, got {_show(repos_raw)}"
        )
    repos = tuple(
        _read_repository(item, f"$.data.repositories[{i}]") for i, item in enumerate(repos_raw)
    )
    return ResolverConfig(cache_size=cache_size, cache_ttl=cache_ttl, repositories=repos)


def _read_repository(value: Any, path: str) -> RepositoryConfig:
    obj = _object(value, path)
    name = _string(_required(obj, "name", path), f"{path}.name")
    priority = _integer(_required(obj, "priority", path), f"{path}.priority")
    prefixes_raw = _required(obj, "vendorPrefixes", path)
    if not isinstance(prefixes_raw, list):
        raise _InvalidFieldError(
            f"{path}.vendorPrefixes", f"expected an array of strings, got {_show(prefixes_raw)}"
        )
    prefixes = tuple(_string(p, f"{path}.vendorPrefixes[{i}]") for i, p in enumerate(prefixes_raw))
    conn_path = f"{path}.connection"
    conn = _object(_required(obj, "connection", path), conn_path)
    kinds = sorted(conn)
    if kinds == ["http"]:
        http = _object(conn["http"], f"{conn_path}.http")
        uri = _string(_required(http, "uri", f"{conn_path}.http"), f"{conn_path}.http.uri")
        if not uri.startswith(("http://", "https://")):
            raise _InvalidFieldError(
                f"{conn_path}.http.uri", f"expected an http(s) URL, got {uri!r}"
            )
        key_raw = http.get("apikey")
        api_key = None if key_raw is None else _string(key_raw, f"{conn_path}.http.apikey")
        connection: HttpConnection | EmbeddedConnection = HttpConnection(uri=uri, api_key=api_key)
    elif kinds == ["embedded"]:
        emb = _object(conn["embedded"], f"{conn_path}.embedded")
        emb_path = _required(emb, "path", f"{conn_path}.embedded")
        connection = EmbeddedConnection(path=_string(emb_path, f"{conn_path}.embedded.path"))
    else:
        raise _InvalidFieldError(
            conn_path, f"expected exactly one of 'http' or 'embedded', got keys {kinds!r}"
        )
    return RepositoryConfig(
        name=name, priority=priority, vendor_prefixes=prefixes, connection=connection
    )


def _required(obj: Mapping[str, Any], field: str, path: str) -> Any:
    if field not in obj:
        raise _InvalidFieldError(f"{path}.{field}", f"required field {field!r} is missing")
    return obj[field]


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _InvalidFieldError(path, f"expected a JSON object, got {_show(value)}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _InvalidFieldError(path, f"expected a string, got {_show(value)}")
    return value


def _integer(value: Any, path: str) -> int:
    """A non-negative whole number (``500`` or ``500.0``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value != value or value in (float("inf"), float("-inf")) or int(value) != value:
        raise _InvalidFieldError(path, f"expected a whole number, got {_show(value)}")
    if value < 0:
        raise _InvalidFieldError(path, f"expected a number >= 0, got {_show(value)}")
    return int(value)


def config_to_json(config: ResolverConfig) -> dict[str, Any]:
    """The Snowplow JSON form of ``config`` (schema resolver-config 1-0-3)."""
    repos: list[dict[str, Any]] = []
    for repo in config.repositories:
        conn = repo.connection
        connection: dict[str, Any]
        if isinstance(conn, HttpConnection):
            connection = {"http": {"uri": conn.uri, "apikey": conn.api_key}}
        else:
            connection = {"embedded": {"path": conn.path}}
        repos.append(
            {
                "name": repo.name,
                "priority": repo.priority,
                "vendorPrefixes": list(repo.vendor_prefixes),
                "connection": connection,
            }
        )
    data: dict[str, Any] = {"cacheSize": config.cache_size, "cacheTtl": config.cache_ttl}
    data["repositories"] = repos
    return {"schema": _CONFIG_SCHEMA_LATEST, "data": data}


def default_config() -> ResolverConfig:
    """pyplow's default: its built-in registry, then Iglu Central over HTTP (Snowplow's default).

    The built-in registry is always added by the resolver as well; listing it here makes the
    default explicit when the config is written out.
    """
    return ResolverConfig(
        cache_size=500,
        cache_ttl=600,
        repositories=(
            RepositoryConfig(
                name="pyplow embedded",
                priority=0,
                vendor_prefixes=(),
                connection=EmbeddedConnection(path="/pyplow-embedded"),
            ),
            RepositoryConfig(
                name="Iglu Central",
                priority=10,
                vendor_prefixes=("com.snowplowanalytics",),
                connection=HttpConnection(uri=IGLU_CENTRAL_URI),
            ),
        ),
    )
