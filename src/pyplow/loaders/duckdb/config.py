"""Configuration of the DuckDB loader (no DuckDB import: safe to load anywhere)."""

from __future__ import annotations

import msgspec

__all__ = ["DuckDBConfig"]


class DuckDBConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how the DuckDB loader stores events.

    ``path`` is a database file (created when missing) or ``":memory:"``.
    """

    path: str
    #: Schema holding the tables.
    schema: str = "atomic"
    #: The wide-row events table.
    events_table: str = "events"
    #: The bad-rows table.
    bad_rows_table: str = "bad_rows"
    #: DuckDB worker threads (``None``: DuckDB's default, one per core).
    threads: int | None = None
