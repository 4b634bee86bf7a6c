"""The Snowplow-Micro-compatible REST API as a plain ASGI application.

Routes (Micro's, then pyplow's own):

- ``GET|POST /micro/all``: ``{"total", "good", "bad"}``;
- ``GET|POST /micro/good``: GoodEvents, filtered by ``event_type``, ``schema``, ``contexts``
  (every listed URI present) and ``limit``: query parameters on GET (``contexts`` repeated or
  comma-separated), a JSON object on POST;
- ``GET|POST /micro/bad``: BadEvents, filtered by ``vendor``, ``version``, ``limit``;
- ``GET|POST /micro/reset``: empties the store, answers the (zero) counts;
- ``GET /micro/iglu/{vendor}/{name}/jsonschema/{version}``: the schema through the resolver;
- ``GET /micro/events/{event_id}``: one GoodEvent;
- ``POST /micro/validate``: see :mod:`pyplow.pipeline.micro.validate`.

Lists answer newest first. ``OPTIONS`` is answered for browsers (CORS allows any origin).
Malformed requests get a 400 whose ``error`` says what was wrong; nothing a client sends makes
the app raise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, unquote

import msgspec

from pyplow.enrich.engine import Engine
from pyplow.iglu import ResolutionError, Resolver, SchemaKey
from pyplow.pipeline.micro.shapes import bad_event_json, good_event_json
from pyplow.pipeline.micro.store import BadQuery, GoodQuery, MicroStore
from pyplow.pipeline.micro.validate import validate, validation_payload

__all__ = ["MAX_BODY_BYTES", "MicroApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY_BYTES = 1_000_000
_JSON = msgspec.json.Encoder()
_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type"),
]


class _Reply(msgspec.Struct, frozen=True):
    status: int
    body: Any


class _GoodBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    event_type: str | None = None
    schema: str | None = None
    contexts: list[str] | None = None
    limit: int | None = None


class _BadBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    vendor: str | None = None
    version: str | None = None
    limit: int | None = None


_GOOD_BODY = msgspec.json.Decoder(_GoodBody)
_BAD_BODY = msgspec.json.Decoder(_BadBody)


def _error(status: int, message: str) -> _Reply:
    return _Reply(status, {"error": message})


#: Limits above this one (SQLite's integers stop at 2**63 - 1) mean the same: everything.
_MAX_LIMIT = 10**18


def _limit(value: int | str | None) -> int | _Reply | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdecimal()):
            return _error(400, f"limit must be a non-negative integer, got {value!r}")
        value = int(value) if len(value) <= 18 else _MAX_LIMIT
    if value < 0:
        return _error(400, f"limit must be a non-negative integer, got {value}")
    return min(value, _MAX_LIMIT)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


class MicroApp:
    """ASGI app answering ``/micro/...`` from a :class:`MicroStore`."""

    def __init__(self, store: MicroStore, resolver: Resolver, engine: Engine) -> None:
        self.store = store
        self.resolver = resolver
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method = scope.get("method", "GET")
        body = b""
        if method == "POST":
            read = await _read_body(receive)
            if read is None:
                await _send(send, _error(413, f"body larger than {MAX_BODY_BYTES} bytes"))
                return
            body = read
        if method == "OPTIONS":
            await _send(send, _Reply(204, None))
            return
        try:
            reply = await self._route(scope, method, body)
        except Exception as exc:  # a bug must answer 500, not drop the connection
            reply = _error(500, f"internal error: {type(exc).__name__}: {exc}")
        await _send(send, reply)

    async def _route(self, scope: Scope, method: str, body: bytes) -> _Reply:
        path: str = scope.get("path", "")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if method not in ("GET", "POST"):
            return _error(405, f"method {method} not allowed; use GET or POST")
        if path == "/micro/all":
            return self._all()
        if path == "/micro/good":
            return self._good(query, body if method == "POST" else None)
        if path == "/micro/bad":
            return self._bad(query, body if method == "POST" else None)
        if path == "/micro/reset":
            self.store.reset()
            return self._all()
        if path.startswith("/micro/iglu/") and method == "GET":
            return await self._iglu(path.removeprefix("/micro/iglu/"))
        if path.startswith("/micro/events/") and method == "GET":
            return self._event(unquote(path.removeprefix("/micro/events/")))
        if path == "/micro/validate":
            if method != "POST":
                return _error(405, "method GET not allowed on /micro/validate; use POST")
            return self._validate(scope, body)
        return _error(404, f"no such Micro endpoint: {method} {path}")

    def _all(self) -> _Reply:
        counts = self.store.counts()
        return _Reply(200, {"total": counts.total, "good": counts.good, "bad": counts.bad})

    def _good(self, query: dict[str, list[str]], body: bytes | None) -> _Reply:
        if body is not None and body.strip():
            try:
                parsed = _GOOD_BODY.decode(body)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                return _error(400, f"invalid /micro/good filter: {exc}")
            event_type, schema = parsed.event_type, parsed.schema
            contexts = tuple(parsed.contexts or ())
            limit = _limit(parsed.limit)
        else:
            event_type, schema = _one(query, "event_type"), _one(query, "schema")
            listed = [c for v in query.get("contexts", []) for c in v.split(",") if c]
            contexts = tuple(listed)
            limit = _limit(_one(query, "limit"))
        if isinstance(limit, _Reply):
            return limit
        records = self.store.good(
            GoodQuery(event_type=event_type, schema=schema, contexts=contexts, limit=limit)
        )
        events = [good_event_json(r.row) for r in records]
        return _Reply(200, [e for e in events if not isinstance(e, str)])

    def _bad(self, query: dict[str, list[str]], body: bytes | None) -> _Reply:
        if body is not None and body.strip():
            try:
                parsed = _BAD_BODY.decode(body)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                return _error(400, f"invalid /micro/bad filter: {exc}")
            vendor, version, limit = parsed.vendor, parsed.version, _limit(parsed.limit)
        else:
            vendor, version = _one(query, "vendor"), _one(query, "version")
            limit = _limit(_one(query, "limit"))
        if isinstance(limit, _Reply):
            return limit
        records = self.store.bad(BadQuery(vendor=vendor, version=version, limit=limit))
        return _Reply(200, [bad_event_json(r.row) for r in records])

    async def _iglu(self, rest: str) -> _Reply:
        parts = rest.split("/")
        if len(parts) != 4 or parts[2] != "jsonschema":
            return _error(
                400, f"expected /micro/iglu/<vendor>/<name>/jsonschema/<version>, got {rest!r}"
            )
        uri = "iglu:" + rest
        key = SchemaKey.parse(uri)
        if not isinstance(key, SchemaKey):
            return _error(400, f"not an Iglu schema URI: {uri}: {key}")
        found = await asyncio.to_thread(self.resolver.lookup, key)
        if isinstance(found, ResolutionError):
            tried = [h.repository for h in found.lookup_history]
            return _error(404, f"schema {uri} not found (looked in: {', '.join(tried)})")
        return _Reply(200, found.schema)

    def _event(self, event_id: str) -> _Reply:
        record = self.store.event(event_id)
        shaped = None if record is None else good_event_json(record.row)
        if shaped is None or isinstance(shaped, str):
            return _error(404, f"no good event with event_id {event_id!r}")
        return _Reply(200, shaped)

    def _validate(self, scope: Scope, body: bytes) -> _Reply:
        client = scope.get("client")
        user_agent = None
        for name, value in scope.get("headers", ()):
            if name.lower() == b"user-agent":
                user_agent = value.decode("latin-1")
        payload = validation_payload(
            body, ip_address=client[0] if client else None, user_agent=user_agent
        )
        if isinstance(payload, str):
            return _error(400, payload)
        return _Reply(200, validate(self.engine, payload))


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, reply: _Reply) -> None:
    payload = b"" if reply.status == 204 else _JSON.encode(reply.body)
    headers = [(b"content-type", b"application/json"), *_CORS]
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
