"""An HTTP request as the collector sees it, and the raw record made from it.

The HTTP server hands the collector a ``HttpRequest`` (whatever server runs it); ``to_payload``
fills a ``CollectorPayload`` the way Snowplow's collector does:

- ``ipAddress``: the first address of ``X-Forwarded-For`` when the collector is told to trust
  that header, else the socket peer; ``unknown`` for ``SP-Anonymous`` requests or when unknown;
- ``timestamp`` (receive time, ms), ``encoding`` ``UTF-8``, ``collector`` (name-version-sink);
- ``userAgent``, ``refererUri`` from their headers; ``path`` after custom-path mapping;
  ``querystring`` raw, without ``?`` (absent when empty); ``body`` for POST;
- ``headers``: ``Name: value`` for each header as received, the ``Cookie`` header filtered to
  valid cookies, ``X-Forwarded-For``/``X-Real-Ip``/``Cookie`` left out for anonymous requests,
  and the lower-cased content type appended as a bare element (as Snowplow's collector does);
- ``contentType`` lower-cased; ``hostname`` from ``Host`` without the port; ``networkUserId``.
"""

from __future__ import annotations

import functools

import msgspec

from pyplow.collector.cookies import recorded_cookie_header
from pyplow.protocol.collector_payload import CollectorPayload

_ANONYMOUS_DROPPED = frozenset({"x-forwarded-for", "x-real-ip", "cookie"})


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One HTTP request: what any server adapter passes to the collector.

    ``headers`` are (name, value) pairs in arrival order with names in lower case (as ASGI
    gives them); the raw record lists them capitalised (``User-Agent``).
    """

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    peer: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of a header; ``name`` in lower case."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def anonymous(self) -> bool:
        """Whether the tracker asked for server-side anonymisation (``SP-Anonymous``)."""
        return self.header("sp-anonymous") is not None


def client_ip(request: HttpRequest, trust_forwarded_for: bool) -> str:
    """The client address to record (``unknown`` when there is none)."""
    if request.anonymous:
        return "unknown"
    if trust_forwarded_for:
        forwarded = request.header("x-forwarded-for")
        if forwarded:
            first = forwarded.split(",", 1)[0].strip()
            if first:
                return first
    return request.peer or "unknown"


def recorded_headers(request: HttpRequest) -> tuple[str, ...]:
    """The request headers as the raw record lists them."""
    anonymous = request.anonymous
    rendered: list[str] = []
    for name, value in request.headers:
        if anonymous and name in _ANONYMOUS_DROPPED:
            continue
        if name == "cookie":
            filtered = recorded_cookie_header(value)
            if filtered is None:
                continue
            value = filtered
        rendered.append(f"{_capitalised(name)}: {value}")
    content_type = request.header("content-type")
    if content_type:
        rendered.append(content_type.lower())
    return tuple(rendered)


def to_payload(
    request: HttpRequest,
    *,
    path: str,
    network_user_id: str,
    timestamp_ms: int,
    collector_name: str,
    trust_forwarded_for: bool = False,
) -> CollectorPayload:
    """The raw record of ``request`` (``path`` is the recorded path, after custom mapping)."""
    first: dict[str, str] = {}
    for name, value in request.headers:
        first.setdefault(name, value)
    host = first.get("host")
    content_type = first.get("content-type")
    is_post = request.method == "POST"
    return CollectorPayload(
        ip_address=client_ip(request, trust_forwarded_for),
        timestamp=timestamp_ms,
        encoding="UTF-8",
        collector=collector_name,
        user_agent=first.get("user-agent"),
        referer_uri=first.get("referer"),
        path=path,
        querystring=request.query or None,
        body=request.body.decode("utf-8", errors="replace") if is_post else None,
        headers=recorded_headers(request),
        content_type=content_type.lower() if content_type and is_post else None,
        hostname=_hostname(host),
        network_user_id=network_user_id,
    )


@functools.lru_cache(maxsize=1024)
def _capitalised(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _hostname(host: str | None) -> str | None:
    if not host:
        return None
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
