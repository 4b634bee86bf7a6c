"""Feeding a loader from streams: decode, load (in a worker thread), acknowledge.

Enriched TSV rows come from one source, bad rows from another (optional). A batch of at least
``columnar_from`` rows goes whole to a loader that offers ``load_lines`` (the columnar path of
:mod:`pyplow.loaders.bulk`); smaller ones, and every batch of other loaders, are decoded here.
A batch of input is acknowledged only after the loader has committed what it became, so a
crash redelivers it and the loader's deduplication keeps each event once. A transient failure
(database away) is retried with exponential backoff; a terminal one stops the run. A row that
does not decode as an enriched event becomes a ``loader_parsing_error`` bad row (stored with
the other bad rows): nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from pyplow import __version__, badrows
from pyplow.event import EnrichedEvent, decode_tsv
from pyplow.loaders.base import LoadBatch, Loader, LoadResult, TransientLoadError
from pyplow.streams import Source

log = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["LoadCounts", "load_with_retry", "run_load", "split_rows"]

PROCESSOR = badrows.Processor("pyplow-loader", __version__)


class LoadCounts(msgspec.Struct):
    """What a load run has done so far."""

    rows: int = 0
    loaded: int = 0
    duplicates_skipped: int = 0
    duplicates_flagged: int = 0
    bad_rows: int = 0
    parsing_errors: int = 0
    batches: int = 0


def split_rows(
    rows: list[bytes], now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> tuple[list[EnrichedEvent], list[bytes]]:
    """Decoded events, and ``loader_parsing_error`` bad rows for rows that do not decode."""
    events: list[EnrichedEvent] = []
    failed: list[bytes] = []
    for row in rows:
        text = row.decode("utf-8", "replace")
        decoded = decode_tsv(text)
        if isinstance(decoded, EnrichedEvent):
            events.append(decoded)
        else:
            failed.append(
                badrows.encode(
                    badrows.LoaderParsingError(
                        processor=PROCESSOR, failure=msgspec.to_builtins(decoded), payload=text
                    )
                )
            )
    return events, failed


async def load_with_retry(
    loader: Loader, batch: LoadBatch, *, retry_max_seconds: float = 30.0
) -> LoadResult:
    """``loader.load`` in a worker thread, retried with backoff while it fails transiently."""
    return await _retrying(loader.name, lambda: loader.load(batch), retry_max_seconds)


async def _retrying(name: str, call: Callable[[], T], retry_max_seconds: float) -> T:
    delay = 0.2
    while True:
        try:
            return await asyncio.to_thread(call)
        except TransientLoadError as exc:
            log.warning("%s load failed (%s); retrying in %.1f s", name, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_max_seconds)


async def _load_enriched(
    loader: Loader, rows: list[bytes], retry_max_seconds: float
) -> tuple[LoadResult, int]:
    """The result of loading enriched ``rows``, and how many did not decode."""
    from pyplow.loaders.bulk.run import LinesLoader

    if isinstance(loader, LinesLoader) and len(rows) >= loader.columnar_from:
        lines_loader = loader
        done = await _retrying(
            loader.name, lambda: lines_loader.load_lines(rows), retry_max_seconds
        )
        return done.result, done.parsing_errors
    events, failed = split_rows(rows)
    work = LoadBatch(events=events, bad_rows=failed)
    result = await load_with_retry(loader, work, retry_max_seconds=retry_max_seconds)
    return result, len(failed)


async def run_load(
    loader: Loader,
    enriched: Source,
    bad: Source | None = None,
    *,
    batch_records: int = 5000,
    stop: asyncio.Event | None = None,
    retry_max_seconds: float = 30.0,
    counts: LoadCounts | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadCounts:
    """Load until the sources are finished or ``stop`` is set; returns the counts."""
    stop = stop or asyncio.Event()
    counts = counts if counts is not None else LoadCounts()
    sources = [s for s in (enriched, bad) if s is not None]
    while not stop.is_set() and sources:
        idle = True
        for source in list(sources):
            batch = await source.next_batch(batch_records, timeout=0.2)
            if batch is None:
                if source.finished:
                    sources.remove(source)
                continue
            idle = False
            rows = list(batch.records)
            if source is enriched:
                result, errors = await _load_enriched(loader, rows, retry_max_seconds)
                counts.parsing_errors += errors
            else:
                work = LoadBatch(bad_rows=rows)
                result = await load_with_retry(loader, work, retry_max_seconds=retry_max_seconds)
            if result.bad:
                extra = await load_with_retry(
                    loader, LoadBatch(bad_rows=result.bad), retry_max_seconds=retry_max_seconds
                )
                result.bad_rows_stored += extra.bad_rows_stored
            await batch.ack()
            counts.rows += len(rows)
            counts.loaded += result.loaded
            counts.duplicates_skipped += result.duplicates_skipped
            counts.duplicates_flagged += result.duplicates_flagged
            counts.bad_rows += result.bad_rows_stored
            counts.batches += 1
            if progress is not None:
                progress(len(rows))
        if idle:
            await asyncio.sleep(0)
    return counts
