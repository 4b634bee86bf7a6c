"""Creating and migrating shredded tables as schemas evolve.

A shredded table remembers the schema version it matches in its comment (the Iglu URI). When an
event brings a version the table does not match yet, :func:`plan_migration` compares the columns
that version needs with the table's columns (read from the catalog by :func:`read_table`):

- a column the table lacks: ``ALTER TABLE … ADD COLUMN`` (always nullable: older rows have no
  value), as for a new optional property in an addition or revision;
- a ``varchar``/``text`` column that must hold longer strings: widened (``ALTER COLUMN … TYPE``);
  an integer column that must hold a wider integer: widened likewise;
- a ``NOT NULL`` column this version may leave empty: ``DROP NOT NULL``;
- any other type difference (string → number, number → object, ...): :class:`Incompatible`,
  and the loader turns the events carrying that version into ``loader_iglu_error`` bad rows.

A newer version also rewrites the comment. A new model is another table, never a migration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import msgspec

from pyplow.iglu import SchemaKey, SchemaVer
from pyplow.loaders.postgres.columns import Column, column_type
from pyplow.loaders.postgres.ddl import shredded_table_ddl
from pyplow.loaders.postgres.identifiers import qualified, quote, quote_literal
from pyplow.loaders.postgres.shredding import METADATA_COLUMNS

__all__ = [
    "TABLE_QUERY",
    "ExistingColumn",
    "Incompatible",
    "Migration",
    "TableState",
    "canonical_type",
    "plan_migration",
    "table_state",
]

TABLE_QUERY: Final = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')
ORDER BY a.attnum
"""
"""Catalog query (parameters: schema, table): name, type, NOT NULL, table comment per column."""


class ExistingColumn(msgspec.Struct, frozen=True):
    """A column as the catalog shows it (``format_type`` spelling)."""

    sql_type: str
    not_null: bool


class TableState(msgspec.Struct, frozen=True, kw_only=True):
    """What a shredded table looks like now."""

    name: str
    #: The schema version named by the table comment (``None``: no or foreign comment).
    version: SchemaVer | None
    columns: dict[str, ExistingColumn]


class Migration(msgspec.Struct, frozen=True, kw_only=True):
    """Statements to run (possibly none) and the table's state afterwards."""

    statements: tuple[str, ...]
    state: TableState


class Incompatible(msgspec.Struct, frozen=True):
    """The table cannot hold this schema version; ``message`` says which column and why."""

    message: str


def table_state(name: str, rows: Sequence[tuple[Any, ...]]) -> TableState | None:
    """Build a :class:`TableState` from :data:`TABLE_QUERY` rows (``None``: no such table)."""
    if not rows:
        return None
    comment = rows[0][3]
    version: SchemaVer | None = None
    if isinstance(comment, str):
        key = SchemaKey.parse(comment.strip())
        if isinstance(key, SchemaKey):
            version = key.version
    columns = {str(r[0]): ExistingColumn(str(r[1]), bool(r[2])) for r in rows}
    return TableState(name=name, version=version, columns=columns)


_ALIASES: Final = (
    (re.compile(r"^varchar\((\d+)\)$"), r"character varying(\1)"),
    (re.compile(r"^char\((\d+)\)$"), r"character(\1)"),
    (re.compile(r"^timestamp$"), "timestamp without time zone"),
)
_SIZED: Final = re.compile(r"^(character varying|character)\((\d+)\)$")
_INT_RANK: Final = {"smallint": 0, "integer": 1, "bigint": 2}
_STRINGS: Final = ("character varying", "text")


def canonical_type(sql_type: str) -> str:
    """The catalog's spelling of a DDL type: ``varchar(5)`` → ``character varying(5)``."""
    for pattern, replacement in _ALIASES:
        if pattern.match(sql_type):
            return pattern.sub(replacement, sql_type)
    return sql_type


def _split(sql_type: str) -> tuple[str, int | None]:
    match = _SIZED.match(sql_type)
    if match is None:
        return sql_type, None
    return match.group(1), int(match.group(2))


def _reconcile(existing: str, wanted: str) -> str | Incompatible | None:
    """``None`` when ``existing`` holds every ``wanted`` value, the type to widen to, or why not."""
    if existing == wanted:
        return None
    (have, have_len), (need, need_len) = _split(existing), _split(wanted)
    if have in _STRINGS and need in (*_STRINGS, "character"):
        if have == "text" or (
            need_len is not None and have_len is not None and need_len <= have_len
        ):
            return None
        return "text" if need_len is None else f"character varying({need_len})"
    if have == "character" and need == "character" and need_len == have_len:
        return None
    if have in _INT_RANK and need in _INT_RANK:
        return None if _INT_RANK[need] <= _INT_RANK[have] else need
    if have == "double precision" and need in _INT_RANK:
        return None
    return Incompatible(f"has type {existing}, the schema needs {wanted}")


def plan_migration(
    schema: str,
    table: str,
    state: TableState | None,
    key: SchemaKey,
    columns: Sequence[Column],
) -> Migration | Incompatible:
    """What to run so that ``table`` can store entities of ``key`` (with ``columns``)."""
    if state is None:
        created = {n: ExistingColumn(canonical_type(t), True) for n, t in METADATA_COLUMNS}
        for column in columns:
            created[column.name] = ExistingColumn(
                canonical_type(column_type(column)), not column.nullable
            )
        return Migration(
            statements=(shredded_table_ddl(schema, table, key, columns),),
            state=TableState(name=table, version=key.version, columns=created),
        )
    target = qualified(schema, table)
    statements: list[str] = []
    after = dict(state.columns)
    for name, meta_type in METADATA_COLUMNS:
        present = after.get(name)
        if present is None or present.sql_type != canonical_type(meta_type):
            return Incompatible(f"table {table}: metadata column {name} is missing or retyped")
    wanted_names = {c.name for c in columns}
    for column in columns:
        wanted = canonical_type(column_type(column))
        present = after.get(column.name)
        if present is None:
            statements.append(f"ALTER TABLE {target} ADD COLUMN {quote(column.name)} {wanted}")
            after[column.name] = ExistingColumn(wanted, False)
            continue
        change = _reconcile(present.sql_type, wanted)
        if isinstance(change, Incompatible):
            return Incompatible(
                f"{key.to_uri()}: column {column.name} of table {table} {change.message}"
            )
        if change is not None:
            statements.append(
                f"ALTER TABLE {target} ALTER COLUMN {quote(column.name)} TYPE {change}"
            )
            present = ExistingColumn(change, present.not_null)
        if present.not_null and column.nullable:
            statements.append(
                f"ALTER TABLE {target} ALTER COLUMN {quote(column.name)} DROP NOT NULL"
            )
            present = ExistingColumn(present.sql_type, False)
        after[column.name] = present
    metadata = {n for n, _ in METADATA_COLUMNS}
    for name, present in list(after.items()):
        if present.not_null and name not in wanted_names and name not in metadata:
            statements.append(f"ALTER TABLE {target} ALTER COLUMN {quote(name)} DROP NOT NULL")
            after[name] = ExistingColumn(present.sql_type, False)
    version = state.version
    if version is None or key.version > version:
        statements.append(f"COMMENT ON TABLE {target} IS {quote_literal(key.to_uri())}")
        version = key.version
    return Migration(
        statements=tuple(statements),
        state=TableState(name=table, version=version, columns=after),
    )
