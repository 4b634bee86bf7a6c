"""The network user id: which id a request gets, and the cookies that carry it.

Resolution follows Snowplow's collector, first match wins:

1. the request has an ``SP-Anonymous`` header → the all-zero id, no cookie read or set;
2. a ``nuid`` query parameter → that value;
3. the network-user cookie (``sp`` by default) → its value;
4. otherwise a new random UUID.

The cookie is set again on every recorded request (its expiry moves forward), with ``Path=/``,
``Domain`` chosen from the request's ``Origin`` hosts among the configured domains (else the
fallback domain, else none: bound to the collector's host), ``SameSite``, ``Secure``, ``HttpOnly``.
Anonymous requests that carried the cookie get a deletion cookie instead. An optional second
"client" cookie carries the same id without ``HttpOnly`` so that page scripts can read it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Literal

import msgspec

ANONYMOUS_NUID = "00000000-0000-0000-0000-000000000000"

# RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.
_COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")


class CookieConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The network-user cookie."""

    enabled: bool = True
    name: str = "sp"
    expiration_days: float = 365.0
    domains: tuple[str, ...] = ()
    fallback_domain: str | None = None
    secure: bool = True
    http_only: bool = True
    same_site: Literal["None", "Lax", "Strict"] = "None"
    client_cookie_name: str | None = None


class DoNotTrackConfig(msgspec.Struct, frozen=True, kw_only=True):
    """A cookie whose presence (value matching ``value``, a regex) means: store nothing."""

    enabled: bool = False
    name: str = ""
    value: str = ""


def parse_cookie_header(header: str | None) -> dict[str, str]:
    """Name → value of a ``Cookie`` request header; the first occurrence of a name wins."""
    cookies: dict[str, str] = {}
    if not header:
        return cookies
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies[name] = value
    return cookies


def recorded_cookie_header(header: str) -> str | None:
    """The ``Cookie`` header as the collector records it: spaces removed, parts that are not
    valid RFC 6265 cookies dropped; ``None`` when nothing valid remains."""
    parts = []
    for part in header.replace(" ", "").split(";"):
        name, sep, value = part.partition("=")
        if name and sep and _is_token(name) and _COOKIE_OCTETS.fullmatch(_unquote(value)):
            parts.append(part)
    return ";".join(parts) or None


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


# RFC 7230 token: visible ASCII except separators.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _is_token(name: str) -> bool:
    return _TOKEN.fullmatch(name) is not None


def network_user_id(
    *,
    anonymous: bool,
    nuid_param: str | None,
    cookies: dict[str, str],
    config: CookieConfig,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> str:
    """The network user id of a request (see the module docstring for the order)."""
    if anonymous:
        return ANONYMOUS_NUID
    if nuid_param is not None:
        return nuid_param
    existing = cookies.get(config.name)
    if existing:
        return existing
    return new_id()


def do_not_track(cookies: dict[str, str], config: DoNotTrackConfig) -> bool:
    """Whether the request carries the configured do-not-track cookie."""
    if not config.enabled:
        return False
    value = cookies.get(config.name)
    return value is not None and re.fullmatch(config.value, value) is not None


def cookie_domain(config: CookieConfig, origin: str | None) -> str | None:
    """The ``Domain`` attribute for a request with this ``Origin`` header (maybe several
    space-separated origins): the first configured domain equal to an origin host or a parent of
    it, else the fallback domain, else none."""
    hosts = [_origin_host(o) for o in (origin or "").split()]
    for domain in config.domains:
        bare = domain.lstrip(".").lower()
        for host in hosts:
            if host and (host == bare or host.endswith("." + bare)):
                return bare
    return config.fallback_domain


def _origin_host(origin: str) -> str:
    rest = origin.split("://", 1)[-1]
    host = rest.split("/", 1)[0]
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


def set_cookie_headers(
    config: CookieConfig,
    nuid: str,
    *,
    now: datetime,
    origin: str | None,
    anonymous: bool,
    had_cookie: bool,
) -> list[str]:
    """The ``Set-Cookie`` header values for a recorded request (possibly none)."""
    if not config.enabled:
        return []
    lifetime = timedelta(days=config.expiration_days)
    if anonymous:
        if not had_cookie:
            return []
        return [_render(config, config.name, "", now - lifetime, origin, config.http_only)]
    headers = [_render(config, config.name, nuid, now + lifetime, origin, config.http_only)]
    if config.client_cookie_name:
        headers.append(
            _render(config, config.client_cookie_name, nuid, now + lifetime, origin, False)
        )
    return headers


def _render(
    config: CookieConfig,
    name: str,
    value: str,
    expires: datetime,
    origin: str | None,
    http_only: bool,
) -> str:
    parts = [f"{name}={value}", f"Expires={format_datetime(expires.astimezone(UTC), usegmt=True)}"]
    parts.append("Path=/")
    domain = cookie_domain(config, origin)
    if domain:
        parts.append(f"Domain={domain}")
    parts.append(f"SameSite={config.same_site}")
    if config.secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    return "; ".join(parts)
