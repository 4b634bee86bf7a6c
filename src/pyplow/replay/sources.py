"""Where bad rows are read from: JSON-lines files, a DuckDB ``bad_rows`` table, a NATS stream.

Every source is a ``pyplow.streams.Source`` handing out bad-row JSON documents (``BadRowSource``
is that type): files and folders of JSON lines (plain or ``.gz``) through ``FileSource``, the
``row`` column of the DuckDB loader's bad-rows table through ``DuckDBBadRowSource``, and the
bad stream through ``NatsSource`` (see ``open_bad_row_source``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

from pyplow.streams import Batch, FileSource, Framing, Source
from pyplow.streams.settings import SourceSettings, build_source

__all__ = ["BadRowSource", "DuckDBBadRowSource", "open_bad_row_source"]

BadRowSource: TypeAlias = Source
"""A source of bad-row JSON documents (one document per record)."""


class DuckDBBadRowSource(Source):
    """The ``row`` column of a DuckDB bad-rows table (``atomic.bad_rows`` by default), oldest
    first. Finite; acknowledging is a no-op (the table is not changed)."""

    def __init__(self, path: str | Path, table: str = "atomic.bad_rows") -> None:
        import duckdb

        super().__init__()
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))
        self._con: Any = duckdb.connect(str(path), read_only=True)
        self._cursor: Any = self._con.execute(
            f"SELECT row FROM {quoted} WHERE row IS NOT NULL ORDER BY load_tstamp, row_id"
        )
        self._finished = False

    @property
    def finished(self) -> bool:
        return self._finished

    async def next_batch(self, max_records: int, timeout: float) -> Batch | None:
        if self._finished:
            return None
        rows = await asyncio.to_thread(self._cursor.fetchmany, max_records)
        if len(rows) < max_records:
            self._finished = True
        if not rows:
            return None
        records = [str(row[0]).encode("utf-8") for row in rows]
        self.counters.received += len(records)
        return Batch(records)

    async def close(self) -> None:
        self._con.close()


async def open_bad_row_source(
    *,
    paths: Sequence[str | Path] = (),
    duckdb: str | Path | None = None,
    table: str = "atomic.bad_rows",
    settings: SourceSettings | None = None,
) -> BadRowSource:
    """The source of one of: files/folders (``paths``), a DuckDB file, or stream settings
    (e.g. the NATS bad stream). Raises ``ValueError`` unless exactly one is given, and the
    errors of the DuckDB and NATS clients when they cannot open."""
    given = sum((bool(paths), duckdb is not None, settings is not None))
    if given != 1:
        raise ValueError("give exactly one of paths, duckdb or settings")
    if paths:
        return FileSource(list(paths), Framing.TEXT)
    if duckdb is not None:
        return await asyncio.to_thread(DuckDBBadRowSource, duckdb, table)
    assert settings is not None
    return await build_source(settings, framing=Framing.TEXT, name="bad")
