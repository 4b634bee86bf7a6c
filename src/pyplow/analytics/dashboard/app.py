"""The dashboard as a plain ASGI application under ``/dashboard``.

- ``GET /dashboard/``: the single page (``static/index.html``); pages are ``#realtime``,
  ``#overview``, ``#pages``, ``#acquisition``, ``#geography``, ``#technology``, ``#explorer``
  and ``#quality``;
- ``GET /dashboard/static/<file>``: its script, styles and charting code, all in the package
  (nothing comes from a CDN: the dashboard works offline);
- ``GET /dashboard/api/<page>?start=YYYY-MM-DD&end=YYYY-MM-DD``: the page's figures as JSON
  (``end`` inclusive; the default range is the last seven days).

Read-only: only ``GET`` and ``HEAD``, only the fixed queries of
:mod:`~pyplow.analytics.dashboard.queries`. With a ``token`` every request must carry it: as
``Authorization: Bearer <token>``, as the ``pyplow_dashboard`` cookie, or once as
``?token=<token>`` on the page (which sets the cookie and redirects to the bare address).
Queries run in a worker thread.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qs

import msgspec

from pyplow.analytics.dashboard.queries import QUERIES, Range, Schemas
from pyplow.analytics.models.database import Database

log = logging.getLogger(__name__)

__all__ = ["DashboardApp", "is_dashboard_path"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
#: Gives a database for one request (a context manager: closed or released after it).
Connect = Callable[[], AbstractContextManager[Database]]

PREFIX: Final = "/dashboard"
COOKIE: Final = "pyplow_dashboard"
_STATIC: Final = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
_JSON = msgspec.json.Encoder()
_MAX_DAYS: Final = 3660


def is_dashboard_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _static(name: str) -> bytes:
    return resources.files("pyplow.analytics.dashboard").joinpath("static", name).read_bytes()


def parse_range(query: dict[str, list[str]], today: date) -> Range:
    """``start``/``end`` (ISO dates, ``end`` inclusive) as a half-open range of timestamps."""
    try:
        end_day = date.fromisoformat(query["end"][0]) if "end" in query else today
        start_day = (
            date.fromisoformat(query["start"][0])
            if "start" in query
            else end_day - timedelta(days=6)
        )
    except ValueError as exc:
        raise ValueError(f"dates are YYYY-MM-DD: {exc}") from None
    if start_day > end_day:
        raise ValueError("start is after end")
    if (end_day - start_day).days > _MAX_DAYS:
        raise ValueError(f"a range spans at most {_MAX_DAYS} days")
    start = datetime(start_day.year, start_day.month, start_day.day)
    return Range(start, datetime(end_day.year, end_day.month, end_day.day) + timedelta(days=1))


class DashboardApp:
    """Serves the dashboard; ``connect`` gives the database for each API request."""

    def __init__(
        self,
        connect: Connect,
        *,
        token: str | None = None,
        schemas: Schemas | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
    ) -> None:
        self.connect = connect
        self.token = token
        self.schemas = schemas or Schemas()
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        status, headers, body = await self._handle(scope)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        head = scope.get("method") == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head else body})

    def _authorised(self, scope: Scope, query: dict[str, list[str]]) -> tuple[bool, bool]:
        """(allowed, came with ``?token=``)."""
        if self.token is None:
            return True, False
        expected = self.token.encode()
        offered: list[bytes] = []
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value.lower().startswith(b"bearer "):
                offered.append(value[7:].strip())
            elif name == b"cookie":
                cookie = SimpleCookie(value.decode("latin-1"))
                if COOKIE in cookie:
                    offered.append(cookie[COOKIE].value.encode())
        in_query = [t.encode() for t in query.get("token", [])]
        if any(hmac.compare_digest(t, expected) for t in in_query):
            return True, True
        return any(hmac.compare_digest(t, expected) for t in offered), False

    async def _handle(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        path: str = scope.get("path", "")
        if scope.get("method") not in ("GET", "HEAD"):
            status, headers, body = _text(405, "the dashboard is read-only")
            return status, [*headers, (b"allow", b"GET, HEAD")], body
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        allowed, with_query_token = self._authorised(scope, query)
        if not allowed:
            return _text(
                401, "this dashboard needs its token: open the link pyplow printed at start"
            )
        if path in (PREFIX, PREFIX + "/"):
            if with_query_token and self.token is not None:
                # keep the token in a cookie and out of the address bar and history
                cookie = f"{COOKIE}={self.token}; Path={PREFIX}; HttpOnly; SameSite=Strict"
                headers = [(b"set-cookie", cookie.encode()), (b"location", b"/dashboard/")]
                return 303, headers, b""
            return 200, [(b"content-type", _STATIC["index.html"].encode())], _static("index.html")
        if path.startswith(PREFIX + "/static/"):
            name = path.removeprefix(PREFIX + "/static/")
            if name not in _STATIC:
                return _text(404, f"no static file {name!r}")
            kind = _STATIC[name].encode()
            return 200, [(b"content-type", kind), (b"cache-control", b"no-cache")], _static(name)
        if path.startswith(PREFIX + "/api/"):
            return await self._api(path.removeprefix(PREFIX + "/api/"), query)
        return _text(404, f"no dashboard page {path!r}")

    async def _api(
        self, name: str, query: dict[str, list[str]]
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        handler = QUERIES.get(name)
        if handler is None:
            return _json(404, {"error": f"no dashboard query {name!r}; try {sorted(QUERIES)}"})
        now = self.clock()
        try:
            span = parse_range(query, now.date())
        except ValueError as exc:
            return _json(400, {"error": str(exc)})

        def run() -> dict[str, Any]:
            with self.connect() as db:
                try:
                    return handler(db, self.schemas, span, now)
                except Exception:
                    if not db.columns(self.schemas.events, "events"):
                        return {"notice": "no events have been loaded yet"}
                    raise

        try:
            result = await asyncio.to_thread(run)
        except Exception as exc:  # the database is down or a table is being rebuilt
            log.warning("dashboard query %s failed: %s", name, exc)
            return _json(503, {"error": f"the {name} query failed: {exc}"})
        result["range"] = {"start": span.start, "end": span.end}
        return _json(200, result)


def _text(status: int, message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return status, [(b"content-type", b"text/plain; charset=utf-8")], message.encode()


def _json(status: int, body: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    return status, headers, _JSON.encode(body)
