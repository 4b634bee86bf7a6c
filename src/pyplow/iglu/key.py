"""Iglu schema addressing: SchemaVer, SchemaKey, SchemaCriterion and their parse errors.

An Iglu URI names one schema version:
``iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>``.
Vendors may contain letters, digits, ``-``, ``_`` and ``.``; names and formats the same without
``.``. SchemaVer parts are non-negative integers without leading zeros, and the model starts at 1
(``0-x-x`` is not a valid SchemaVer). A criterion replaces trailing parts with ``*``
(``1-*-*``, ``1-0-*``) to match a family of versions.

Parsing never raises: malformed input comes back as an :class:`IgluParseError` value carrying the
code Snowplow puts into ``NotIglu`` failures (``INVALID_IGLUURI``, ``INVALID_SCHEMAVER``, ...).
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import Any

import msgspec

__all__ = [
    "IgluParseError",
    "ParseErrorCode",
    "SchemaCriterion",
    "SchemaKey",
    "SchemaVer",
]


class ParseErrorCode(StrEnum):
    """The Iglu core parse error codes, as they appear in Snowplow bad rows."""

    INVALID_SCHEMAVER = "INVALID_SCHEMAVER"
    INVALID_IGLUURI = "INVALID_IGLUURI"
    INVALID_DATA_PAYLOAD = "INVALID_DATA_PAYLOAD"
    INVALID_SCHEMA = "INVALID_SCHEMA"
    INVALID_METASCHEMA = "INVALID_METASCHEMA"


class IgluParseError(msgspec.Struct, frozen=True, kw_only=True):
    """A value that is not valid Iglu: ``code`` is Snowplow's code, ``message`` explains it."""

    code: ParseErrorCode
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


_PART = r"(?:0|[1-9][0-9]*)"
_SCHEMAVER_RE = re.compile(rf"([1-9][0-9]*)-({_PART})-({_PART})")
_CRITERION_VER_RE = re.compile(rf"([1-9][0-9]*|\*)-({_PART}|\*)-({_PART}|\*)")
_VENDOR_RE = re.compile(r"[a-zA-Z0-9_.\-]+")
_NAME_RE = re.compile(r"[a-zA-Z0-9_\-]+")
_MAX_SHOWN = 120


def _show(value: object) -> str:
    """A short printable rendering of a bad value for error messages."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


class SchemaVer(msgspec.Struct, frozen=True, order=True):
    """A full SchemaVer ``MODEL-REVISION-ADDITION``; ordering compares the parts in that order."""

    model: int
    revision: int
    addition: int

    @staticmethod
    def parse(text: str) -> SchemaVer | IgluParseError:
        """Parse ``"1-0-2"``; anything else becomes an ``INVALID_SCHEMAVER`` error."""
        match = _SCHEMAVER_RE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            return IgluParseError(
                code=ParseErrorCode.INVALID_SCHEMAVER,
                message=(
                    f"invalid SchemaVer {_show(text)}: expected MODEL-REVISION-ADDITION, "
                    "non-negative integers without leading zeros and MODEL >= 1, e.g. 1-0-0"
                ),
            )
        return SchemaVer(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.model}-{self.revision}-{self.addition}"


class SchemaKey(msgspec.Struct, frozen=True, order=True):
    """The address of one schema: ``iglu:vendor/name/format/version``."""

    vendor: str
    name: str
    format: str
    version: SchemaVer

    @staticmethod
    def parse(uri: str) -> SchemaKey | IgluParseError:
        """Parse an Iglu URI; a malformed URI or version becomes an :class:`IgluParseError`.

        Results are cached (both kinds are immutable): events repeat the same few schemas.
        """
        if type(uri) is str:
            return _parse_key_cached(uri)
        return _parse_key(uri)  # a non-string gives its own error (never cached)

    @staticmethod
    def _parse_uncached(uri: str) -> SchemaKey | IgluParseError:
        parts = _split_uri(uri)
        if isinstance(parts, IgluParseError):
            return parts
        vendor, name, fmt, ver = parts
        version = SchemaVer.parse(ver)
        if isinstance(version, IgluParseError):
            return IgluParseError(
                code=ParseErrorCode.INVALID_SCHEMAVER,
                message=f"invalid Iglu URI {_show(uri)}: {version.message}",
            )
        return SchemaKey(vendor, name, fmt, version)

    @staticmethod
    def from_path(path: str) -> SchemaKey | IgluParseError:
        """Parse a registry path ``vendor/name/format/m-r-a`` (an Iglu URI without ``iglu:``)."""
        return SchemaKey.parse("iglu:" + path if isinstance(path, str) else path)

    def to_uri(self) -> str:
        return f"iglu:{self.to_path()}"

    def to_path(self) -> str:
        return f"{self.vendor}/{self.name}/{self.format}/{self.version}"

    def with_version(self, version: SchemaVer) -> SchemaKey:
        return SchemaKey(self.vendor, self.name, self.format, version)

    def __str__(self) -> str:
        return self.to_uri()


def _parse_key(uri: Any) -> SchemaKey | IgluParseError:
    return SchemaKey._parse_uncached(uri)


_parse_key_cached = functools.lru_cache(maxsize=8192)(_parse_key)


class SchemaCriterion(msgspec.Struct, frozen=True):
    """A version pattern such as ``iglu:com.acme/event/jsonschema/1-*-*``; ``None`` means ``*``."""

    vendor: str
    name: str
    format: str
    model: int | None
    revision: int | None = None
    addition: int | None = None

    @staticmethod
    def parse(uri: str) -> SchemaCriterion | IgluParseError:
        """Parse a criterion URI (parts may be ``*``); errors use ``INVALID_IGLUURI``."""
        parts = _split_uri(uri)
        if isinstance(parts, IgluParseError):
            return parts
        vendor, name, fmt, ver = parts
        match = _CRITERION_VER_RE.fullmatch(ver)
        if match is None:
            return IgluParseError(
                code=ParseErrorCode.INVALID_SCHEMAVER,
                message=(
                    f"invalid schema criterion {_show(uri)}: version part {ver!r} is not "
                    "MODEL-REVISION-ADDITION with integers or '*', e.g. 1-*-*"
                ),
            )
        model, revision, addition = (None if p == "*" else int(p) for p in match.groups())
        return SchemaCriterion(vendor, name, fmt, model, revision, addition)

    def matches(self, key: SchemaKey) -> bool:
        """Whether ``key`` has this vendor/name/format and a version fitting the pattern."""
        ver = key.version
        return (
            key.vendor == self.vendor
            and key.name == self.name
            and key.format == self.format
            and (self.model is None or self.model == ver.model)
            and (self.revision is None or self.revision == ver.revision)
            and (self.addition is None or self.addition == ver.addition)
        )

    def to_uri(self) -> str:
        parts = (self.model, self.revision, self.addition)
        ver = "-".join("*" if p is None else str(p) for p in parts)
        return f"iglu:{self.vendor}/{self.name}/{self.format}/{ver}"

    def __str__(self) -> str:
        return self.to_uri()


def _split_uri(uri: Any) -> tuple[str, str, str, str] | IgluParseError:
    """Split ``iglu:v/n/f/ver`` into its four parts, checking the characters of the first three."""
    if not isinstance(uri, str):
        return IgluParseError(
            code=ParseErrorCode.INVALID_IGLUURI,
            message=f"expected an Iglu URI string, got {type(uri).__name__} {_show(uri)}",
        )
    expected = "expected iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>"
    if not uri.startswith("iglu:"):
        return IgluParseError(
            code=ParseErrorCode.INVALID_IGLUURI,
            message=f"invalid Iglu URI {_show(uri)}: it does not start with 'iglu:'; {expected}",
        )
    pieces = uri[5:].split("/")
    if len(pieces) != 4:
        return IgluParseError(
            code=ParseErrorCode.INVALID_IGLUURI,
            message=f"invalid Iglu URI {_show(uri)}: {len(pieces)} '/'-separated parts; {expected}",
        )
    vendor, name, fmt, ver = pieces
    for label, value, pattern in (
        ("vendor", vendor, _VENDOR_RE),
        ("name", name, _NAME_RE),
        ("format", fmt, _NAME_RE),
    ):
        if pattern.fullmatch(value) is None:
            allowed = "letters, digits, '-', '_'" + (" and '.'" if label == "vendor" else "")
            return IgluParseError(
                code=ParseErrorCode.INVALID_IGLUURI,
                message=(
                    f"invalid Iglu URI {_show(uri)}: {label} {value!r} must be non-empty "
                    f"and use only {allowed}"
                ),
            )
    return vendor, name, fmt, ver
