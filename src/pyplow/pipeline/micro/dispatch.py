"""Serving the Micro API next to the collector on one port."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pyplow.pipeline.micro.app import Receive, Scope, Send

__all__ = ["ASGIApp", "is_micro_path", "with_micro"]

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PREFIX = "/micro"


def is_micro_path(path: str) -> bool:
    """``/micro`` itself or anything under ``/micro/`` (not ``/microsite``)."""
    return path == _PREFIX or path.startswith(_PREFIX + "/")


def with_micro(collector_app: ASGIApp, micro_app: ASGIApp) -> ASGIApp:
    """One ASGI app: HTTP requests for ``/micro/...`` go to ``micro_app``, everything else
    (other paths, lifespan, websockets) to ``collector_app``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_micro_path(scope.get("path", "")):
            await micro_app(scope, receive, send)
        else:
            await collector_app(scope, receive, send)

    return app
