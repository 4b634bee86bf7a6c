"""What the collector answers: a small response value and the fixed bodies.

``Response`` is server-agnostic; the ASGI adapter turns it into messages. The bodies are
Snowplow's: the 43-byte transparent GIF, ``ok`` for POSTs, the robots and crossdomain files.
"""

from __future__ import annotations

import base64
from xml.sax.saxutils import quoteattr

import msgspec

#: Snowplow's 1×1 transparent GIF (GIF89a, 43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAPAAAP///wAAACH5BAUAAAAALAAAAAABAAEAAAICRAEAOw==")

NO_CACHE = "no-cache, no-store, must-revalidate"

ROBOTS_TXT = (
    b"User-agent: *\nDisallow: /\n\n"
    b"User-agent: Googlebot\nDisallow: /\n\n"
    b"User-agent: AdsBot-Google\nDisallow: /\n"
)


class Response(msgspec.Struct, kw_only=True):
    """An HTTP response: status, headers (in order, repeatable) and body."""

    status: int = 200
    headers: list[tuple[str, str]] = []
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


def pixel() -> Response:
    return Response(
        headers=[("Content-Type", "image/gif"), ("Cache-Control", NO_CACHE)], body=PIXEL
    )


def ok() -> Response:
    return Response(headers=[("Content-Type", "text/plain; charset=utf-8")], body=b"ok")


def text(status: int, body: str, *extra: tuple[str, str]) -> Response:
    return Response(
        status=status,
        headers=[("Content-Type", "text/plain; charset=utf-8"), *extra],
        body=body.encode(),
    )


def crossdomain_xml(domains: tuple[str, ...], secure: bool) -> bytes:
    secure_text = "true" if secure else "false"
    lines = ['<?xml version="1.0"?>', "<cross-domain-policy>"]
    lines.extend(
        f"  <allow-access-from domain={quoteattr(d)} secure={quoteattr(secure_text)} />"
        for d in domains
    )
    lines.append("</cross-domain-policy>")
    return ("\n".join(lines) + "\n").encode()
