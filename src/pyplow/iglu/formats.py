"""String formats checked during validation, shared by the fast and the complete validator.

Both validators get exactly these checkers so they agree on every verdict. Covered: the draft-4
formats (``date-time``, ``email``, ``hostname``, ``ipv4``, ``ipv6``, ``uri``) plus ``date`` and
``uuid``, which Iglu schemas use. Unknown format names are not checked. Each checker accepts any
JSON value and only judges strings.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date
from typing import Any

__all__ = ["FORMAT_CHECKERS", "is_date", "is_date_time"]

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATE_TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))",
    re.ASCII,
)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*", re.ASCII)
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", re.ASCII)


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def is_date(value: Any) -> bool:
    """``YYYY-MM-DD`` naming a real calendar day."""
    if not isinstance(value, str):
        return True
    m = _DATE_RE.fullmatch(value)
    return m is not None and _valid_date(m[1], m[2], m[3])


def is_date_time(value: Any) -> bool:
    """An RFC 3339 timestamp: date, ``T``, time (leap second allowed), and a zone."""
    if not isinstance(value, str):
        return True
    m = _DATE_TIME_RE.fullmatch(value)
    if m is None or not _valid_date(m[1], m[2], m[3]):
        return False
    hour, minute, second = int(m[4]), int(m[5]), int(m[6])
    if hour > 23 or minute > 59 or second > 60:
        return False
    return m[7] is None or (int(m[7]) <= 23 and int(m[8]) <= 59)


def is_email(value: Any) -> bool:
    """Something ``@`` something, without whitespace."""
    return not isinstance(value, str) or _EMAIL_RE.fullmatch(value) is not None


def is_hostname(value: Any) -> bool:
    """An RFC 1123 host name: dot-separated labels of letters/digits/hyphens, 253 chars max."""
    if not isinstance(value, str):
        return True
    if not value or len(value) > 253:
        return False
    return all(_LABEL_RE.fullmatch(label) for label in value.split("."))


def is_ipv4(value: Any) -> bool:
    """A dotted-quad IPv4 address."""
    if not isinstance(value, str):
        return True
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value: Any) -> bool:
    """An IPv6 address (no zone index)."""
    if not isinstance(value, str):
        return True
    if "%" in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def is_uri(value: Any) -> bool:
    """An absolute URI: a scheme, ``:``, then no whitespace or control characters."""
    return not isinstance(value, str) or _URI_RE.fullmatch(value) is not None


def is_uuid(value: Any) -> bool:
    """A UUID in its canonical 8-4-4-4-12 hexadecimal form."""
    return not isinstance(value, str) or _UUID_RE.fullmatch(value) is not None


#: Format name → checker, handed to both validators.
FORMAT_CHECKERS: dict[str, Callable[[Any], bool]] = {
    "date": is_date,
    "date-time": is_date_time,
    "email": is_email,
    "hostname": is_hostname,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "uri": is_uri,
    "uuid": is_uuid,
}
