"""Repositories: local and embedded directories, HTTP registries (httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import orjson

from pyplow.iglu.key import SchemaKey
from pyplow.iglu.repositories import (
    BUILTIN_REPOSITORY_NAME,
    DirectoryRepository,
    HttpRepository,
    HttpTimeouts,
    NotFound,
    RepoFailure,
    Repository,
    builtin_repository,
    embedded_repository,
)


def key(uri: str) -> SchemaKey:
    parsed = SchemaKey.parse(uri)
    assert isinstance(parsed, SchemaKey)
    return parsed


ITEM = "iglu:com.acme/item/jsonschema/1-0-0"


def test_directory_lookup_and_list(acme_registry: Path) -> None:
    repo = DirectoryRepository(acme_registry, name="local", priority=3)
    assert isinstance(repo, Repository)
    schema = repo.lookup(key(ITEM))
    assert isinstance(schema, dict)
    assert schema["self"]["name"] == "item"
    assert repo.lookup(key("iglu:com.acme/item/jsonschema/1-0-9")) == NotFound()
    assert repo.lookup(key("iglu:../item/jsonschema/1-0-0")) == NotFound()
    listed = repo.list("com.acme", "item", 1)
    assert listed == (key(ITEM), key("iglu:com.acme/item/jsonschema/1-0-1"))
    assert repo.list("com.acme", "item", 2) == NotFound()
    assert repo.list("com.acme", "nothing", 1) == NotFound()
    assert (repo.name, repo.priority, repo.remote) == ("local", 3, False)


def test_directory_without_schemas_folder(acme_registry: Path) -> None:
    repo = DirectoryRepository(acme_registry / "schemas", name="flat")
    assert isinstance(repo.lookup(key(ITEM)), dict)


def test_directory_bad_files_are_repo_failures(tmp_path: Path) -> None:
    folder = tmp_path / "schemas" / "com.acme" / "bad" / "jsonschema"
    folder.mkdir(parents=True)
    (folder / "1-0-0").write_text("{not json")
    (folder / "1-0-1").write_text("[1, 2]")
    repo = DirectoryRepository(tmp_path, name="broken")
    first = repo.lookup(key("iglu:com.acme/bad/jsonschema/1-0-0"))
    assert isinstance(first, RepoFailure)
    assert "not valid JSON" in first.message
    second = repo.lookup(key("iglu:com.acme/bad/jsonschema/1-0-1"))
    assert isinstance(second, RepoFailure)
    assert "not a JSON object" in second.message


def test_embedded_path_means_directory_or_builtin(acme_registry: Path) -> None:
    local = embedded_repository(str(acme_registry), name="x", priority=1, vendor_prefixes=())
    assert isinstance(local, DirectoryRepository)
    assert isinstance(local.lookup(key(ITEM)), dict)
    assert embedded_repository("/iglu-embedded", name="x", priority=1, vendor_prefixes=()) is None


def test_builtin_repository_is_named_like_snowplows() -> None:
    repo = builtin_repository()
    assert repo.name == BUILTIN_REPOSITORY_NAME == "Iglu Client Embedded"
    assert repo.lookup(key("iglu:com.acme.never/x/jsonschema/1-0-0")) == NotFound()


def test_registry_errors_encode_like_snowplow() -> None:
    assert msgspec.json.encode(NotFound()) == b'{"error":"NotFound"}'
    assert msgspec.json.encode(RepoFailure("boom")) == b'{"error":"RepoFailure","message":"boom"}'


def _http(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[HttpRepository, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    repo = HttpRepository(
        "http://iglu.test/base/", name="server", transport=httpx.MockTransport(record), **kwargs
    )
    return repo, seen


def test_http_lookup_url_and_apikey() -> None:
    body = {"self": {"vendor": "com.acme"}, "type": "object"}
    repo, seen = _http(lambda r: httpx.Response(200, content=orjson.dumps(body)), api_key="s3cr3t")
    assert repo.lookup(key(ITEM)) == body
    assert str(seen[0].url) == "http://iglu.test/base/schemas/com.acme/item/jsonschema/1-0-0"
    assert seen[0].headers["apikey"] == "s3cr3t"
    assert repo.remote is True


def test_http_without_apikey_sends_no_header() -> None:
    repo, seen = _http(lambda r: httpx.Response(200, json={}))
    assert repo.lookup(key(ITEM)) == {}
    assert "apikey" not in seen[0].headers


def test_http_errors() -> None:
    repo, _ = _http(lambda r: httpx.Response(404))
    assert repo.lookup(key(ITEM)) == NotFound()
    repo, _ = _http(lambda r: httpx.Response(503))
    failure = repo.lookup(key(ITEM))
    assert isinstance(failure, RepoFailure)
    assert "503" in failure.message
    assert "http://iglu.test/base/schemas/com.acme/item/jsonschema/1-0-0" in failure.message
    repo, _ = _http(lambda r: httpx.Response(200, content=b"<html>"))
    failure = repo.lookup(key(ITEM))
    assert isinstance(failure, RepoFailure)
    assert "not valid JSON" in failure.message
    repo, _ = _http(lambda r: httpx.Response(200, json=[1]))
    failure = repo.lookup(key(ITEM))
    assert isinstance(failure, RepoFailure)
    assert "non-object" in failure.message


def test_http_transport_failures() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    repo, _ = _http(timeout, timeouts=HttpTimeouts(connect=0.1, read=0.2))
    failure = repo.lookup(key(ITEM))
    assert isinstance(failure, RepoFailure)
    assert failure.message.startswith("timeout requesting http://iglu.test/base/schemas/")
    repo, _ = _http(refused)
    failure = repo.lookup(key(ITEM))
    assert isinstance(failure, RepoFailure)
    assert "ConnectError" in failure.message


def test_http_schema_list() -> None:
    uris = [
        "iglu:com.acme/item/jsonschema/1-0-1",
        "iglu:com.acme/item/jsonschema/1-0-0",
        "iglu:com.acme/item/jsonschema/2-0-0",
    ]
    repo, seen = _http(lambda r: httpx.Response(200, json=uris))
    assert repo.list("com.acme", "item", 1) == (key(uris[1]), key(uris[0]))
    assert str(seen[0].url) == "http://iglu.test/base/schemas/com.acme/item/jsonschema/1"
    repo, _ = _http(lambda r: httpx.Response(200, json=["junk"]))
    assert isinstance(repo.list("com.acme", "item", 1), RepoFailure)
    repo, _ = _http(lambda r: httpx.Response(404))
    assert repo.list("com.acme", "item", 1) == NotFound()
