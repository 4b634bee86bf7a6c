"""Reading the DuckDB loader's wide-row ``atomic.events`` (read-only).

The database is opened read-only. DuckDB lets a file be opened either by one process that
writes or by any number of processes that only read: while ``pyplow quickstart`` (or a
``pyplow load``) holds the database, other processes cannot open it: stop it first, or read
a copy of the file.
"""

from __future__ import annotations

from typing import Any

from pyplow.analytics.columns import Selection
from pyplow.analytics.sources import ReadOptions, SourceError
from pyplow.analytics.sources.sql import quote, select_sql
from pyplow.analytics.window import TimeWindow

__all__ = ["read_duckdb"]


def _arrow(relation: Any) -> Any:
    """The relation's rows as an Arrow table (DuckDB 1.x and 2.x spell it differently)."""
    to_table = getattr(relation, "to_arrow_table", None)
    result = to_table() if to_table is not None else relation.arrow()
    return result.read_all() if hasattr(result, "read_all") else result


def read_duckdb(path: str, window: TimeWindow, selection: Selection, options: ReadOptions) -> Any:
    """The selected columns of the events in ``window`` (an Arrow table, DuckDB's types)."""
    import duckdb

    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise SourceError(f"cannot open DuckDB database {path!r}: {exc}") from exc
    try:
        available = [
            name
            for (name,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
                " ORDER BY column_index",
                [options.schema, options.table],
            ).fetchall()
        ]
        if not available:
            raise SourceError(
                f"DuckDB database {path!r} has no table {options.schema}.{options.table}; "
                "expected one made by `pyplow load --target duckdb`"
            )
        names = [quote(n) for n in selection.fetch(available)]
        sql, params = select_sql(names, options.schema, options.table, window, "?")
        return _arrow(con.sql(sql, params=params))
    except duckdb.Error as exc:
        raise SourceError(f"reading DuckDB database {path!r} failed: {exc}") from exc
    finally:
        con.close()
