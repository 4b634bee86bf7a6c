"""Cookie extractor: chosen cookies of the request's ``Cookie`` headers, as entities.

For every recorded header whose name is ``cookie`` (any case), the value is read as
``name=value`` pairs separated by ``;`` the way Apache HttpCore's header-value parser reads
them (which is what Snowplow uses): names and unquoted values are trimmed and inner runs of
white space become one space; a quoted value keeps its content (``\\"`` and ``\\\\``
unescaped); a name without ``=`` has a null value; a ``,`` ends the list. Each pair whose name is
configured becomes an ``org.ietf/http_cookie/jsonschema/1-0-0`` entity ``{name, value}``, in
header order.
"""

from __future__ import annotations

from typing import Any, Final

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.event.entities import Entity

__all__ = ["COOKIE_SCHEMA", "CookieExtractor", "parse_cookie_header"]

COOKIE_SCHEMA: Final = "iglu:org.ietf/http_cookie/jsonschema/1-0-0"

_WHITESPACE: Final = frozenset(" \t\r\n")


def _read_token(text: str, pos: int, stops: str) -> tuple[str, int]:
    """Unquoted text from ``pos`` to a stop character, trimmed, inner white space collapsed."""
    out: list[str] = []
    pending_space = False
    end = len(text)
    while pos < end:
        ch = text[pos]
        if ch in stops:
            break
        if ch in _WHITESPACE:
            pending_space = True
        else:
            if pending_space and out:
                out.append(" ")
            pending_space = False
            out.append(ch)
        pos += 1
    return "".join(out), pos


def _read_value(text: str, pos: int) -> tuple[str, int]:
    """A parameter value: unquoted runs and quoted strings up to ``;`` or ``,``."""
    out: list[str] = []
    pending_space = False
    end = len(text)
    while pos < end:
        ch = text[pos]
        if ch in ";,":
            break
        if ch in _WHITESPACE:
            pending_space = True
            pos += 1
            continue
        if pending_space and out:
            out.append(" ")
        pending_space = False
        if ch == '"':
            pos += 1
            escaped = False
            while pos < end:
                ch = text[pos]
                pos += 1
                if escaped:
                    if ch not in '"\\':
                        out.append("\\")  # HttpCore keeps the backslash of other escapes
                    out.append(ch)
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    break
                else:
                    out.append(ch)
            continue
        out.append(ch)
        pos += 1
    return "".join(out), pos


def parse_cookie_header(value: str) -> list[tuple[str, str | None]]:
    """The ``(name, value)`` pairs of one ``Cookie`` header value (see the module docstring)."""
    pairs: list[tuple[str, str | None]] = []
    pos, end = 0, len(value)
    while pos < end:
        name, pos = _read_token(value, pos, "=;,")
        if pos >= end:
            pairs.append((name, None))
            break
        delimiter = value[pos]
        pos += 1
        if delimiter != "=":
            pairs.append((name, None))
            if delimiter == ",":
                break
            continue
        cookie_value, pos = _read_value(value, pos)
        pairs.append((name, cookie_value))
        if pos < end:
            delimiter = value[pos]
            pos += 1
            if delimiter == ",":
                break
    return pairs


class CookieExtractor(Enrichment):
    """Emits one ``http_cookie`` entity per configured cookie found in the request."""

    schema_name = "cookie_extractor_config"
    criteria = (
        criterion("iglu:com.snowplowanalytics.snowplow/cookie_extractor_config/jsonschema/1-0-*"),
    )
    identifier = "cookie_extractor"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        cookies: Any = config.parameters.get("cookies")
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise EnrichmentConfigError(
                "cookie_extractor_config: 'cookies' must be a list of cookie names, "
                f"got {cookies!r}"
            )
        self.cookies: frozenset[str] = frozenset(cookies)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        wanted = self.cookies
        if not wanted:
            return None
        found: list[Entity] = []
        for header in event.headers:
            name, colon, value = header.partition(":")
            if not colon or name.lower() != "cookie":
                continue
            found.extend(
                Entity(COOKIE_SCHEMA, {"name": cookie_name, "value": cookie_value})
                for cookie_name, cookie_value in parse_cookie_header(value)
                if cookie_name in wanted
            )
        return found or None
