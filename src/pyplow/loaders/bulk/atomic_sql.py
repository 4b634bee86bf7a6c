"""DuckDB SQL that checks and types the atomic fields of enriched TSV rows, column by column.

The raw columns are ``c0`` … ``c130`` (text, NULL for an empty field). For each atomic field
:func:`typed_columns` gives the expression of its typed value (the wide-row column types of
:mod:`pyplow.loaders.wide.atomic`) and :func:`atomic_ok` one boolean saying that every field
holds text in the form Enrich writes, which :func:`pyplow.event.decode_tsv` would accept and
decode to the same value. The check is deliberately narrower than the decoder (timestamps
with exactly three fractional digits, plain-notation numbers, money with at most two decimals
and sixteen integer digits): a row it rejects is decoded by the per-row path, which decides.

The three JSON fields are checked by :mod:`pyplow.loaders.bulk.entities_sql`.
"""

from __future__ import annotations

from typing import Final

from pyplow.event import FIELDS, Field, Kind
from pyplow.loaders.wide import MONEY_COLUMNS

__all__ = ["ATOMIC_FIELDS", "atomic_ok", "raw", "typed_columns"]

#: The fields stored as atomic columns (all but the three JSON fields), in TSV order.
ATOMIC_FIELDS: Final[tuple[Field, ...]] = tuple(
    f for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)
)

_UUID: Final = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_INT: Final = "[+-]?[0-9]{1,10}"
_NUMBER: Final = r"[+-]?[0-9]{1,17}(\.[0-9]{1,17})?"
_MONEY: Final = r"[+-]?[0-9]{1,16}(\.[0-9]{1,2})?"
_TS: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}"


def raw(field: Field) -> str:
    """The raw text column of ``field``."""
    return f"c{field.index}"


def _matches(column: str, pattern: str) -> str:
    return f"regexp_full_match({column}, '{pattern}')"


def _check(field: Field) -> str | None:
    """A condition on a non-empty field's text (``None``: any text is fine)."""
    c = raw(field)
    kind = field.kind
    if kind is Kind.UUID:
        return _matches(c, _UUID)
    if kind is Kind.INT:
        return f"({_matches(c, _INT)} AND TRY_CAST({c} AS INTEGER) IS NOT NULL)"
    if kind is Kind.DEC:
        return _matches(c, _MONEY if field.name in MONEY_COLUMNS else _NUMBER)
    if kind is Kind.FLOAT:
        return _matches(c, _NUMBER)
    if kind is Kind.BOOL:
        return f"{c} IN ('0', '1')"
    if kind is Kind.TS:
        # year 0000 is no datetime; TRY_CAST checks the calendar (no 30 February)
        return f"({_matches(c, _TS)} AND {c} >= '0001' AND TRY_CAST({c} AS TIMESTAMP) IS NOT NULL)"
    return None


def _field_ok(field: Field) -> str | None:
    c = raw(field)
    check = _check(field)
    if field.required:
        return f"({c} IS NOT NULL AND {check})" if check else f"{c} IS NOT NULL"
    if check is None:
        return None
    return f"({c} IS NULL OR {check})"


def atomic_ok() -> str:
    """True when every atomic field of the row is in the form the fast path types."""
    return " AND ".join(ok for ok in map(_field_ok, ATOMIC_FIELDS) if ok is not None)


def _typed(field: Field) -> str:
    c = raw(field)
    kind = field.kind
    if kind is Kind.INT:
        return f"TRY_CAST({c} AS INTEGER)"
    if kind is Kind.DEC:
        target = "DECIMAL(18,2)" if field.name in MONEY_COLUMNS else "DOUBLE"
        return f"TRY_CAST({c} AS {target})"
    if kind is Kind.FLOAT:
        return f"TRY_CAST({c} AS DOUBLE)"
    if kind is Kind.BOOL:
        return f"({c} = '1')"
    if kind is Kind.TS:
        return f"TRY_CAST({c} AS TIMESTAMP)"
    return c


def typed_columns() -> list[tuple[str, str]]:
    """``(column name, SQL expression)`` of the typed atomic columns, in TSV order."""
    return [(f.name, _typed(f)) for f in ATOMIC_FIELDS]
