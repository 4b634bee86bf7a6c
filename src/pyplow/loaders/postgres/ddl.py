"""DDL text for PostgreSQL and Redshift: ``atomic.events``, shredded tables, ``bad_rows``.

``atomic.events`` has Snowplow's 128 columns in TSV order (the 131 fields minus the three JSON
fields) followed by ``load_tstamp``, the loader's own column (when the event was loaded).

- PostgreSQL: text columns sized from Enrich's ``atomicFieldsLimits`` (so every event Enrich
  accepts fits), ``char(n)`` only for the fixed-width ``event_id``, ``geo_country`` and
  currencies, Redshift 0.11.0's numeric types, ``event_id`` the primary key.
- Redshift: exactly ``atomic-def.sql`` 0.11.0 (types, ``ENCODE ZSTD`` everywhere but
  ``collector_tstamp ENCODE RAW``, ``DISTKEY (event_id)``, ``SORTKEY (collector_tstamp)``,
  primary key ``event_id_0110_pk``, comment ``'0.11.0'``) plus ``load_tstamp``.

Shredded tables (one per schema family and model) start with the nine metadata columns; their
comment is the Iglu URI of the schema version the table matches, which is how a later load
knows which version it was created from (and migrated to).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pyplow.event import FIELDS, Field, Kind
from pyplow.iglu import SchemaKey
from pyplow.loaders.postgres.columns import Column, column_type
from pyplow.loaders.postgres.identifiers import qualified, quote, quote_literal
from pyplow.loaders.postgres.shredding import METADATA_COLUMNS

__all__ = [
    "ATOMIC_FIELDS",
    "BAD_ROWS_TABLE",
    "EVENTS_TABLE",
    "LOAD_TSTAMP",
    "bad_rows_ddl",
    "events_column_types",
    "events_ddl",
    "shredded_table_ddl",
]

EVENTS_TABLE: Final = "events"
BAD_ROWS_TABLE: Final = "bad_rows"
LOAD_TSTAMP: Final = "load_tstamp"
REDSHIFT_EVENTS_VERSION: Final = "0.11.0"
POSTGRES_EVENTS_COMMENT: Final = "pyplow atomic.events: Snowplow 0.11.0 columns, Enrich limits"

ATOMIC_FIELDS: Final[tuple[Field, ...]] = tuple(
    f for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)
)
"""The 128 fields that are columns of ``atomic.events``, in TSV order."""

_FIXED_WIDTH: Final = frozenset({"event_id", "geo_country", "tr_currency", "ti_currency",
                                 "base_currency"})  # fmt: skip


def _postgres_type(field: Field) -> str:
    if field.kind in (Kind.STR, Kind.UUID) and field.max_length is not None:
        width = "char" if field.name in _FIXED_WIDTH else "varchar"
        return f"{width}({field.max_length})"
    if field.kind is Kind.INT:
        return "integer"
    assert field.redshift_type is not None, field.name
    return field.redshift_type


def events_column_types(*, redshift: bool = False) -> tuple[tuple[str, str], ...]:
    """``(name, type)`` of every ``atomic.events`` column, ``load_tstamp`` last."""
    types = tuple(
        (f.name, (f.redshift_type or "") if redshift else _postgres_type(f)) for f in ATOMIC_FIELDS
    )
    return (*types, (LOAD_TSTAMP, "timestamp"))


def events_ddl(schema: str = "atomic", *, redshift: bool = False) -> str:
    """``CREATE SCHEMA`` / ``CREATE TABLE`` / ``COMMENT`` statements for ``atomic.events``."""
    table = qualified(schema, EVENTS_TABLE)
    lines: list[str] = []
    for name, sql_type in events_column_types(redshift=redshift):
        line = f"  {quote(name)} {sql_type}"
        required = name in ("collector_tstamp", "event_id", "v_collector", "v_etl")
        if required:
            line += " NOT NULL"
        if redshift:
            if name == "event_id":
                line += " UNIQUE"
            line += " ENCODE RAW" if name == "collector_tstamp" else " ENCODE ZSTD"
        lines.append(line)
    if redshift:
        lines.append(f"  CONSTRAINT event_id_0110_pk PRIMARY KEY ({quote('event_id')})")
        tail = "\nDISTSTYLE KEY\nDISTKEY (event_id)\nSORTKEY (collector_tstamp)"
        comment = REDSHIFT_EVENTS_VERSION
    else:
        lines.append(f"  PRIMARY KEY ({quote('event_id')})")
        tail = ""
        comment = POSTGRES_EVENTS_COMMENT
    body = ",\n".join(lines)
    return (
        f"CREATE SCHEMA IF NOT EXISTS {quote(schema)};\n"
        f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n){tail};\n"
        f"COMMENT ON TABLE {table} IS {quote_literal(comment)};\n"
    )


def bad_rows_ddl(schema: str = "atomic") -> str:
    """The PostgreSQL ``bad_rows`` table: one self-describing bad row per row (``jsonb``),
    keyed by a SHA-256 of the document so a redelivered bad row is stored once."""
    table = qualified(schema, BAD_ROWS_TABLE)
    return (
        f"CREATE SCHEMA IF NOT EXISTS {quote(schema)};\n"
        f"CREATE TABLE IF NOT EXISTS {table} (\n"
        f'  "row_hash" char(64) PRIMARY KEY,\n'
        f'  "schema" varchar(512) NOT NULL,\n'
        f'  "data" jsonb NOT NULL,\n'
        f'  "load_tstamp" timestamp NOT NULL\n'
        f");\n"
    )


def shredded_table_ddl(
    schema: str,
    table: str,
    key: SchemaKey,
    columns: Sequence[Column],
    *,
    redshift: bool = False,
) -> str:
    """``CREATE TABLE`` and ``COMMENT`` (the schema's Iglu URI) for one shredded table."""
    target = qualified(schema, table)
    encode = " ENCODE ZSTD" if redshift else ""
    lines = [f"  {quote(name)} {sql_type} NOT NULL{encode}" for name, sql_type in METADATA_COLUMNS]
    for column in columns:
        null = "" if column.nullable else " NOT NULL"
        lines.append(
            f"  {quote(column.name)} {column_type(column, redshift=redshift)}{null}{encode}"
        )
    tail = ""
    if redshift:
        lines.append(
            f"  FOREIGN KEY ({quote('root_id')}) REFERENCES {qualified(schema, EVENTS_TABLE)}"
            f"({quote('event_id')})"
        )
        tail = "\nDISTSTYLE KEY\nDISTKEY (root_id)\nSORTKEY (root_tstamp)"
    body = ",\n".join(lines)
    return (
        f"CREATE TABLE IF NOT EXISTS {target} (\n{body}\n){tail};\n"
        f"COMMENT ON TABLE {target} IS {quote_literal(key.to_uri())};\n"
    )
