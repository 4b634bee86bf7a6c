"""DuckDB SQL for the wide-row layout: types, identifiers and table definitions."""

from __future__ import annotations

from typing import Final

import pyarrow as pa  # type: ignore[import-untyped]

from pyplow.event import REQUIRED_FIELDS
from pyplow.loaders.wide import ATOMIC_COLUMNS

__all__ = [
    "BAD_ROWS_COLUMNS",
    "bad_rows_table_sql",
    "duckdb_type",
    "events_table_sql",
    "quote",
]


def quote(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier (``"`` doubled inside)."""
    return '"' + identifier.replace('"', '""') + '"'


def duckdb_type(arrow: pa.DataType) -> str:
    """The DuckDB column type storing Arrow type ``arrow`` (timestamps become ``TIMESTAMP``:
    naive, holding UTC, as in Snowplow's Redshift and Snowflake tables)."""
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return "VARCHAR"
    if pa.types.is_boolean(arrow):
        return "BOOLEAN"
    if pa.types.is_int32(arrow):
        return "INTEGER"
    if pa.types.is_int64(arrow):
        return "BIGINT"
    if pa.types.is_float64(arrow):
        return "DOUBLE"
    if pa.types.is_timestamp(arrow):
        return "TIMESTAMP"
    if pa.types.is_decimal(arrow):
        return f"DECIMAL({arrow.precision},{arrow.scale})"
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        return f"{duckdb_type(arrow.value_type)}[]"
    if pa.types.is_struct(arrow):
        fields = (arrow.field(i) for i in range(arrow.num_fields))
        return "STRUCT(" + ", ".join(f"{quote(f.name)} {duckdb_type(f.type)}" for f in fields) + ")"
    raise ValueError(f"no DuckDB type for Arrow type {arrow}: expected a wide-row layout type")


def events_table_sql(table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the atomic columns (``table`` already quoted)."""
    columns = ",\n  ".join(
        f"{quote(name)} {duckdb_type(arrow)}{' NOT NULL' if name in REQUIRED_FIELDS else ''}"
        for name, arrow in ATOMIC_COLUMNS
    )
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {columns}\n)"


#: ``(name, DuckDB type)`` of the bad-rows table.
BAD_ROWS_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("row_id", "VARCHAR NOT NULL"),  # SHA-256 of the document: a redelivery is stored once
    ("schema", "VARCHAR"),
    ("processor_artifact", "VARCHAR"),
    ("processor_version", "VARCHAR"),
    ("failure", "JSON"),
    ("payload", "JSON"),
    ("failure_tstamp", "TIMESTAMP"),
    ("load_tstamp", "TIMESTAMP NOT NULL"),
    ("row", "JSON NOT NULL"),
)


def bad_rows_table_sql(table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the bad-rows table (``table`` already quoted)."""
    columns = ",\n  ".join(f"{quote(n)} {t}" for n, t in BAD_ROWS_COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {columns}\n)"
