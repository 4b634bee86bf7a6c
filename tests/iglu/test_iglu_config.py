"""Resolver config: Snowplow's JSON in, frozen Structs out, precise errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu.config import (
    IGLU_CENTRAL_URI,
    ConfigError,
    EmbeddedConnection,
    HttpConnection,
    RepositoryConfig,
    ResolverConfig,
    config_to_json,
    default_config,
    parse_resolver_config,
)

SNOWPLOW_EXAMPLE: dict[str, Any] = {
    "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3",
    "data": {
        "cacheSize": 500,
        "cacheTtl": 600,
        "repositories": [
            {
                "name": "Iglu Central",
                "priority": 0,
                "vendorPrefixes": ["com.snowplowanalytics"],
                "connection": {"http": {"uri": "http://iglucentral.com"}},
            },
            {
                "name": "Private server",
                "priority": 1,
                "vendorPrefixes": [],
                "connection": {"http": {"uri": "https://iglu.acme.test/api", "apikey": "k-1"}},
            },
            {
                "name": "Local",
                "priority": 5,
                "vendorPrefixes": ["com.acme"],
                "connection": {"embedded": {"path": "/iglu-embedded"}},
            },
        ],
    },
}


def test_reads_snowplow_config() -> None:
    config = parse_resolver_config(SNOWPLOW_EXAMPLE)
    assert config == ResolverConfig(
        cache_size=500,
        cache_ttl=600,
        repositories=(
            RepositoryConfig(
                name="Iglu Central",
                priority=0,
                vendor_prefixes=("com.snowplowanalytics",),
                connection=HttpConnection(uri="http://iglucentral.com"),
            ),
            RepositoryConfig(
                name="Private server",
                priority=1,
                vendor_prefixes=(),
                connection=HttpConnection(uri="https://iglu.acme.test/api", api_key="k-1"),
            ),
            RepositoryConfig(
                name="Local",
                priority=5,
                vendor_prefixes=("com.acme",),
                connection=EmbeddedConnection(path="/iglu-embedded"),
            ),
        ),
    )


@pytest.mark.parametrize("version", ["1-0-0", "1-0-1", "1-0-2", "1-0-3"])
def test_accepts_all_config_versions(version: str) -> None:
    value = copy.deepcopy(SNOWPLOW_EXAMPLE)
    value["schema"] = value["schema"].replace("1-0-3", version)
    del value["data"]["cacheTtl"]
    config = parse_resolver_config(value)
    assert isinstance(config, ResolverConfig)
    assert config.cache_ttl is None


def _broken(path: list[Any], new: Any) -> dict[str, Any]:
    value = copy.deepcopy(SNOWPLOW_EXAMPLE)
    target: Any = value
    for step in path[:-1]:
        target = target[step]
    if new is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return value


@pytest.mark.parametrize(
    ("value", "where", "fragment"),
    [
        ([], "$", "not self-describing"),
        (_broken(["schema"], "iglu:com.acme/x/jsonschema/1-0-0"), "$.schema", "com.acme/x"),
        (
            _broken(["schema"], "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-4"),
            "$.schema",
            "1-0-4",
        ),
        (_broken(["data", "cacheSize"], KeyError), "$.data.cacheSize", "missing"),
        (_broken(["data", "cacheSize"], "big"), "$.data.cacheSize", "'big'"),
        (_broken(["data", "cacheSize"], 1.5), "$.data.cacheSize", "1.5"),
        (_broken(["data", "cacheTtl"], -1), "$.data.cacheTtl", ">= 0"),
        (_broken(["data", "repositories"], {}), "$.data.repositories", "array"),
        (_broken(["data", "repositories", 1, "name"], 3), "$.data.repositories[1].name", "string"),
        (
            _broken(["data", "repositories", 0, "vendorPrefixes", 0], None),
            "$.data.repositories[0].vendorPrefixes[0]",
            "string",
        ),
        (
            _broken(["data", "repositories", 2, "connection"], {"ftp": {}}),
            "$.data.repositories[2].connection",
            "['ftp']",
        ),
        (
            _broken(["data", "repositories", 0, "connection", "http", "uri"], "ftp://x"),
            "$.data.repositories[0].connection.http.uri",
            "'ftp://x'",
        ),
        (
            _broken(["data", "repositories", 2, "connection", "embedded"], {}),
            "$.data.repositories[2].connection.embedded.path",
            "missing",
        ),
    ],
)
def test_errors_say_where_and_what(value: Any, where: str, fragment: str) -> None:
    err = parse_resolver_config(value)
    assert isinstance(err, ConfigError)
    assert err.path == where
    assert fragment in err.message
    assert where in str(err)


def test_whole_float_numbers_are_accepted() -> None:
    config = parse_resolver_config(_broken(["data", "cacheSize"], 100.0))
    assert isinstance(config, ResolverConfig)
    assert config.cache_size == 100


def test_default_config() -> None:
    config = default_config()
    http = [r for r in config.repositories if isinstance(r.connection, HttpConnection)]
    assert [r.connection.uri for r in http] == [IGLU_CENTRAL_URI]  # type: ignore[union-attr]
    assert http[0].vendor_prefixes == ("com.snowplowanalytics",)
    assert isinstance(config.repositories[0].connection, EmbeddedConnection)


names = st.text(min_size=1, max_size=10)
connections = st.one_of(
    st.builds(
        HttpConnection,
        uri=st.sampled_from(["http://a.test", "https://b.test/api"]),
        api_key=st.none() | names,
    ),
    st.builds(EmbeddedConnection, path=names),
)
configs = st.builds(
    ResolverConfig,
    cache_size=st.integers(0, 10_000),
    cache_ttl=st.none() | st.integers(0, 10_000),
    repositories=st.lists(
        st.builds(
            RepositoryConfig,
            name=names,
            priority=st.integers(0, 100),
            vendor_prefixes=st.lists(names, max_size=2).map(tuple),
            connection=connections,
        ),
        max_size=3,
    ).map(tuple),
)


@given(configs)
@settings(max_examples=100)
def test_json_round_trip(config: ResolverConfig) -> None:
    assert parse_resolver_config(config_to_json(config)) == config


@given(
    st.dictionaries(
        st.sampled_from(["cacheSize", "cacheTtl", "repositories"]),
        st.integers() | st.text() | st.none() | st.lists(st.integers()),
    )
)
@settings(max_examples=100)
def test_never_raises(data: dict[str, Any]) -> None:
    value = {"schema": SNOWPLOW_EXAMPLE["schema"], "data": data}
    assert isinstance(parse_resolver_config(value), ResolverConfig | ConfigError)
