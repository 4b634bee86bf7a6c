"""DuckDB SQL that shreds a staged chunk's entities into COPY lines, for simple schemas.

The columnar path (:mod:`~pyplow.loaders.postgres.columnar`) parses the three JSON fields of
the rows it stores once, into one row per entity (:func:`entities_select`: the line, the
event's id and ``collector_tstamp`` text, the entity's schema URI and its data as JSON). For
a schema whose columns are all top-level properties of text, UUID, integer, number or
boolean columns (:func:`simple`), DuckDB then checks each entity (:func:`fits`) and writes
its COPY line (:func:`line`), the way
:class:`~pyplow.loaders.postgres.shredding.EntityShredder` and
:mod:`~pyplow.loaders.postgres.copytext` do in Python:

- text: a JSON string no longer than the column (in characters) and without NUL, escaped
  (backslash, TAB, LF, CR);
- UUID: a JSON string in the 8-4-4-4-12 hex form, as it is;
- integers: a JSON integer within the column's range, as written;
- numbers: any JSON number (the stage's checks have set aside texts with ``NaN``,
  ``Infinity`` or three-digit exponents), which PostgreSQL reads as the same double;
- booleans: ``true`` / ``false``;
- a missing property or ``null``: ``\\N``, when the column allows NULL.

The checks are stricter than Python's where that is simpler (an integer written ``3.0`` does
not fit here): the entities they do not vouch for, and those of other schemas, are shredded
in Python, which decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from pyplow.event import FIELD_INDEX
from pyplow.loaders.bulk.entities_sql import PARSED, literal
from pyplow.loaders.postgres.columns import Column, ColumnKind

__all__ = [
    "ID_COLUMN",
    "TSTAMP_COLUMN",
    "entities_select",
    "family_select",
    "fits",
    "line",
    "simple",
]

#: The raw columns of ``event_id`` and ``collector_tstamp`` (``root_id``, ``root_tstamp``).
ID_COLUMN: Final = f"c{FIELD_INDEX['event_id']}"
TSTAMP_COLUMN: Final = f"c{FIELD_INDEX['collector_tstamp']}"

_TEXT: Final = frozenset({ColumnKind.VARCHAR, ColumnKind.CHAR})
_INTEGERS: Final[dict[ColumnKind, tuple[int, int]]] = {
    ColumnKind.SMALLINT: (-(2**15), 2**15 - 1),
    ColumnKind.INTEGER: (-(2**31), 2**31 - 1),
    ColumnKind.BIGINT: (-(2**63), 2**63 - 1),
}
_SIMPLE: Final = _TEXT | set(_INTEGERS) | {ColumnKind.UUID, ColumnKind.DOUBLE, ColumnKind.BOOLEAN}
_KEY: Final = re.compile(r"[A-Za-z0-9_]+")
_UUID: Final = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def simple(columns: Sequence[Column]) -> bool:
    """Whether the SQL shreds entities of a schema with these columns."""
    return all(
        len(c.path) == 1 and _KEY.fullmatch(c.path[0]) is not None and c.kind in _SIMPLE
        for c in columns
    )


def entities_select(kept: str) -> str:
    """One row per entity of the rows ``kept`` selects (a relation with ``__row`` and the raw
    columns): ``__row``, ``id``, ``ts``, ``s`` (schema URI), ``d`` (data, JSON)."""
    parsed = ", ".join(f"{sql} AS {name}" for name, sql in PARSED)
    rows = f"(SELECT __row, {ID_COLUMN} AS id, {TSTAMP_COLUMN} AS ts, {parsed} FROM ({kept}))"
    parts = [
        f"SELECT __row, id, ts, unnest(__ctx.data) AS e FROM {rows}",
        f"SELECT __row, id, ts, unnest(__dctx.data) AS e FROM {rows}",
        f"SELECT __row, id, ts, __ue.data AS e FROM {rows} WHERE __ue IS NOT NULL",
    ]
    union = " UNION ALL ".join(f"({part})" for part in parts)
    return f"SELECT __row, id, ts, e.schema AS s, e.data AS d FROM ({union})"


def family_select(entities: str, uri: str, columns: Sequence[Column]) -> str:
    """The entities of ``uri`` in the table ``entities``, each parsed once: ``__row``,
    ``id``, ``ts``, ``dt`` (the data's JSON type) and ``v`` (the columns' JSON values, in
    column order), which :func:`fits` and :func:`line` read."""
    paths = ", ".join(literal(f'$."{c.path[0]}"') for c in columns)
    values = f"json_extract(d, [{paths}])" if columns else "CAST(NULL AS JSON[])"
    return (
        f"SELECT __row, id, ts, json_type(d) AS dt, {values} AS v "
        f"FROM {entities} WHERE s = {literal(uri)}"
    )


def _fit(i: int, column: Column) -> str:
    t = f"json_type(v[{i}])"
    v = f"(v[{i}]->>'$')"
    kind = column.kind
    if kind in _TEXT:
        longest = "" if column.length is None else f" AND length({v}) <= {column.length}"
        check = f"({t} = 'VARCHAR'{longest} AND NOT contains({v}, chr(0)))"
    elif kind is ColumnKind.UUID:
        check = f"({t} = 'VARCHAR' AND regexp_full_match({v}, '{_UUID}'))"
    elif kind in _INTEGERS:
        low, high = _INTEGERS[kind]
        check = (
            f"({t} IN ('BIGINT', 'UBIGINT') AND TRY_CAST({v} AS HUGEINT) BETWEEN {low} AND {high})"
        )
    elif kind is ColumnKind.DOUBLE:
        check = f"{t} IN ('BIGINT', 'UBIGINT', 'DOUBLE')"
    else:
        check = f"{t} = 'BOOLEAN'"
    if column.nullable:
        return f"({t} IS NULL OR {t} = 'NULL' OR {check})"
    return check


def fits(columns: Sequence[Column]) -> str:
    """True when the entity (a row of :func:`family_select`) is an object whose properties
    fit ``columns``."""
    return " AND ".join(["dt = 'OBJECT'", *(_fit(i, c) for i, c in enumerate(columns, 1))])


def _text(i: int, column: Column) -> str:
    t = f"json_type(v[{i}])"
    v = f"(v[{i}]->>'$')"
    if column.kind in _TEXT:
        v = (
            f"replace(replace(replace(replace({v}, '\\', '\\\\'), chr(9), '\\t'), "
            f"chr(10), '\\n'), chr(13), '\\r')"
        )
    return f"CASE WHEN {t} IS NULL OR {t} = 'NULL' THEN '\\N' ELSE {v} END"


def line(head: str, tail: str, columns: Sequence[Column]) -> str:
    """The COPY line (with its LF) of an entity (a row of :func:`family_select`): ``head``
    (the four schema columns' text, TAB), ``root_id`` and ``root_tstamp``, ``tail`` (TAB, the
    three ``ref_`` columns' text), then the columns' values."""
    parts = [literal(head), "id", "chr(9)", "ts", literal(tail)]
    for i, column in enumerate(columns, 1):
        parts += ["chr(9)", _text(i, column)]
    parts.append("chr(10)")
    return f"concat({', '.join(parts)})"
