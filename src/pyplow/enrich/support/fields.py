"""Atomic event fields in the forms enrichments exchange with the outside.

Enrich keeps an event's atomic fields in a Java bean; scripts, SQL statements and URI
templates see them in Java's forms. pyplow holds them typed (see ``pyplow.event``), so this
module converts in both directions:

- ``field_text``: the text Java's ``toString`` gives (URI templates, API inputs): integers in
  decimal, decimals with their scale, floats like ``Float.toString``, booleans ``1``/``0``
  (Enrich stores them as bytes), timestamps ``yyyy-MM-dd HH:mm:ss.SSS``;
- ``field_to_script``: a JSON-ready value (JavaScript enrichment, Python functions' ``config``
  side): ints and floats as numbers, booleans as the numbers 1/0, decimals and timestamps as
  the strings above;
- ``field_from_script``: a value a script set, converted back to the field's type, or a
  ``FieldValueError`` saying what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import msgspec

from pyplow.event.fields import FIELDS, Kind
from pyplow.event.values import (
    format_java_float,
    format_timestamp,
    parse_decimal,
    parse_timestamp,
    parse_uuid,
)

__all__ = [
    "ATOMIC_KINDS",
    "FieldValueError",
    "field_from_script",
    "field_text",
    "field_to_script",
]

#: Atomic (non-JSON) field name → kind.
ATOMIC_KINDS: Final[dict[str, Kind]] = {
    f.name: f.kind for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)
}

_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1


class FieldValueError(msgspec.Struct, frozen=True):
    """A value that does not fit a field's type; ``message`` says which and why."""

    message: str


def field_text(kind: Kind, value: Any) -> str | None:
    """Java's text of a typed field value (None for unset or empty)."""
    if value is None:
        return None
    if kind is Kind.STR or kind is Kind.UUID:
        return str(value) if value != "" else None
    if kind is Kind.TS and isinstance(value, datetime):
        return format_timestamp(value)
    if kind is Kind.BOOL:
        return "1" if value else "0"
    if kind is Kind.FLOAT and isinstance(value, float):
        return format_java_float(value)
    return str(value)


def field_to_script(kind: Kind, value: Any) -> Any:
    """A JSON value for a typed field value (see the module docstring)."""
    if value is None:
        return None
    if kind is Kind.TS and isinstance(value, datetime):
        return format_timestamp(value)
    if kind is Kind.DEC:
        return str(value)
    if kind is Kind.BOOL:
        return 1 if value else 0
    return value


def _to_int(name: str, value: Any) -> int | FieldValueError:
    number: Any = value
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and _INT_MIN <= number <= _INT_MAX:
        return number
    return FieldValueError(f"{name}: {value!r} is not a 32-bit integer")


def _to_decimal(name: str, value: Any) -> Decimal | FieldValueError:
    if isinstance(value, str):
        parsed = parse_decimal(value.strip())
        if parsed is not None:
            return parsed
    elif isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        try:
            return Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a finite float parses
            pass
    return FieldValueError(f"{name}: {value!r} is not a decimal number")


def _to_float(name: str, value: Any) -> float | FieldValueError:
    number: Any = None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    if isinstance(number, float) and math.isfinite(number):
        return number
    return FieldValueError(f"{name}: {value!r} is not a finite number")


def _to_bool(name: str, value: Any) -> bool | FieldValueError:
    if isinstance(value, bool):
        return value
    if value in (1, 0, "1", "0", "true", "false"):
        return value in (1, "1", "true")
    return FieldValueError(f"{name}: {value!r} is not a boolean (expected 1, 0, true or false)")


def _to_timestamp(name: str, value: Any) -> datetime | FieldValueError:
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is not None:
            return parsed
    return FieldValueError(f"{name}: {value!r} is not a timestamp 'yyyy-MM-dd HH:mm:ss.SSS'")


def _to_uuid(name: str, value: Any) -> str | FieldValueError:
    if isinstance(value, str) and parse_uuid(value) is not None:
        return value
    return FieldValueError(f"{name}: {value!r} is not a UUID")


def _to_str(name: str, value: Any) -> str | FieldValueError:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        # A JavaScript number such as 42 arrives as 42.0; Nashorn would pass "42".
        return str(int(value)) if value.is_integer() else repr(value)
    return FieldValueError(f"{name}: {value!r} is not a string")


_CONVERTERS: Final[dict[Kind, Callable[[str, Any], Any]]] = {
    Kind.STR: _to_str,
    Kind.INT: _to_int,
    Kind.DEC: _to_decimal,
    Kind.FLOAT: _to_float,
    Kind.BOOL: _to_bool,
    Kind.TS: _to_timestamp,
    Kind.UUID: _to_uuid,
}


def field_from_script(name: str, value: Any) -> Any:
    """``value`` converted to field ``name``'s type; None unsets; a ``FieldValueError`` if bad."""
    kind = ATOMIC_KINDS.get(name)
    if kind is None:
        return FieldValueError(f"{name}: not an atomic field of the enriched event")
    if value is None:
        return None
    return _CONVERTERS[kind](name, value)
