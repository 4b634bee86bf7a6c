"""Querystring parsing exactly as Enrich does it (``java.net.URI`` + Apache ``URLEncodedUtils``).

Enrich parses a recorded querystring ``q`` with
``URLEncodedUtils.parse(URI.create("http://localhost/?" + q), encoding)``. That is two steps:

1. **Syntax check** (``check_querystring``). ``java.net.URI`` refuses characters that are not
   legal in a URI query (space, ``"``, ``<``, ``>``, ``\\``, ``^``, backtick, ``{``, ``|``,
   ``}``, control characters, Unicode spaces) and any ``%`` not followed by two hex digits.
   Everything after the first ``#`` is a fragment (checked the same way, no second ``#``).
   A refusal is a ``collector_payload_format_violation`` in Enrich, so here it is a
   ``QuerystringError`` carrying Java's message.
2. **Splitting and decoding** (``parse_pairs``), lenient and total: pairs are separated by
   ``&`` *or* ``;``; a pair without ``=`` has value None; pairs with an empty name are dropped;
   ``+`` means space; ``%XX`` is a byte; the bytes are read as UTF-8 with U+FFFD for malformed
   sequences. A malformed escape is kept as typed: ``%`` and the two characters after it are
   copied literally (so ``%%41`` stays ``%%41`` and ``%+1`` keeps its ``+``); a ``%`` with fewer
   than two characters after it is copied as is. Unescaped whitespace is trimmed and inner
   runs collapse to one space (Apache's token parser does this). Other characters are copied
   as their low byte, as Apache does, so raw non-ASCII text comes out as U+FFFD. Only pairs
   that passed step 1 reach this step inside Enrich, so those last rules are rarely visible.

``parse_querystring`` runs both steps. All pairs are kept in order; ``Querystring.to_dict``
gives the adapters' view, where the last occurrence of a name wins.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote, unquote_to_bytes

import msgspec

__all__ = [
    "Querystring",
    "QuerystringError",
    "check_querystring",
    "parse_pairs",
    "parse_querystring",
    "to_param_dict",
]

Pair = tuple[str, str | None]

_URI_PREFIX: Final = "http://localhost/?"

# Legal in a java.net.URI query/fragment: unreserved, reserved and escaped ASCII, plus any
# character above U+0080 that is neither an ISO control (U+0080-U+009F) nor a Unicode space
# (categories Zs, Zl, Zp). '%' is listed here; its escapes are checked by _MALFORMED.
# (Two simple searches are several times faster than one alternation.)
_ILLEGAL_CHAR: Final = re.compile(
    r"[^A-Za-z0-9\-_.!~*'();/?:@&=+$,\[\]%"
    "\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff"
    "\u3001-\U0010ffff]"
)
_MALFORMED: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SEPARATORS: Final = re.compile(r"[&;]")
_WHITESPACE: Final = re.compile(r"[ \t\r\n]+")
_TOKENS: Final = re.compile(r"%(?:(.)(.))?|[^%]+", re.DOTALL)
_HEX: Final = frozenset("0123456789abcdefABCDEF")


class QuerystringError(msgspec.Struct, frozen=True):
    """A querystring that ``java.net.URI`` refuses, with Java's message (which quotes the
    offending index in ``http://localhost/?<querystring>``)."""

    value: str
    message: str


class Querystring(msgspec.Struct, frozen=True):
    """A parsed querystring: every (name, value) pair, in order, duplicates kept."""

    pairs: tuple[Pair, ...]

    def to_dict(self) -> dict[str, str | None]:
        """The adapters' view: one entry per name, the last occurrence wins."""
        return dict(self.pairs)

    def __bool__(self) -> bool:
        return bool(self.pairs)


def _first_problem(text: str, start: int, end: int) -> int | None:
    """Index of the first illegal character or malformed escape in ``text[start:end]``."""
    found = [
        m.start()
        for m in (_ILLEGAL_CHAR.search(text, start, end), _MALFORMED.search(text, start, end))
        if m is not None
    ]
    return min(found) if found else None


def check_querystring(raw: str) -> QuerystringError | None:
    """Apply ``java.net.URI``'s syntax rules to a raw querystring; None when it is legal."""
    hash_at = raw.find("#")
    where = "query"
    at = _first_problem(raw, 0, len(raw) if hash_at < 0 else hash_at)
    if at is None and hash_at >= 0:
        at = _first_problem(raw, hash_at + 1, len(raw))  # a second '#' is illegal there
        where = "fragment"
    if at is None:
        return None
    index = len(_URI_PREFIX) + at
    reason = "Malformed escape pair" if raw[at] == "%" else f"Illegal character in {where}"
    return QuerystringError(raw, f"{reason} at index {index}: {_URI_PREFIX}{raw}")


def _low_bytes(text: str) -> bytes:
    if text.isascii():
        return text.encode("ascii")
    return bytes(ord(c) & 0xFF for c in text)


def _decode(text: str) -> str:
    """Apache's form-field decoding (see the module docstring)."""
    if "%" not in text:
        if "+" in text:
            text = text.replace("+", " ")
        if text.isascii():
            return text
        return _low_bytes(text).decode("utf-8", "replace")
    if text.isascii() and _MALFORMED.search(text) is None:  # the common case
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")
    out = bytearray()
    for match in _TOKENS.finditer(text):
        token = match[0]
        if token[0] != "%":
            out += _low_bytes(token.replace("+", " "))
        elif match[1] is None:
            out += b"%"
        elif match[1] in _HEX and match[2] in _HEX:
            out.append(int(token[1:], 16))
        else:
            out += b"%" + _low_bytes(match[1] + match[2])
    return out.decode("utf-8", "replace")


def _trim(token: str) -> str:
    if " " in token or "\t" in token or "\r" in token or "\n" in token:
        return _WHITESPACE.sub(" ", token).strip(" ")
    return token


def parse_pairs(raw: str) -> tuple[Pair, ...]:
    """Split and decode a querystring leniently; never fails (no syntax check)."""
    if (
        raw.isascii()
        and " " not in raw
        and "\t" not in raw
        and "\r" not in raw
        and "\n" not in raw
        and _MALFORMED.search(raw) is None
    ):
        # What trackers send: nothing to trim, only well-formed escapes.
        return _plain_pairs(raw)
    return _general_pairs(raw)


def _general_pairs(raw: str) -> tuple[Pair, ...]:
    """``parse_pairs`` of any text, by the rules of the module docstring."""
    pairs: list[Pair] = []
    for segment in _SEPARATORS.split(raw):
        name, sep, value = segment.partition("=")
        name = _trim(name)
        if not name:
            continue
        pairs.append((_decode(name), _decode(_trim(value)) if sep else None))
    return tuple(pairs)


def _plain_pairs(raw: str) -> tuple[Pair, ...]:
    """``parse_pairs`` of ASCII text without whitespace or malformed escapes."""
    plus = "+" in raw
    pairs: list[Pair] = []
    for segment in raw.split("&") if ";" not in raw else _SEPARATORS.split(raw):
        name, sep, value = segment.partition("=")
        if not name:
            continue
        if plus:
            name = name.replace("+", " ")
            value = value.replace("+", " ")
        if "%" in name:
            name = unquote(name, errors="replace")
        if not sep:
            pairs.append((name, None))
        elif "%" in value:
            pairs.append((name, unquote(value, errors="replace")))
        else:
            pairs.append((name, value))
    return tuple(pairs)


def parse_querystring(raw: str | None) -> Querystring | QuerystringError:
    """Check and parse a recorded querystring as Enrich does; None means no querystring."""
    if not raw:
        return Querystring(())
    error = check_querystring(raw)
    if error is not None:
        return error
    hash_at = raw.find("#")
    return Querystring(parse_pairs(raw if hash_at < 0 else raw[:hash_at]))


def to_param_dict(pairs: tuple[Pair, ...]) -> dict[str, str | None]:
    """Pairs → parameters, the last occurrence of a name winning (Enrich's ``toMap``)."""
    return dict(pairs)
