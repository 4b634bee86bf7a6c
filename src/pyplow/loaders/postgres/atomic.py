"""``atomic.events`` rows for COPY, and the check that explains a row PostgreSQL refused.

:func:`event_row` is the row: the 128 column values straight from the event, then
``load_tstamp`` (the loader writes it as COPY text with
:func:`~pyplow.loaders.postgres.atomic_text.event_line`, or lets psycopg adapt it when a value
has no text there). Enrich only emits events that fit the columns (they are sized from its
limits), so the COPY normally succeeds; when it does not, :func:`atomic_problem` finds which
events are at fault, so that they alone become bad rows.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import msgspec

from pyplow.event import EnrichedEvent, Field, Kind
from pyplow.loaders.postgres.ddl import ATOMIC_FIELDS, events_column_types

__all__ = ["EVENT_COLUMNS", "atomic_problem", "event_row"]

EVENT_COLUMNS: Final[tuple[str, ...]] = tuple(name for name, _ in events_column_types())
"""``atomic.events`` column names in table order (``load_tstamp`` last)."""

_PICK: Final[Callable[[tuple[Any, ...]], tuple[Any, ...]]] = operator.itemgetter(
    *(f.index for f in ATOMIC_FIELDS)
)
_INT32: Final = (-(2**31), 2**31 - 1)
_MONEY_LIMIT: Final = Decimal(10) ** 16  # dec(18,2): 16 digits before the point
_MONEY: Final = frozenset(f.name for f in ATOMIC_FIELDS if f.redshift_type == "dec(18,2)")


def event_row(event: EnrichedEvent, load_tstamp: datetime) -> tuple[Any, ...]:
    """The ``atomic.events`` row of ``event``: 128 values in TSV order, then ``load_tstamp``."""
    return (*_PICK(msgspec.structs.astuple(event)), load_tstamp)


def _field_problem(field: Field, value: Any) -> str | None:
    kind = field.kind
    if kind in (Kind.STR, Kind.UUID):
        if not isinstance(value, str):
            return f"{field.name}: {value!r} is not a string"
        limit = field.max_length
        if limit is not None and len(value) > limit:
            return f"{field.name}: {len(value)} characters, the column holds at most {limit}"
        if "\x00" in value:
            return f"{field.name}: {value!r} contains a NUL character, which PostgreSQL rejects"
    elif kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{field.name}: {value!r} is not an integer"
        if not _INT32[0] <= value <= _INT32[1]:
            return f"{field.name}: {value} is outside the 32-bit integer range"
    elif kind is Kind.DEC:
        if not isinstance(value, Decimal) or not value.is_finite():
            return f"{field.name}: {value!r} is not a finite decimal"
        if field.name in _MONEY and abs(value) >= _MONEY_LIMIT:
            return f"{field.name}: {value} does not fit dec(18,2) (at most 16 integer digits)"
    elif kind is Kind.FLOAT:
        if not isinstance(value, float | int) or not math.isfinite(value):
            return f"{field.name}: {value!r} is not a finite number"
    elif kind is Kind.TS and not isinstance(value, datetime):
        return f"{field.name}: {value!r} is not a timestamp"
    elif kind is Kind.BOOL and not isinstance(value, bool):
        return f"{field.name}: {value!r} is not a boolean"
    return None


def atomic_problem(event: EnrichedEvent) -> str | None:
    """Why ``atomic.events`` cannot hold ``event`` (which value, what was expected), or ``None``."""
    values = msgspec.structs.astuple(event)
    for field in ATOMIC_FIELDS:
        value = values[field.index]
        if value is None:
            if field.required:
                return f"{field.name}: missing, the column is NOT NULL"
            continue
        problem = _field_problem(field, value)
        if problem is not None:
            return problem
    return None
