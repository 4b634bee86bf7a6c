"""Registries over HTTP: static Iglu layouts and the Iglu Server API.

Schemas are fetched from ``<uri>/schemas/<vendor>/<name>/<format>/<version>`` (trailing ``/`` of
the base stripped); with an API key the request carries the header ``apikey: <key>``. The schema
list (Iglu Server only) is ``<uri>/schemas/<vendor>/<name>/jsonschema/<model>``. A 404 means
:class:`NotFound`; any other failure (status, timeout, connection, bad JSON) is a
:class:`RepoFailure` with a message. Nothing raises.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import orjson

from pyplow.iglu.key import SchemaKey
from pyplow.iglu.repositories.base import (
    CLASS_PRIORITY_HTTP,
    ListResult,
    LookupResult,
    NotFound,
    RepoFailure,
    parse_schema_list,
    safe_parts,
)

__all__ = ["HttpRepository", "HttpTimeouts"]


class HttpTimeouts(msgspec.Struct, frozen=True, kw_only=True):
    """Seconds allowed to connect and to read a response."""

    connect: float = 2.0
    read: float = 5.0


class HttpRepository:
    """An HTTP registry; failures are remote failures, which the resolver retries."""

    class_priority = CLASS_PRIORITY_HTTP
    remote = True

    def __init__(
        self,
        uri: str,
        *,
        name: str,
        priority: int = 0,
        vendor_prefixes: tuple[str, ...] = (),
        api_key: str | None = None,
        timeouts: HttpTimeouts | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        t = timeouts or HttpTimeouts()
        headers = {"apikey": api_key} if api_key is not None else {}
        self._base = uri.rstrip("/")
        self.name = name
        self.priority = priority
        self.vendor_prefixes = tuple(vendor_prefixes)
        self._client = httpx.Client(
            timeout=httpx.Timeout(t.read, connect=t.connect),
            headers=headers,
            transport=transport,
            follow_redirects=True,
        )

    @property
    def base_uri(self) -> str:
        return self._base

    def close(self) -> None:
        self._client.close()

    def lookup(self, key: SchemaKey) -> LookupResult:
        if not safe_parts(key.vendor, key.name, key.format):
            return NotFound()
        value = self._get_json(f"{self._base}/schemas/{key.to_path()}")
        if isinstance(value, NotFound | RepoFailure):
            return value
        if not isinstance(value, dict):
            return RepoFailure(f"{self.name} returned a non-object JSON for {key.to_uri()}")
        return value

    def list(self, vendor: str, name: str, model: int) -> ListResult:
        if not safe_parts(vendor, name):
            return NotFound()
        value = self._get_json(f"{self._base}/schemas/{vendor}/{name}/jsonschema/{model}")
        if isinstance(value, NotFound | RepoFailure):
            return value
        return parse_schema_list(value, vendor, name, model)

    def _get_json(self, url: str) -> Any:
        try:
            response = self._client.get(url)
        except httpx.TimeoutException as exc:
            return RepoFailure(f"timeout requesting {url}: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return RepoFailure(f"cannot request {url}: {type(exc).__name__}: {exc}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return NotFound()
        if response.status_code != httpx.codes.OK:
            return RepoFailure(f"unexpected HTTP status {response.status_code} from {url}")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            return RepoFailure(f"response from {url} is not valid JSON: {exc}")
