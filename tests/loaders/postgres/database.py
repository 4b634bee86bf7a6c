"""What the PostgreSQL loader tests share about the database: the load time and a query."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

#: The clock of the ``loader`` fixture (``load_tstamp`` of every row it loads).
NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def query(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, on a connection of its own."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        return list(conn.execute(sql.encode()).fetchall())
