"""API request: call an HTTP API with values of the event and attach parts of its answer.

Configured by ``api_request_enrichment_config`` 1-0-0 … 1-0-2:

- ``inputs``: ``{"key": k, "pojo": {"field": f}}`` or ``{"key": k, "json": {...}}`` (see
  :mod:`pyplow.enrich.support.inputs`). Atomic values are written as Java prints them, JSON
  strings as they are and other JSON values compactly.
- ``api.http``: ``method`` (GET, POST, PUT), ``uri`` whose ``{{key}}`` placeholders are replaced
  by the form-URL-encoded input values (Java's ``URLEncoder``: space → ``+``), ``timeout`` in
  milliseconds, ``authentication.httpBasic`` (``{}`` for none). POST and PUT send the input
  values as a JSON object body (``{"key": "value", ...}``, ``application/json``).
- ``outputs``: ``{"schema": <entity schema>, "json": {"jsonPath": ...}}``: each becomes one
  entity whose data is the path's result in the JSON response (one match: the value; several:
  an array).
- ``cache``: ``size`` entries for ``ttl`` seconds, keyed by the substituted URI (and the body,
  for POST/PUT); failed calls are cached too, as Snowplow does.
- ``ignoreOnError`` (1-0-1): failures give no entity instead of an enrichment failure.

If a placeholder of the URI has no value (its input is missing or unknown), the API is not
called and the event gets nothing — not a failure.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote_plus

import httpx
import msgspec

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.support.fields import field_text
from pyplow.enrich.support.inputs import (
    JsonInput,
    PojoInput,
    json_text,
    parse_source,
    read_source,
)
from pyplow.enrich.support.jsonpath import JsonPath, collapse
from pyplow.event.entities import Entity
from pyplow.iglu import SchemaKey, TtlLruCache

__all__ = ["ApiRequest", "encode_value", "fill_template"]

_PLACEHOLDER: Final = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_METHODS: Final = frozenset({"GET", "POST", "PUT"})
_MAX_TIMEOUT_MS: Final = 60000


class _Input(msgspec.Struct, frozen=True):
    key: str
    source: PojoInput | JsonInput


class _Output(msgspec.Struct, frozen=True):
    schema: str
    path: JsonPath


class _Outcome(msgspec.Struct, frozen=True):
    """A cached call: the decoded JSON answer, or why the call failed."""

    body: Any = None
    error: str | None = None


def encode_value(value: str) -> str:
    """``value`` encoded like Java's ``URLEncoder.encode(value, "UTF-8")``."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def fill_template(template: str, values: Mapping[str, str]) -> str | None:
    """``template`` with every ``{{key}}`` replaced by its encoded value; None if one lacks one."""
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return encode_value(value)

    filled = _PLACEHOLDER.sub(substitute, template)
    return None if missing else filled


def _parse_inputs(raw: Any) -> tuple[_Input, ...]:
    if not isinstance(raw, list):
        raise EnrichmentConfigError(f"api_request: 'inputs' must be a list, got {raw!r}")
    inputs = []
    for i, spec in enumerate(raw):
        what = f"api_request: inputs[{i}]"
        key = spec.get("key") if isinstance(spec, Mapping) else None
        if not isinstance(key, str) or not key:
            raise EnrichmentConfigError(f"{what}: 'key' must be a non-empty string, got {key!r}")
        assert isinstance(spec, Mapping)
        inputs.append(_Input(key, parse_source(spec, what)))
    return tuple(inputs)


def _parse_outputs(raw: Any) -> tuple[_Output, ...]:
    if not isinstance(raw, list) or not raw:
        raise EnrichmentConfigError(f"api_request: 'outputs' must be a non-empty list, got {raw!r}")
    outputs = []
    for i, spec in enumerate(raw):
        what = f"api_request: outputs[{i}]"
        if not isinstance(spec, Mapping):
            raise EnrichmentConfigError(f"{what}: expected an object, got {spec!r}")
        schema = spec.get("schema")
        if not isinstance(schema, str) or not isinstance(SchemaKey.parse(schema), SchemaKey):
            raise EnrichmentConfigError(
                f"{what}: schema {schema!r} is not an Iglu URI iglu:vendor/name/format/m-r-a"
            )
        json = spec.get("json")
        if not isinstance(json, Mapping):
            raise EnrichmentConfigError(f"{what}: 'json' with a 'jsonPath' is required")
        outputs.append(_Output(str(schema), JsonPath(json.get("jsonPath"), f"{what}.jsonPath")))
    return tuple(outputs)


def _int_setting(value: Any, what: str, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise EnrichmentConfigError(
            f"api_request: {what} must be an integer >= {low}, got {value!r}"
        )
    if high is not None and value > high:
        raise EnrichmentConfigError(f"api_request: {what} must be <= {high}, got {value!r}")
    return value


class ApiRequest(Enrichment):
    """Call an HTTP API per event (see the module docstring)."""

    schema_name = "api_request_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/api_request_enrichment_config/jsonschema/1-0-*"
        ),
    )
    identifier = "api-request"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        params = config.parameters
        self._inputs = _parse_inputs(params.get("inputs"))
        self._outputs = _parse_outputs(params.get("outputs"))
        api = params.get("api")
        http = api.get("http") if isinstance(api, Mapping) else None
        if not isinstance(http, Mapping):
            raise EnrichmentConfigError(f"api_request: 'api.http' must be an object, got {api!r}")
        method = http.get("method")
        if method not in _METHODS:
            raise EnrichmentConfigError(
                f"api_request: api.http.method {method!r} is invalid; expected GET, POST or PUT"
            )
        self.method: str = str(method)
        uri = http.get("uri")
        if not isinstance(uri, str) or not uri.lower().startswith(("http://", "https://")):
            raise EnrichmentConfigError(
                f"api_request: api.http.uri {uri!r} must be an http:// or https:// URI"
            )
        self.uri: str = uri
        timeout_ms = _int_setting(http.get("timeout"), "api.http.timeout", 1, _MAX_TIMEOUT_MS)
        self._auth = self._parse_auth(http.get("authentication", {}))
        cache = params.get("cache")
        if not isinstance(cache, Mapping):
            raise EnrichmentConfigError(
                f"api_request: 'cache' must be an object with size and ttl, got {cache!r}"
            )
        size = _int_setting(cache.get("size"), "cache.size", 0, None)
        ttl = _int_setting(cache.get("ttl"), "cache.ttl", 0, 86400)
        self._cache: TtlLruCache[tuple[str, str | None], _Outcome] = TtlLruCache(
            size, ttl, time.monotonic
        )
        self.ignore_on_error = bool(params.get("ignoreOnError") or False)
        self._client = httpx.Client(timeout=timeout_ms / 1000.0, auth=self._auth)

    @staticmethod
    def _parse_auth(raw: Any) -> tuple[str, str] | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise EnrichmentConfigError(
                f"api_request: api.http.authentication must be an object, got {raw!r}"
            )
        basic = raw.get("httpBasic")
        if basic is None:
            return None
        if not isinstance(basic, Mapping):
            raise EnrichmentConfigError(
                f"api_request: authentication.httpBasic must be an object, got {basic!r}"
            )
        user, password = basic.get("username"), basic.get("password")
        if user is None:
            return None
        if not isinstance(user, str) or not isinstance(password, str | None):
            raise EnrichmentConfigError(
                "api_request: authentication.httpBasic username and password must be strings"
            )
        return (user, password or "")

    def close(self) -> None:
        self._client.close()

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        values: dict[str, str] = {}
        for item in self._inputs:
            value = read_source(event, item.source)
            if value is None:
                continue
            if isinstance(item.source, PojoInput):
                text = field_text(item.source.kind, value)
            else:
                text = json_text(value)
            if text is not None:
                values[item.key] = text
        url = fill_template(self.uri, values)
        if url is None:
            return None
        body = None if self.method == "GET" else msgspec.json.encode(values).decode()
        key = (url, body)
        outcome = self._cache.get(key)
        if outcome is None:
            outcome = self._call(url, body)
            self._cache.put(key, outcome)
        if outcome.error is not None:
            return self._fail(outcome.error)
        entities = []
        for output in self._outputs:
            found = output.path.query(outcome.body)
            if not found:
                return self._fail(f"JSONPath {output.path.text} not found in the response of {url}")
            entities.append(Entity(output.schema, collapse(found)))
        return entities

    def _fail(self, message: str) -> EnrichmentError | None:
        return None if self.ignore_on_error else EnrichmentError(message)

    def _call(self, url: str, body: str | None) -> _Outcome:
        headers = {"Content-Type": "application/json"} if body is not None else None
        try:
            response = self._client.request(self.method, url, content=body, headers=headers)
        except httpx.TimeoutException:
            return _Outcome(error=f"API request {self.method} {url} timed out")
        except httpx.HTTPError as exc:
            return _Outcome(error=f"API request {self.method} {url} failed: {exc}")
        if not response.is_success:
            return _Outcome(
                error=f"API request {self.method} {url} returned HTTP {response.status_code}: "
                f"{response.text[:200]!r}"
            )
        try:
            return _Outcome(body=msgspec.json.decode(response.content))
        except msgspec.DecodeError as exc:
            return _Outcome(
                error=f"API response of {url} is not JSON ({exc}): {response.text[:200]!r}"
            )
