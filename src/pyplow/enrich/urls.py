"""Page and referrer URLs, split into their parts the way Enrich does.

Enrich reads a URL with ``java.net.URI`` (after replacing each space with ``%20``); when that
refuses the text, it parses it again with a lenient URL library, re-encodes every part and
gives the result to ``java.net.URI`` once more. pyplow does the same in two steps:

1. :func:`_java_parse` follows ``java.net.URI``'s grammar (RFC 2396 with Java's deviations):
   its character classes per part, ``%`` escapes that must be complete, "other" (visible
   non-ASCII) characters allowed in paths, queries and fragments, an authority that is either
   server-based (host, port) or, when the host does not parse, registry-based with no host at
   all (an IDN or ``my_host`` host name gives no ``*_urlhost``, as in Enrich);
2. :func:`_reencode_url` is the lenient second chance: the first ``#`` starts the fragment, the
   first ``?`` the query; path segments, query names and values and the whole fragment are
   percent-decoded (malformed escapes kept as typed) and percent-encoded again, every character
   but ``A-Z a-z 0-9 - . _ ~ +`` being escaped as UTF-8.

The parts are the raw (still percent-encoded) path, query and fragment; the port is the
explicit one, else 443 for the scheme ``https`` (exactly that spelling) and 80 otherwise; the
URL's text is what ``page_url`` is rewritten to. Parsing never raises: a URL both steps refuse
gives an error message, which the engine reports as an enrichment failure.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, Final
from urllib.parse import quote, unquote

import msgspec

from pyplow.protocol.querystring import parse_pairs

__all__ = [
    "ParsedUrl",
    "apply_page_url",
    "apply_referrer",
    "page_query",
    "parse_url",
]


class ParsedUrl(msgspec.Struct, frozen=True, kw_only=True):
    """A URL as Enrich splits it; ``text`` is the string form ``page_url`` takes."""

    text: str
    scheme: str | None
    host: str | None
    port: int
    path: str | None
    query: str | None
    fragment: str | None


# --- java.net.URI character classes -----------------------------------------------------------

_ALNUM: Final = "A-Za-z0-9"
_UNRESERVED: Final = _ALNUM + r"\-_.!~*'()"
_RESERVED: Final = r";/?:@&=+$,\[\]"
# Visible non-ASCII: above U+0080, not an ISO control, not a Unicode space (Zs, Zl, Zp).
_OTHER: Final = (
    "\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff"
    "\u3001-\U0010ffff"
)
_ESCAPE_TAIL: Final = r"%(?![0-9A-Fa-f]{2})"


def _bad(chars: str, *, escapes: bool = True) -> re.Pattern[str]:
    """First character outside ``chars`` (or a malformed escape when escapes are allowed)."""
    if escapes:
        return re.compile(f"[^{chars}%{_OTHER}]|{_ESCAPE_TAIL}")
    return re.compile(f"[^{chars}]")


_BAD_URIC: Final = _bad(_UNRESERVED + _RESERVED)
_BAD_PATH: Final = _bad(_UNRESERVED + r":@&=+$,;/")
_BAD_USERINFO: Final = _bad(_UNRESERVED + r";:&=+$,")
_BAD_REG_NAME: Final = _bad(_UNRESERVED + r"$,;:@&=+")
_SERVER: Final = _UNRESERVED + r";:&=+$,.@\[\]"
_BAD_SERVER: Final = _bad(_SERVER)
_BAD_SERVER_PERCENT: Final = re.compile(f"[^{_SERVER}%{_OTHER}]")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_BAD_SCHEME: Final = re.compile(r"[^A-Za-z0-9+.\-]")
_DOTTED: Final = re.compile(r"[0-9.]*")
_IPV4: Final = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)")
_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?")
_LABEL_DASHES: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_DIGITS: Final = re.compile(r"[0-9]*")
_INT_MAX: Final = 2**31 - 1


class _UriError(Exception):
    """Internal: java.net.URI's URISyntaxException (never escapes this module)."""

    def __init__(self, reason: str, index: int, text: str) -> None:
        super().__init__(f"{reason} at index {index}: {text}")


class _Parts(msgspec.Struct, frozen=True):
    scheme: str | None
    host: str | None
    port: int
    path: str | None
    query: str | None
    fragment: str | None


def _check(pattern: re.Pattern[str], text: str, start: int, end: int, what: str) -> None:
    found = pattern.search(text, start, end)
    if found is not None:
        at = found.start()
        reason = "Malformed escape pair" if text[at] == "%" else f"Illegal character in {what}"
        raise _UriError(reason, at, text)


def _hostname(text: str, start: int, end: int) -> int:
    """Java's hostname rule; returns the index after the host or raises."""
    p = start
    last = -1
    while p < end:
        label = _LABEL_DASHES.match(text, p, end)
        if label is None:
            break
        if text[label.end() - 1] == "-":
            raise _UriError("Illegal character in hostname", label.end() - 1, text)
        last = p
        p = label.end()
        if p < end and text[p] == ".":
            p += 1
        else:
            break
    if p < end and text[p] != ":":
        raise _UriError("Illegal character in hostname", p, text)
    if last < 0:
        raise _UriError("Expected hostname", start, text)
    if last > start and not text[last].isalpha():
        raise _UriError("Illegal character in hostname", last, text)
    return p


def _ipv4(text: str, start: int, end: int) -> int:
    """End of a dotted-quad IPv4 address at ``start`` (followed by the end or ``:``), or -1."""
    run = _DOTTED.match(text, start, end)
    assert run is not None  # [0-9.]* always matches
    quad = _IPV4.fullmatch(text, start, run.end())
    if quad is None or any(int(part) > 255 for part in quad.groups()):
        return -1
    q = run.end()
    if q < end and text[q] != ":":
        return -1
    return q


def _ipv6(text: str, start: int, end: int) -> int:
    """``[address]`` at ``start``; returns the index after ``]`` or raises."""
    close = text.find("]", start, end)
    if close < 0:
        raise _UriError("Expected closing bracket for IPv6 address", end, text)
    body = text[start + 1 : close]
    address, _, scope = body.partition("%")
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        raise _UriError("Malformed IPv6 address", start + 1, text) from None
    if "%" in body and not re.fullmatch(r"[A-Za-z0-9_.]+", scope):
        raise _UriError("Malformed IPv6 address", start + 1, text)
    return close + 1


def _server(text: str, start: int, end: int) -> tuple[str, int]:
    """Server-based authority → (host, port); raises when it is not one."""
    p = start
    at = text.find("@", start, end)
    if at >= 0:
        _check(_BAD_USERINFO, text, start, at, "user info")
        p = at + 1
    if p < end and text[p] == "[":
        q = _ipv6(text, p, end)
    else:
        q = _ipv4(text, p, end)
        if q <= p:
            q = _hostname(text, p, end)
    host = text[p:q]
    port = -1
    p = q
    if p < end and text[p] == ":":
        p += 1
        digits = _DIGITS.match(text, p, end)
        assert digits is not None
        if digits.end() > p:
            number = int(text[p : digits.end()])
            if number > _INT_MAX:
                raise _UriError("Malformed port number", p, text)
            port = number
            p = digits.end()
    if p < end:
        raise _UriError("Expected port number", p, text)
    return host, port


def _authority(text: str, start: int, end: int) -> tuple[str | None, int]:
    """Java's authority rule: server-based when possible, else registry-based (no host)."""
    # Java looks for a ']' (an IPv6 literal) to allow a bare '%'; its scan reports "found"
    # unless the authority starts with ']', so in practice '%' is allowed everywhere else.
    if not text.startswith("]", start):
        server_chars = _BAD_SERVER_PERCENT.search(text, start, end) is None
    else:
        found = _BAD_SERVER.search(text, start, end)
        if found is not None and text[found.start()] == "%":
            raise _UriError("Malformed escape pair", found.start(), text)
        server_chars = found is None
    found = _BAD_REG_NAME.search(text, start, end)
    if found is not None and text[found.start()] == "%":
        raise _UriError("Malformed escape pair", found.start(), text)
    reg_chars = found is None
    if server_chars:
        try:
            return _server(text, start, end)
        except _UriError:
            if not reg_chars:
                raise
            return None, -1
    if reg_chars:
        return None, -1
    raise _UriError("Illegal character in authority", start, text)


def _end_of(text: str, start: int, stops: str) -> int:
    """Index of the first character of ``stops`` at or after ``start`` (or the length)."""
    best = len(text)
    for stop in stops:
        at = text.find(stop, start, best)
        if at >= 0:
            best = at
    return best


def _java_parse(text: str) -> _Parts:
    """``java.net.URI(text)``'s components; raises ``_UriError`` like Java."""
    n = len(text)
    scheme: str | None = None
    host: str | None = None
    port = -1
    path: str | None = None
    query: str | None = None
    p = 0
    colon = _end_of(text, 0, ":/?#")
    if colon < n and text[colon] == ":":
        if colon == 0:
            raise _UriError("Expected scheme name", 0, text)
        if not text[0].isascii() or not text[0].isalpha():
            raise _UriError("Illegal character in scheme name", 0, text)
        bad = _BAD_SCHEME.search(text, 1, colon)
        if bad is not None:
            raise _UriError("Illegal character in scheme name", bad.start(), text)
        scheme = text[:colon]
        p = colon + 1
        if not text.startswith("/", p):  # opaque: mailto:…, javascript:…
            q = _end_of(text, p, "#")
            if q == p:
                raise _UriError("Expected scheme-specific part", p, text)
            _check(_BAD_URIC, text, p, q, "opaque part")
            p = q
    if scheme is None or text.startswith("/", p):
        if text.startswith("//", p):
            p += 2
            q = _end_of(text, p, "/?#")
            if q > p:
                host, port = _authority(text, p, q)
            elif q >= n:
                raise _UriError("Expected authority", p, text)
            p = q
        q = _end_of(text, p, "?#")
        _check(_BAD_PATH, text, p, q, "path")
        path = text[p:q]
        p = q
        if p < n and text[p] == "?":
            q = _end_of(text, p + 1, "#")
            _check(_BAD_URIC, text, p + 1, q, "query")
            query = text[p + 1 : q]
            p = q
    fragment: str | None = None
    if p < n and text[p] == "#":
        _check(_BAD_URIC, text, p + 1, n, "fragment")
        fragment = text[p + 1 :]
        p = n
    if p < n:  # pragma: no cover - every branch above consumes the text up to '#'
        raise _UriError("Expected end of URI", p, text)
    return _Parts(scheme, host, port, path, query, fragment)


# --- the lenient second chance ----------------------------------------------------------------

_HEAD: Final = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/]*))?(.*)", re.DOTALL)


def _recode(part: str) -> str:
    """Percent-decode leniently (bad escapes stay as typed), then encode all but unreserved."""
    return quote(unquote(part, errors="replace"), safe="+", errors="replace")


def _reencode_url(text: str) -> str:
    """The URL rebuilt with every part re-encoded (see the module docstring)."""
    rest, sharp, fragment = text.partition("#")
    head, question, query = rest.partition("?")
    match = _HEAD.fullmatch(head)
    assert match is not None  # every group is optional
    scheme, authority, path = match.groups()
    out: list[str] = []
    if scheme is not None:
        out.append(scheme + ":")
    if authority is not None:
        out.append("//" + authority)
    out.append("/".join(_recode(segment) for segment in path.split("/")))
    if question:
        params = []
        for piece in query.split("&"):
            name, equals, value = piece.partition("=")
            params.append(_recode(name) + equals + _recode(value) if equals else _recode(name))
        out.append("?" + "&".join(params))
    if sharp:
        out.append("#" + _recode(fragment))
    return "".join(out)


def _none_if_empty(value: str | None) -> str | None:
    return value or None


def _to_parsed(text: str, parts: _Parts) -> ParsedUrl:
    port = parts.port
    if port == -1:
        port = 443 if parts.scheme == "https" else 80
    return ParsedUrl(
        text=text,
        scheme=parts.scheme,
        host=parts.host,
        port=port,
        path=_none_if_empty(parts.path),
        query=_none_if_empty(parts.query),
        fragment=_none_if_empty(parts.fragment),
    )


_CACHED_LENGTH: Final = 2048  # longer URLs are rare and would make the cache heavy


def parse_url(value: str) -> ParsedUrl | str:
    """Parse a page or referrer URL as Enrich does; an error message when it cannot.

    Results for URLs up to 2048 characters are cached (4096 of them, least recently used).
    """
    if len(value) <= _CACHED_LENGTH:
        return _parse_cached(value)
    return _parse(value)


def _parse(value: str) -> ParsedUrl | str:
    text = value.replace(" ", "%20")
    try:
        return _to_parsed(text, _java_parse(text))
    except _UriError as exc:
        java_error = str(exc)
    rebuilt = _reencode_url(value)
    try:
        return _to_parsed(rebuilt, _java_parse(rebuilt))
    except _UriError as exc:
        lenient_error = str(exc)
    return (
        f"Provided URI [{value}] could not be parsed, neither by Java parsing "
        f"(error: [{java_error}]) nor by Scala parsing (error: [{lenient_error}])."
    )


_parse_cached: Final = lru_cache(maxsize=4096)(_parse)


# --- setting the event's fields ---------------------------------------------------------------

_PAGE_PARTS: Final = (
    "page_urlscheme",
    "page_urlhost",
    "page_urlport",
    "page_urlpath",
    "page_urlquery",
    "page_urlfragment",
)
_REFR_PARTS: Final = (
    "refr_urlscheme",
    "refr_urlhost",
    "refr_urlport",
    "refr_urlpath",
    "refr_urlquery",
    "refr_urlfragment",
)


def _set_parts(fields: dict[str, Any], names: tuple[str, ...], url: ParsedUrl) -> None:
    scheme, host, port, path, query, fragment = names
    fields[scheme] = url.scheme
    fields[host] = url.host
    fields[port] = url.port
    fields[path] = url.path
    fields[query] = url.query
    fields[fragment] = url.fragment


def apply_page_url(fields: dict[str, Any], referer_uri: str | None) -> ParsedUrl | str | None:
    """The built-in "page URI" step: ``page_url`` (the ``url`` parameter, else the request's
    Referer) is parsed, rewritten to its parsed form and split into ``page_url*`` fields.

    Returns the parsed URL (for :func:`page_query`), an error message, or None when the event
    has no page URL (not a failure).
    """
    source = fields.get("page_url") or referer_uri
    if source is None:
        return None
    parsed = parse_url(source)
    if isinstance(parsed, str):
        return parsed
    fields["page_url"] = parsed.text
    _set_parts(fields, _PAGE_PARTS, parsed)
    return parsed


def apply_referrer(fields: dict[str, Any]) -> str | None:
    """The built-in part of the referrer step: ``page_referrer`` split into ``refr_url*``
    fields (``page_referrer`` itself is kept as sent). Returns an error message or None."""
    referrer = fields.get("page_referrer")
    if referrer is None:
        return None
    parsed = parse_url(referrer)
    if isinstance(parsed, str):
        return parsed
    _set_parts(fields, _REFR_PARTS, parsed)
    return None


def page_query(url: ParsedUrl | str | None) -> list[tuple[str, str | None]]:
    """The query of the page URL as decoded (name, value) pairs, in order, duplicates kept.

    Takes the :class:`ParsedUrl` from :func:`apply_page_url` or a URL string (an unparsable
    URL or no URL gives no pairs). Pairs are split on ``&`` and ``;`` and decoded as UTF-8,
    ``+`` meaning space, as Enrich's ``URLEncodedUtils`` does.
    """
    if url is None:
        return []
    parsed = parse_url(url) if isinstance(url, str) else url
    if isinstance(parsed, str) or parsed.query is None:
        return []
    return list(parse_pairs(parsed.query))
