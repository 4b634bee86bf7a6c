"""The collector as a plain ASGI application (no web framework on the hot path).

Turns ASGI scopes into ``HttpRequest`` values and ``Response`` values into ASGI messages, reads
bodies up to the configured limit (a larger body is answered 413 without reading the rest), and
runs the collector's start and drain on the lifespan events, so a server's SIGTERM drains the
buffers before the process exits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from pyplow.collector.request import HttpRequest
from pyplow.collector.responses import Response, text
from pyplow.collector.service import Collector

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Characters left as they are when a redirect target is written into a Location header.
_LOCATION_SAFE = ":/?#[]@!$&'()*+,;=%~"


class CollectorApp:
    """ASGI application wrapping a ``Collector``.

    Give it a ready ``collector``, or a ``builder`` that makes one at lifespan startup (sinks
    such as NATS connect asynchronously, in the worker process that will use them).
    """

    def __init__(
        self,
        collector: Collector | None = None,
        *,
        builder: Callable[[], Awaitable[Collector]] | None = None,
    ) -> None:
        if (collector is None) == (builder is None):
            raise ValueError("give either a collector or a builder")
        self._collector = collector
        self._builder = builder

    @property
    def collector(self) -> Collector:
        if self._collector is None:
            raise RuntimeError("the collector is built at lifespan startup, which has not run")
        return self._collector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._collector is None and self._builder is not None:
                        self._collector = await self._builder()
                    await self.collector.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.collector.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.collector.config
        max_body = config.max_body_bytes
        try:
            body = await asyncio.wait_for(
                self._read_body(receive, max_body), config.body_read_timeout_seconds
            )
        except TimeoutError:
            await self._send(text(408, "request body not received in time"), send)
            return
        if body is None:
            response = text(413, f"request body over {max_body} bytes")
        else:
            raw_path = scope.get("raw_path")
            path = raw_path.decode("latin-1") if raw_path else scope["path"]
            client = scope.get("client")
            request = HttpRequest(
                method=scope["method"],
                path=path.split("?", 1)[0],
                query=scope.get("query_string", b"").decode("utf-8", "replace"),
                headers=tuple(
                    (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]
                ),
                body=body,
                peer=client[0] if client else None,
            )
            try:
                response = await self.collector.handle(request)
            except Exception:  # a bug must not take the server down; it is logged and counted
                log.exception("error handling %s %s", request.method, request.path)
                response = text(500, "internal error")
        await self._send(response, send)

    @staticmethod
    async def _read_body(receive: Receive, max_body: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _send(response: Response, send: Send) -> None:
        headers = []
        for name, value in response.headers:
            if name == "Location":
                value = quote(value, safe=_LOCATION_SAFE)
            headers.append((name.encode("latin-1"), value.encode("latin-1", "replace")))
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
