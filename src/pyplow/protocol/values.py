"""Conversions of tracker-parameter strings into enriched values, as Enrich performs them.

Every function is pure and total: it returns the converted value, or a ``ConversionError``
saying which value was wrong and what was expected. Messages follow Enrich's wording where
it is known, so they can go straight into an ``atomic_field_parse_error`` report.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Final

import msgspec

from pyplow.protocol.parameters import EVENT_CODES, PLATFORMS, EventCode

__all__ = [
    "ConversionError",
    "extract_ip",
    "iso_millis",
    "parse_bool",
    "parse_decimal",
    "parse_dims",
    "parse_event_code",
    "parse_int32",
    "parse_platform",
    "parse_timestamp",
    "parse_uuid",
    "tsv_safe",
]


class ConversionError(msgspec.Struct, frozen=True):
    """A parameter value that could not be converted: the value and what was expected."""

    value: str
    message: str


# --- strings ----------------------------------------------------------------------------------

# TAB → four spaces, then every ASCII control character (Java's \p{Cntrl}: U+0000-U+001F and
# U+007F) removed. One translate table does both, since the spaces are not control chars.
_TSV_TABLE: Final[dict[int, str | None]] = dict.fromkeys((*range(32), 127))
_TSV_TABLE[0x09] = "    "


def tsv_safe(value: str) -> str | None:
    """Make a string safe for the enriched TSV; an empty result becomes None."""
    cleaned = value.translate(_TSV_TABLE)
    return cleaned or None


_IP_CUT: Final = re.compile(r"[,| ]")


def extract_ip(value: str) -> str | None:
    """The ``ip`` parameter rule: keep the part before the first ``,``, ``|`` or space.

    (For a value made only of separators Enrich's own code fails with an exception; here the
    result is simply None.)
    """
    return tsv_safe(_IP_CUT.split(value, maxsplit=1)[0])


# --- numbers ----------------------------------------------------------------------------------

# Java's Integer.parseInt/BigDecimal accept any Unicode decimal digit, as does Python's int();
# the patterns reject what Python would accept but Java would not (spaces, underscores).
_INT_RE: Final = re.compile(r"[+-]?\d+")
_DEC_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_JAVA_INT_MAX: Final = 2**31 - 1
# Largest number of integer digits a decimal with an exponent may expand to. Java would try to
# build any size; beyond this the value is refused rather than expanded (a guard, not a fact).
_MAX_DECIMAL_DIGITS: Final = 10_000


def parse_int32(value: str) -> int | ConversionError | None:
    """A 32-bit signed integer; the literal ``null`` (any case) gives None."""
    if value.lower() == "null":
        return None
    if _INT_RE.fullmatch(value):
        number = int(value)
        if _INT32_MIN <= number <= _INT32_MAX:
            return number
    return ConversionError(value, "Cannot be converted to java.lang.Integer")


def parse_decimal(value: str) -> Decimal | ConversionError | None:
    """An arbitrary-precision decimal, scale kept as sent; a negative scale (positive exponent)
    is normalised to 0 so the value never prints in exponent form. ``null`` gives None."""
    if value.lower() == "null":
        return None
    if not _DEC_RE.fullmatch(value):
        return ConversionError(
            value, "Cannot be converted to java.math.BigDecimal: not a decimal number"
        )
    number = Decimal(value)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite by construction of _DEC_RE
    if abs(exponent) > _JAVA_INT_MAX:
        return ConversionError(value, "Cannot be converted to java.math.BigDecimal: scale overflow")
    if exponent > 0:
        digits = len(number.as_tuple().digits) + exponent
        if digits > _MAX_DECIMAL_DIGITS:
            return ConversionError(
                value,
                "Cannot be converted to java.math.BigDecimal: more than "
                f"{_MAX_DECIMAL_DIGITS} integer digits",
            )
        try:
            number = number.quantize(Decimal(1), context=Context(prec=digits + 1))
        except InvalidOperation:  # pragma: no cover - precision is always sufficient
            return ConversionError(value, "Cannot be converted to java.math.BigDecimal")
    return number


def parse_bool(value: str) -> bool | ConversionError:
    """Only ``"1"`` (True) and ``"0"`` (False)."""
    if value == "1":
        return True
    if value == "0":
        return False
    return ConversionError(value, "Cannot be converted to Boolean-like java.lang.Byte")


# --- timestamps -------------------------------------------------------------------------------

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_JAVA_LONG_MIN, _JAVA_LONG_MAX = -(2**63), 2**63 - 1
# Enrich accepts years 0..9999. Python's datetime cannot hold year 0 (1 BC), so the first
# millisecond pyplow accepts is 0001-01-01T00:00:00.000Z: timestamps in year 0 are reported
# as out of range, the one place where pyplow is stricter than Enrich.
_MIN_MS: Final = -62_135_596_800_000  # 0001-01-01 00:00:00.000 UTC
_MAX_MS: Final = 253_402_300_799_999  # 9999-12-31 23:59:59.999 UTC


def _civil_from_ms(ms: int) -> tuple[int, int, int, int, int, int, int]:
    """(year, month, day, hour, minute, second, millisecond) of any ms offset, proleptic
    Gregorian with a year 0, like Joda's ISO chronology (used for out-of-range messages)."""
    days, rem = divmod(ms, 86_400_000)
    hour, rem = divmod(rem, 3_600_000)
    minute, rem = divmod(rem, 60_000)
    second, milli = divmod(rem, 1000)
    # Days → civil date, counting in 400-year eras that start on 0000-03-01.
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day, hour, minute, second, milli


def _joda_format(ms: int, sep: str = " ", suffix: str = "") -> str:
    y, mo, d, h, mi, s, milli = _civil_from_ms(ms)
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{year}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}.{milli:03d}{suffix}"


def iso_millis(ms: int) -> str:
    """An epoch-millisecond instant as bad rows print it: ``2020-05-07T16:14:05.976Z``."""
    return _joda_format(ms, "T", "Z")


def parse_timestamp(value: str) -> dt.datetime | ConversionError:
    """Milliseconds since the epoch → timezone-aware UTC datetime, years 1..9999."""
    if _INT_RE.fullmatch(value):
        ms = int(value)
        if _MIN_MS <= ms <= _MAX_MS:
            return _EPOCH + dt.timedelta(milliseconds=ms)
        if _JAVA_LONG_MIN <= ms <= _JAVA_LONG_MAX:
            formatted = _joda_format(ms)
            if formatted.startswith("0000-"):  # valid for Enrich, see _MIN_MS
                return ConversionError(
                    value, f"Formatting as {formatted}: year 0 is outside pyplow's range 1..9999"
                )
            return ConversionError(value, f"Formatting as {formatted} is not Redshift-compatible")
    return ConversionError(value, "Not in the expected format: ms since epoch")


# --- identifiers and codes --------------------------------------------------------------------

_UUID_RE: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII
)


def parse_uuid(value: str) -> str | ConversionError:
    """A UUID (any version) whose canonical rendering equals the input lower-cased; the
    lower-cased form is returned (braces, URNs and short forms are refused)."""
    lowered = value.lower()
    if _UUID_RE.fullmatch(lowered):
        return lowered
    return ConversionError(value, "Not a valid UUID")


_DIMS_RE: Final = re.compile(r"([0-9]+)x([0-9]+)")


def parse_dims(value: str) -> tuple[int, int] | ConversionError:
    """``<digits>x<digits>`` → (width, height), each a 32-bit integer."""
    match = _DIMS_RE.fullmatch(value)
    if match is None:
        return ConversionError(value, r"Does not conform to regex (\d+)x(\d+)")
    width, height = int(match[1]), int(match[2])
    if width > _INT32_MAX or height > _INT32_MAX:
        return ConversionError(value, "Could not be converted to java.lang.Integer s")
    return width, height


def parse_platform(value: str) -> str | ConversionError:
    """One of the platform codes (``web``, ``mob``, ``pc``, ``srv``, ``app``, ``tv``, …)."""
    if value in PLATFORMS:
        return value
    return ConversionError(value, "Not a valid platform")


def parse_event_code(value: str) -> EventCode | ConversionError:
    """One of the event codes (``pv``, ``pp``, ``se``, ``ev``, ``ue``, ``tr``, ``ti``, ``ad``)."""
    code = EVENT_CODES.get(value)
    if code is None:
        return ConversionError(value, "Not a valid event type")
    return code
