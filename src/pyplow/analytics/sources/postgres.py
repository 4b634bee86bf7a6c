"""Reading the PostgreSQL loader's ``atomic.events`` (also Redshift's, through libpq).

Rows come through a server-side cursor in chunks, each chunk becoming an Arrow record batch
typed like the other sources (``char(n)`` columns are read as text, so their padding goes).
Self-describing data stays in the shredded tables (``atomic.com_acme_checkout_1``…); they
join ``events`` on ``root_id = event_id`` and ``root_tstamp = collector_tstamp``.
"""

from __future__ import annotations

from typing import Any, Final

from pyplow.analytics.columns import Selection
from pyplow.analytics.sources import ReadOptions, SourceError
from pyplow.analytics.sources.sql import quote, select_sql
from pyplow.analytics.window import TimeWindow

__all__ = ["read_postgres"]

#: Rows fetched from the server at a time.
CHUNK_ROWS: Final = 50_000
_CURSOR: Final = "pyplow_read_events"


def _types() -> dict[str, Any]:
    from pyplow.loaders.wide import ATOMIC_COLUMNS

    return dict(ATOMIC_COLUMNS)


def _columns(conn: Any, schema: str, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def _batch(rows: list[tuple[Any, ...]], names: list[str], types: list[Any]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = [pa.array(values, type=kind) for values, kind in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def read_postgres(dsn: str, window: TimeWindow, selection: Selection, options: ReadOptions) -> Any:
    """The selected columns of the events in ``window`` as an Arrow table."""
    import psycopg
    import pyarrow as pa

    canonical = _types()
    try:
        with psycopg.connect(dsn) as conn:
            available = _columns(conn, options.schema, options.table)
            if not available:
                raise SourceError(
                    f"the database has no table {options.schema}.{options.table}; expected one "
                    "made by `pyplow load --target postgres`"
                )
            kinds = dict(available)
            names = selection.fetch(name for name, _ in available)
            expressions = [
                f"{quote(n)}::text AS {quote(n)}" if kinds[n] == "character" else quote(n)
                for n in names
            ]
            # Unknown (non-canonical) columns: let Arrow infer their type from the values.
            types = [canonical.get(n) for n in names]
            sql, params = select_sql(expressions, options.schema, options.table, window, "%s")
            batches = []
            with conn.cursor(name=_CURSOR) as cursor:
                cursor.itersize = CHUNK_ROWS
                cursor.execute(sql.encode(), params)
                while rows := cursor.fetchmany(CHUNK_ROWS):
                    batches.append(_batch(rows, names, types))
            if not batches:
                batches.append(_batch([], names, types))
            tables = [pa.Table.from_batches([batch]) for batch in batches]
            return pa.concat_tables(tables, promote_options="permissive")
    except psycopg.Error as exc:
        raise SourceError(f"reading PostgreSQL failed: {exc}") from exc
