"""Text forms of the scalar values of an enriched event, as Enrich writes them.

Parsers take a non-empty field text and return the typed value, or ``None`` when the text is not
a valid value of that kind (the caller turns that into a typed error). They accept what the Scala
Analytics SDK accepts for data Enrich can produce, and are a little stricter at the edges:
``NaN``/``Infinity``, hexadecimal floats, Java's ``d``/``f`` suffixes and non-canonical UUID
spellings are rejected.

Formatters produce Enrich's output:

- timestamps ``yyyy-MM-dd HH:mm:ss.SSS`` in UTC. Two extensions keep round trips exact: a
  :class:`WholeSecondTimestamp` (what the parser returns for ``2013-11-26 00:02:05``, a form old
  Snowplow versions wrote) is written back without fractional digits, and a datetime with
  sub-millisecond precision is written with 6 digits instead of being truncated;
- decimals like Java ``BigDecimal.toString`` (Python's ``str(Decimal)`` implements the same
  "to-scientific-string" rule: plain unless the exponent is positive or the adjusted exponent is
  below -6, e.g. ``12.50``, ``1E+3``, ``1.5E-7``);
- floats like Java ``Float/Double.toString``: shortest round-trip digits, plain notation with at
  least one fractional digit for ``1e-3 <= |x| < 1e7`` (``37.0``), otherwise ``1.0E-5`` style.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, TypeVar

import msgspec

__all__ = [
    "InvalidTextError",
    "WholeSecondTimestamp",
    "format_bool",
    "format_instant",
    "format_java_float",
    "format_timestamp",
    "parse_bool",
    "parse_bool_fast",
    "parse_decimal",
    "parse_float",
    "parse_int",
    "parse_int_memo",
    "parse_timestamp",
    "parse_uuid",
    "strict_bool",
    "strict_decimal",
    "strict_float",
    "strict_float_memo",
    "strict_int",
    "strict_timestamp",
    "strict_uuid",
]


class WholeSecondTimestamp(datetime):
    """A UTC timestamp that was written without fractional seconds (``2013-11-26 00:02:05``).

    It compares and hashes equal to the plain ``datetime`` of the same instant; the only
    difference is that :func:`format_timestamp` writes it back without ``.SSS``, so rows produced
    by old Snowplow versions re-encode byte for byte. Build one with ``WholeSecondTimestamp(y, m,
    d, H, M, S, tzinfo=UTC)``.
    """

    __slots__ = ()


_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1

_FROM_ISO: Final = datetime.fromisoformat
_TS_ANY: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
)
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


class InvalidTextError(ValueError):
    """Raised by the ``strict_*`` parsers: the text is not a valid value of its kind.

    The ``strict_*`` parsers are the ``parse_*`` ones for hot loops (the TSV decoder): a valid
    value costs no ``None`` check at the call site, and an invalid one ends the whole row's fast
    path at once. ``parse_*`` wrap them and return ``None`` instead.
    """


def parse_timestamp(text: str) -> datetime | None:
    """``yyyy-MM-dd HH:mm:ss[.f{1,9}]`` as a UTC datetime (digits past microseconds dropped)."""
    try:
        return strict_timestamp(text)
    except InvalidTextError:
        return None


def strict_timestamp(text: str) -> datetime:
    """:func:`parse_timestamp` raising :class:`InvalidTextError` for an invalid text."""
    if text[4:20:3] == "-- ::." and len(text) == 23:
        # The form Enrich writes (separators at 4, 7, 10, 13, 16 and 19): fromisoformat
        # checks the digits (ASCII only: it reads UTF-8 bytes) and the calendar.
        try:
            return _FROM_ISO(text + "Z")
        except ValueError:
            pass
    m = _TS_ANY.fullmatch(text)
    if m is None:
        raise InvalidTextError(text)
    year, month, day, hour, minute, second, fraction = m.groups()
    try:
        if fraction is None:
            return WholeSecondTimestamp(
                int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
        micros = int((fraction + "00000")[:6])
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros, UTC
        )
    except ValueError:
        raise InvalidTextError(text) from None


def _as_utc(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"timestamp {value!r} is naive; expected a timezone-aware UTC datetime")
    if offset:
        return value.astimezone(UTC)
    return value


_ENCODE_JSON: Final = msgspec.json.Encoder().encode
_SECONDS_FORMAT: Final = "%04d-%02d-%02d %02d:%02d:%02d"
_MILLIS_FORMAT: Final = "%04d-%02d-%02d %02d:%02d:%02d.%03d"
_MICROS_FORMAT: Final = "%04d-%02d-%02d %02d:%02d:%02d.%06d"


def format_timestamp(value: datetime) -> str:
    """The TSV form: ``yyyy-MM-dd HH:mm:ss.SSS`` (see the module docstring for the extensions).

    Raises ``ValueError`` for a naive datetime (a programmer error: the model holds UTC).
    """
    if value.__class__ is datetime and value.tzinfo is UTC:
        micros = value.microsecond
        if micros and not micros % 1000:
            # The usual case (Enrich's millisecond timestamps): msgspec writes the RFC 3339
            # form with 6 fractional digits in C, three times faster than %-formatting.
            return _ENCODE_JSON(value).decode()[1:24].replace("T", " ")
    elif value.tzinfo is not UTC:
        value = _as_utc(value)
    micros = value.microsecond
    parts = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    if micros % 1000:
        return _MICROS_FORMAT % (*parts, micros)
    if micros == 0 and isinstance(value, WholeSecondTimestamp):
        return _SECONDS_FORMAT % parts
    return _MILLIS_FORMAT % (*parts, micros // 1000)


def format_instant(value: datetime) -> str:
    """Java ``Instant.toString``: ``2013-11-26T00:02:05Z``, ``...:57.885Z``, ``...:57.885123Z``."""
    if value.tzinfo is not UTC:
        value = _as_utc(value)
    micros = value.microsecond
    if micros == 0:
        return value.isoformat("T", "seconds")[:19] + "Z"
    if micros % 1000 == 0:
        return value.isoformat("T", "milliseconds")[:23] + "Z"
    return value.isoformat("T", "microseconds")[:26] + "Z"


def parse_int(text: str) -> int | None:
    """A 32-bit signed decimal integer (Java ``Integer.parseInt`` rules, ASCII digits only)."""
    if not text.isascii():
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not digits.isdigit():
        return None
    value = int(text)
    return value if _INT_MIN <= value <= _INT_MAX else None


_MEMO_MAX: Final = 16384
_Parsed = TypeVar("_Parsed")


class _Memo(dict[str, _Parsed]):
    """``parse`` results by text, at most ``_MEMO_MAX`` of them; its ``__getitem__`` is a
    C-level lookup for repeated values (integer fields repeat a lot: ports, screen sizes;
    geo-IP coordinates repeat by city). A text ``parse`` raises for is not kept."""

    def __init__(self, parse: Callable[[str], _Parsed]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, text: str) -> _Parsed:
        value = self._parse(text)
        if len(self) < _MEMO_MAX:
            self[text] = value
        return value


parse_int_memo: Final[Callable[[str], int | None]] = _Memo(parse_int).__getitem__
"""Same as :func:`parse_int`, memoised (bounded); a C-level lookup for repeated values."""


def _strict_int(text: str) -> int:
    value = parse_int(text)
    if value is None:
        raise InvalidTextError(text)
    return value


strict_int: Final[Callable[[str], int]] = _Memo(_strict_int).__getitem__
""":func:`parse_int` raising :class:`InvalidTextError`, memoised (bounded)."""

parse_bool_fast: Final[Callable[[str], bool | None]] = {"1": True, "0": False}.get
"""Same as :func:`parse_bool`, as a C-level dict lookup."""


class _Bools(dict[str, bool]):
    def __missing__(self, text: str) -> bool:
        raise InvalidTextError(text)


strict_bool: Final[Callable[[str], bool]] = _Bools({"1": True, "0": False}).__getitem__
""":func:`parse_bool` raising :class:`InvalidTextError`, as a C-level dict lookup."""


def parse_decimal(text: str) -> Decimal | None:
    """A decimal number with its scale kept (``12.50`` stays ``12.50``)."""
    if _DECIMAL.fullmatch(text) is None:
        return None
    return Decimal(text)


def strict_decimal(text: str) -> Decimal:
    """:func:`parse_decimal` raising :class:`InvalidTextError`."""
    if _DECIMAL.fullmatch(text) is None:
        raise InvalidTextError(text)
    return Decimal(text)


def parse_float(text: str) -> float | None:
    """A finite decimal floating-point number."""
    try:
        return strict_float(text)
    except InvalidTextError:
        return None


def strict_float(text: str) -> float:
    """:func:`parse_float` raising :class:`InvalidTextError`.

    ``float()`` reads exactly the decimal syntax wanted here, once the forms it accepts beyond
    it are ruled out: non-ASCII digits, ``_`` separators, surrounding whitespace (every ASCII
    character up to the space) and the non-finite spellings (``nan``, ``inf``, ``infinity``).
    """
    try:
        value = float(text)
    except ValueError:
        raise InvalidTextError(text) from None
    if (
        text.isascii()
        and "_" not in text
        and text[0] > " "
        and text[-1] > " "
        and math.isfinite(value)
    ):
        return value
    raise InvalidTextError(text)


strict_float_memo: Final[Callable[[str], float]] = _Memo(strict_float).__getitem__
""":func:`strict_float`, memoised (bounded); a C-level lookup for repeated values."""


def parse_bool(text: str) -> bool | None:
    """``1`` → ``True``, ``0`` → ``False``, anything else is invalid."""
    if text == "1":
        return True
    if text == "0":
        return False
    return None


def parse_uuid(text: str) -> str | None:
    """A UUID in 8-4-4-4-12 hexadecimal form, kept as written."""
    return text if _UUID.fullmatch(text) is not None else None


def strict_uuid(text: str) -> str:
    """:func:`parse_uuid` raising :class:`InvalidTextError`."""
    if _UUID.fullmatch(text) is None:
        raise InvalidTextError(text)
    return text


def format_bool(value: bool) -> str:
    """``1`` / ``0``."""
    return "1" if value else "0"


def format_java_float(value: float) -> str:
    """Render a float the way Java's ``Double.toString`` / ``Float.toString`` does."""
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        return repr(value)  # Python's repr is plain (with a fractional digit) in this range
    _, digit_tuple, exponent = Decimal(repr(magnitude)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    scientific_exponent = exponent + len(digit_tuple) - 1
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{scientific_exponent}"
