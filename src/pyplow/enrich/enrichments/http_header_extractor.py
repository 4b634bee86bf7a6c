"""HTTP header extractor: request headers whose name matches a pattern, as entities.

``headersPattern`` is a Java regular expression that must match the *whole* header name (the
text before the first ``:``, untrimmed, case-sensitive unless the pattern says ``(?i)``). Each
matching header becomes an ``org.ietf/http_header/jsonschema/1-0-0`` entity with its trimmed
name and value, in header order.

Java patterns are translated to Python's ``re`` once, at start-up. Supported beyond what the
two dialects share: ``\\Q…\\E`` quoting, ``(?<name>…)`` groups and ``\\k<name>``
back-references, ``\\z``, ``\\Z``, ``\\h``, the POSIX classes ``\\p{Lower}``, ``\\p{Upper}``,
``\\p{Alpha}``, ``\\p{Digit}``, ``\\p{Alnum}``, ``\\p{Punct}``, ``\\p{Space}``,
``\\p{XDigit}``, ``\\p{ASCII}``, ``\\p{Blank}``, ``\\p{Cntrl}``, ``\\p{Graph}``, ``\\p{Print}``,
``\\p{L}`` / ``\\p{IsAlphabetic}`` / ``\\p{N}`` (and their ``\\P`` negations outside character
classes), and possessive quantifiers and atomic groups (native in Python 3.11). Not supported
(refused with a clear error): character-class intersection (``&&``), other ``\\p{…}``
properties, and inline flags that are not at the start of the pattern.
"""

from __future__ import annotations

import re
from functools import lru_cache
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

__all__ = ["HEADER_SCHEMA", "HttpHeaderExtractor", "JavaRegexError", "translate_java_regex"]

HEADER_SCHEMA: Final = "iglu:org.ietf/http_header/jsonschema/1-0-0"

#: What Java's ``String.trim`` removes: every character up to U+0020.
_JAVA_TRIM: Final = "".join(map(chr, range(0x21)))


class JavaRegexError(ValueError):
    """A Java pattern uses syntax pyplow cannot translate."""


#: POSIX-style Java classes → the inside of a Python character class.
_PROPERTIES: Final[dict[str, str]] = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
    "javaLowerCase": "a-z",
    "javaUpperCase": "A-Z",
}
#: Unicode categories Python can express without a property syntax.
_UNICODE: Final[dict[str, tuple[str, str]]] = {
    "L": ("[^\\W\\d_]", "[\\W\\d_]"),
    "IsAlphabetic": ("[^\\W\\d_]", "[\\W\\d_]"),
    "IsLetter": ("[^\\W\\d_]", "[\\W\\d_]"),
    "N": ("\\d", "\\D"),
    "Nd": ("\\d", "\\D"),
    "IsDigit": ("\\d", "\\D"),
}
_HORIZONTAL_SPACE: Final = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_INLINE_FLAGS: Final = re.compile(r"\(\?([idmsuxU]+)\)")


def _property(pattern: str, pos: int, negated: bool, in_class: bool) -> tuple[str, int]:
    """Translate ``\\p{Name}`` starting at ``pos`` (just after ``p``/``P``)."""
    if pattern.startswith("{", pos):
        close = pattern.find("}", pos)
        if close < 0:
            raise JavaRegexError(f"unterminated \\p{{ at index {pos}")
        name, after = pattern[pos + 1 : close], close + 1
    else:
        name, after = pattern[pos : pos + 1], pos + 1
    name = name.removeprefix("Is") if name.removeprefix("Is") in _PROPERTIES else name
    if name in _PROPERTIES:
        body = _PROPERTIES[name]
        if in_class:
            if negated:
                raise JavaRegexError(f"\\P{{{name}}} inside a character class is not supported")
            return body, after
        return (f"[^{body}]" if negated else f"[{body}]"), after
    if name in _UNICODE and not in_class:
        positive, negative = _UNICODE[name]
        return (negative if negated else positive), after
    raise JavaRegexError(f"the Java property \\p{{{name}}} is not supported")


def translate_java_regex(pattern: str) -> str:
    """The Python ``re`` form of a Java pattern (see the module docstring for the limits)."""
    out: list[str] = []
    pos, end, depth = 0, len(pattern), 0
    while pos < end:
        ch = pattern[pos]
        if ch == "\\" and pos + 1 < end:
            nxt = pattern[pos + 1]
            if nxt == "Q":
                close = pattern.find("\\E", pos + 2)
                literal = pattern[pos + 2 :] if close < 0 else pattern[pos + 2 : close]
                out.append(re.escape(literal))
                pos = end if close < 0 else close + 2
                continue
            if nxt in "pP":
                text, pos = _property(pattern, pos + 2, nxt == "P", depth > 0)
                out.append(text)
                continue
            if nxt == "z":
                out.append("\\Z")
            elif nxt == "Z":
                out.append("(?=\\n?\\Z)")
            elif nxt == "h":
                out.append(_HORIZONTAL_SPACE if depth else f"[{_HORIZONTAL_SPACE}]")
            elif nxt == "k" and pattern.startswith("<", pos + 2):
                close = pattern.find(">", pos + 3)
                if close < 0:
                    raise JavaRegexError(f"unterminated \\k< at index {pos}")
                out.append(f"(?P={pattern[pos + 3 : close]})")
                pos = close + 1
                continue
            else:
                out.append(ch + nxt)
            pos += 2
            continue
        if depth:
            if ch == "[":
                if pattern.startswith("[:", pos):
                    out.append("\\[")
                    pos += 1
                    continue
                raise JavaRegexError(f"nested character classes (index {pos}) are not supported")
            if ch == "&" and pattern.startswith("&&", pos):
                raise JavaRegexError("character-class intersection (&&) is not supported")
            if ch == "]":
                depth = 0
            out.append(ch)
            pos += 1
            continue
        if ch == "[":
            depth = 1
            out.append(ch)
            pos += 1
            if pattern.startswith("^", pos):
                out.append("^")
                pos += 1
            if pattern.startswith("]", pos):  # a leading ] is a literal in both dialects
                out.append("\\]")
                pos += 1
            continue
        if (
            ch == "("
            and pattern.startswith("(?<", pos)
            and not pattern.startswith(("(?<=", "(?<!"), pos)
        ):
            out.append("(?P<")
            pos += 3
            continue
        flags = _INLINE_FLAGS.match(pattern, pos) if ch == "(" else None
        if flags is not None:
            if pos != 0:
                raise JavaRegexError(
                    f"inline flags {flags.group(0)} must be at the start of the pattern"
                )
            kept = "".join(f for f in flags.group(1) if f in "imsx")  # d, u, U: no equivalent
            out.append(f"(?{kept})" if kept else "")
            pos = flags.end()
            continue
        out.append(ch)
        pos += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def _matches(regex: re.Pattern[str], name: str) -> bool:
    return regex.fullmatch(name) is not None


class HttpHeaderExtractor(Enrichment):
    """Emits one ``http_header`` entity per request header whose name matches the pattern."""

    schema_name = "http_header_extractor_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/http_header_extractor_config/jsonschema/1-0-*"
        ),
    )
    identifier = "http_header_extractor"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        pattern: Any = config.parameters.get("headersPattern")
        if not isinstance(pattern, str):
            raise EnrichmentConfigError(
                f"http_header_extractor_config: headersPattern must be a regular expression "
                f"string, got {pattern!r}"
            )
        try:
            self.regex = re.compile(translate_java_regex(pattern))
        except (JavaRegexError, re.error) as exc:
            raise EnrichmentConfigError(
                f"http_header_extractor_config: headersPattern {pattern!r} is not a usable "
                f"Java regular expression: {exc}"
            ) from None

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        regex = self.regex
        found: list[Entity] = []
        for header in event.headers:
            name, colon, value = header.partition(":")
            if colon and _matches(regex, name):
                found.append(
                    Entity(
                        HEADER_SCHEMA,
                        {"name": name.strip(_JAVA_TRIM), "value": value.strip(_JAVA_TRIM)},
                    )
                )
        return found or None
