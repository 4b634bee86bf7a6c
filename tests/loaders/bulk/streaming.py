"""Streaming tricky rows through the load runner, counting the batches staged columnar."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from pyplow.loaders.bulk import engine as engine_module
from pyplow.loaders.runner import LoadCounts, run_load
from pyplow.streams import MemoryStream

from .inputs import line, page_view, tricky_lines

#: Rows per streamed batch.
BATCH = 40


def streamed_rows() -> list[bytes]:
    """The tricky rows, then three of them redelivered."""
    rows = [text.encode() for text in tricky_lines()]
    return rows + [line(page_view(n)).encode() for n in (1, 2, 39)]


def stream(loader: Any, rows: list[bytes], columnar_from: int) -> tuple[LoadCounts, int]:
    """Load ``rows`` in batches of :data:`BATCH` with ``loader`` (closed after), taking the
    columnar path from ``columnar_from`` rows on; the counts and how many batches were
    staged columnar."""
    loader.columnar_from = columnar_from
    stage = engine_module.stage
    staged: list[int] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        staged.append(1)
        return stage(*args, **kwargs)

    async def run() -> LoadCounts:
        enriched = MemoryStream()
        for start in range(0, len(rows), BATCH):
            await enriched.sink().write(rows[start : start + BATCH])
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_load(loader, enriched.source(), batch_records=BATCH, stop=stop)
        )
        while (len(enriched) or enriched.in_flight) and not task.done():
            await asyncio.sleep(0.01)
        stop.set()
        return await task

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "stage", spy)
            counts = asyncio.run(run())
    finally:
        loader.close()
    return counts, len(staged)


def stream_both_ways(make_loader: Callable[[str], Any]) -> None:
    """Stream the same rows into ``make_loader("rows")`` row by row and into
    ``make_loader("lines")`` columnar: the same counts, and every batch staged on the columnar
    run, none on the other (the caller then compares what the two targets hold)."""
    rows = streamed_rows()
    by_rows, staged_rows = stream(make_loader("rows"), rows, 10**9)
    by_lines, staged_lines = stream(make_loader("lines"), rows, 1)
    assert (staged_rows, staged_lines) == (0, -(-len(rows) // BATCH))
    assert by_lines == by_rows
    assert by_rows.loaded > BATCH
    assert by_rows.parsing_errors > 0
    assert by_rows.duplicates_skipped > 0
