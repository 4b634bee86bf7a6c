"""SQL text shared by the DuckDB and PostgreSQL sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyplow.analytics.window import TimeWindow

__all__ = ["quote", "select_sql"]


def quote(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier (``"`` doubled inside)."""
    return '"' + identifier.replace('"', '""') + '"'


def select_sql(
    expressions: Sequence[str],
    schema: str,
    table: str,
    window: TimeWindow,
    placeholder: str,
    column: str = "collector_tstamp",
) -> tuple[str, list[Any]]:
    """``SELECT expressions FROM schema.table`` limited to ``window`` on ``column`` (a
    ``TIMESTAMP`` holding UTC, so the bounds are passed as naive UTC datetimes), and its
    parameters, each written as ``placeholder`` in the text."""
    start, end = window.naive()
    clauses: list[str] = []
    params: list[Any] = []
    if start is not None:
        clauses.append(f"{quote(column)} >= {placeholder}")
        params.append(start)
    if end is not None:
        clauses.append(f"{quote(column)} < {placeholder}")
        params.append(end)
    sql = f"SELECT {', '.join(expressions)} FROM {quote(schema)}.{quote(table)}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return sql, params
