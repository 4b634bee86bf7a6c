"""Lenient base64, as Enrich decodes ``ue_px`` / ``cx`` (Apache commons-codec rules).

Decoding accepts the URL-safe and the standard alphabet (even mixed), padded or unpadded
input, and silently skips every character outside the alphabet (whitespace, line breaks,
stray punctuation, non-ASCII). The first ``=`` ends the data. A final group of a single
character (6 bits, not a whole byte) is dropped. Decoding bytes therefore never fails.

Reading the bytes as text: Enrich uses Java's UTF-8 decoder, which replaces malformed
sequences with U+FFFD instead of failing. ``decode_base64_text`` does the same by default;
with ``strict=True`` invalid UTF-8 is reported as a ``Base64TextError`` instead.

Encoding (needed when the redirect adapter rewrites a ``cx``) follows Enrich too: URL-safe
alphabet, no padding, and — because Enrich's encoder is commons-codec's MIME-style one —
lines of 76 characters separated by CRLF when ``chunked=True``.
"""

from __future__ import annotations

import base64 as _stdlib_base64
import binascii
import re
from typing import Final

import msgspec
import pybase64

__all__ = [
    "Base64TextError",
    "decode_base64",
    "decode_base64_text",
    "encode_base64url",
]

# Everything that is not part of either alphabet and not '=' is noise to be skipped.
_NOISE: Final = re.compile(r"[^A-Za-z0-9+/\-_=]+")
_CLEAN: Final = re.compile(r"[A-Za-z0-9+/\-_]*=*")
_TO_STANDARD: Final = str.maketrans("-_", "+/")
_LINE: Final = 76
_PADDING: Final = ("", "", "==", "=")


class Base64TextError(msgspec.Struct, frozen=True):
    """Base64 input whose decoded bytes are not valid UTF-8 (only with ``strict=True``)."""

    value: str
    message: str


def decode_base64(value: str) -> bytes:
    """Decode leniently; never fails (see the module docstring for the rules)."""
    if len(value) % 4 != 1 and "=" not in value and "+" not in value and "/" not in value:
        # What trackers send: URL-safe, unpadded, nothing else. pybase64's SIMD decoder with
        # validation on either proves that and decodes it, or refuses and the rules below
        # apply (a standard alphabet, padding, noise, a dangling 6-bit group).
        try:
            return pybase64.b64decode(value + _PADDING[len(value) % 4], b"-_", validate=True)
        except (binascii.Error, ValueError):
            pass
    return _decode_lenient(value)


def _decode_lenient(value: str) -> bytes:
    if not _CLEAN.fullmatch(value):
        value = _NOISE.sub("", value)
    end = value.find("=")
    if end >= 0:
        value = value[:end]
    value = value.translate(_TO_STANDARD)
    extra = len(value) % 4
    if extra == 1:  # 6 leftover bits: not a byte, dropped
        value = value[:-1]
        extra = 0
    if extra:
        value += "=" * (4 - extra)
    return binascii.a2b_base64(value)


def decode_base64_text(value: str, *, strict: bool = False) -> str | Base64TextError:
    """Decode leniently and read the bytes as UTF-8.

    By default malformed UTF-8 becomes U+FFFD, as in Enrich. With ``strict=True`` it is an
    error value instead.
    """
    raw = decode_base64(value)
    if not strict:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Base64TextError(
            value,
            f"decoded bytes are not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); expected UTF-8 text",
        )


def encode_base64url(data: bytes | str, *, chunked: bool = False) -> str:
    """URL-safe base64 without padding; strings are encoded as UTF-8 first.

    ``chunked=True`` reproduces Enrich's re-encoding exactly: CRLF after every 76 characters
    (none at the end).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    text = _stdlib_base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    if chunked and len(text) > _LINE:
        text = "\r\n".join(text[i : i + _LINE] for i in range(0, len(text), _LINE))
    return text
