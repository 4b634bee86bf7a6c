"""The atomic columns of the wide-row layout and their Arrow arrays.

``ATOMIC_COLUMNS`` are the 128 scalar fields of the enriched event in TSV order (the three JSON
fields become wide columns instead) followed by ``load_tstamp``, the time the loader stored the
event. Arrow types follow Snowplow's warehouse DDL:

- timestamps: ``timestamp[us, tz=UTC]`` (Enrich has milliseconds; microseconds lose nothing and
  are what DuckDB, Spark and Parquet readers use natively);
- integers: ``int32`` (Java ``Integer``); ``geo_latitude``/``geo_longitude`` and ``se_value``:
  ``float64`` (``double precision`` in Redshift); money (``tr_*``, ``ti_price``, ``*_base``):
  ``decimal128(18, 2)`` (``dec(18,2)``), rounded half-up to cents;
- ``br_features_*``, ``br_cookies``, ``dvce_ismobile``: ``bool``; everything else: ``string``.

A value that cannot be stored in its column (an integer outside int32, an amount beyond
``dec(18,2)``) is reported by :func:`atomic_failures` so the event becomes a bad row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]

from pyplow.event import FIELDS, Kind

__all__ = [
    "ATOMIC_COLUMNS",
    "ATOMIC_SCHEMA",
    "ATOMIC_SCHEMA_KEY",
    "LOAD_TSTAMP",
    "MONEY_COLUMNS",
    "TIMESTAMP_TYPE",
    "atomic_arrays",
    "atomic_failures",
]

#: The Iglu schema describing the atomic fields (named in failures about atomic values).
ATOMIC_SCHEMA_KEY: Final = "iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0"
LOAD_TSTAMP: Final = "load_tstamp"
TIMESTAMP_TYPE: Final = pa.timestamp("us", tz="UTC")
MONEY_TYPE: Final = pa.decimal128(18, 2)
_MONEY_LIMIT: Final = Decimal(10) ** 16
_CENT: Final = Decimal("0.01")
_INT32_MIN: Final = -(2**31)
_INT32_MAX: Final = 2**31 - 1

_BY_KIND: Final[dict[Kind, Any]] = {
    Kind.STR: pa.string(),
    Kind.UUID: pa.string(),
    Kind.INT: pa.int32(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOL: pa.bool_(),
    Kind.TS: TIMESTAMP_TYPE,
}


def _arrow_type(name: str, kind: Kind) -> pa.DataType:
    if kind is Kind.DEC:
        return pa.float64() if name == "se_value" else MONEY_TYPE
    return _BY_KIND[kind]


#: ``(name, Arrow type)`` of the 128 atomic columns in TSV order, then ``load_tstamp``.
ATOMIC_COLUMNS: Final[tuple[tuple[str, pa.DataType], ...]] = (
    *(
        (f.name, _arrow_type(f.name, f.kind))
        for f in FIELDS
        if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)
    ),
    (LOAD_TSTAMP, TIMESTAMP_TYPE),
)
#: The atomic columns as an Arrow schema (required fields are still nullable in Arrow).
ATOMIC_SCHEMA: Final = pa.schema([pa.field(n, t) for n, t in ATOMIC_COLUMNS])
#: Money columns stored as ``decimal128(18, 2)``.
MONEY_COLUMNS: Final[frozenset[str]] = frozenset(
    f.name for f in FIELDS if f.kind is Kind.DEC and f.name != "se_value"
)
#: Positions of the atomic columns in an event tuple (``msgspec.structs.astuple``).
_POSITIONS: Final[tuple[int, ...]] = tuple(
    f.index for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)
)

Failure = dict[str, Any]


def _money(value: Decimal) -> Decimal | None:
    """``value`` rounded to cents, or ``None`` when ``dec(18,2)`` cannot hold it."""
    try:
        cents = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return cents if abs(cents) < _MONEY_LIMIT else None


def _wrong(name: str, value: Any, expected: str) -> Failure:
    return {"schemaKey": ATOMIC_SCHEMA_KEY, "value": {name: value}, "expected": expected}


def atomic_failures(rows: Sequence[tuple[Any, ...]]) -> dict[int, list[Failure]]:
    """Row index → why its atomic values do not fit their columns (``WrongType`` failures)."""
    failures: dict[int, list[Failure]] = {}
    for (name, _), pos in zip(ATOMIC_COLUMNS, _POSITIONS, strict=False):
        kind = FIELDS[pos].kind
        if kind is Kind.INT:
            for i, row in enumerate(rows):
                v = row[pos]
                if v is not None and not _INT32_MIN <= v <= _INT32_MAX:
                    failures.setdefault(i, []).append(_wrong(name, v, "int32 integer"))
        elif name in MONEY_COLUMNS:
            for i, row in enumerate(rows):
                v = row[pos]
                if v is not None and _money(v) is None:
                    failures.setdefault(i, []).append(
                        _wrong(name, str(v), "decimal(18,2): |value| < 10^16")
                    )
    return failures


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _cents(value: Any) -> Decimal | None:
    return None if value is None else _money(value)


def _converter(name: str) -> Callable[[Sequence[Any]], list[Any]] | None:
    if name == "se_value":
        return lambda values: [_float(v) for v in values]
    if name in MONEY_COLUMNS:
        return lambda values: [_cents(v) for v in values]
    return None


_CONVERTERS: Final = tuple(_converter(name) for name, _ in ATOMIC_COLUMNS[:-1])


def atomic_arrays(rows: Sequence[tuple[Any, ...]], load_tstamp: datetime) -> list[pa.Array]:
    """One Arrow array per atomic column (``ATOMIC_COLUMNS`` order) for event tuples ``rows``.

    ``rows`` are ``msgspec.structs.astuple(event)`` of events that passed
    :func:`atomic_failures`. ``load_tstamp`` must be timezone-aware.
    """
    if rows:
        columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True))
    else:
        columns = [() for _ in FIELDS]
    arrays = []
    for (_, arrow), pos, convert in zip(ATOMIC_COLUMNS, _POSITIONS, _CONVERTERS, strict=False):
        values = columns[pos]
        arrays.append(pa.array(values if convert is None else convert(values), type=arrow))
    arrays.append(pa.array([load_tstamp] * len(rows), type=TIMESTAMP_TYPE))
    return arrays
