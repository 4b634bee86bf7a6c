"""Loading files (``pyplow load --input DIR``): chunks of lines, columnar when the loader can.

Each chunk of ``batch_records`` enriched lines is one batch (one transaction), as the
streaming runner would make it from a :class:`~pyplow.streams.FileSource`; the next chunk is
read in a thread meanwhile. A loader with ``load_lines`` takes the chunk whole (the columnar
path), any other gets the events decoded row by row. Loader bad rows come back in the
result and are stored as a second batch; bad-row files are loaded after the enriched ones.
Transient failures are retried with backoff.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import msgspec

from pyplow.loaders.base import LoadBatch, Loader, LoadResult, TransientLoadError
from pyplow.loaders.bulk.chunks import Prepared, parse_arrow, read_chunks
from pyplow.loaders.runner import LoadCounts, split_rows

__all__ = ["LinesLoader", "LinesResult", "run_files", "supports_lines"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class LinesResult(msgspec.Struct):
    """What ``load_lines`` did: the load result, and how many lines did not decode."""

    result: LoadResult
    parsing_errors: int = 0


@runtime_checkable
class LinesLoader(Protocol):
    """A loader that takes a chunk of enriched TSV lines whole.

    ``columnar_from``: the fewest lines for which the streaming runner hands a batch to
    ``load_lines`` rather than decoding it row by row (below it the columnar path's fixed
    cost per batch outweighs what it saves per row); file loads always take it.
    """

    columnar_from: int

    def load_lines(self, lines: list[bytes], prepared: Prepared | None = None) -> LinesResult: ...


def supports_lines(loader: Any) -> bool:
    """Whether ``loader`` has the columnar ``load_lines``."""
    return isinstance(loader, LinesLoader)


def _retry(name: str, action: Callable[[], T], retry_max_seconds: float) -> T:
    delay = 0.2
    while True:
        try:
            return action()
        except TransientLoadError as exc:
            log.warning("%s load failed (%s); retrying in %.1f s", name, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, retry_max_seconds)


def _prefetched(
    chunks: Iterator[list[bytes]], scratch: Path | None
) -> Iterator[tuple[list[bytes], Prepared | None]]:
    """``chunks``, the next one read (and split into an Arrow table for DuckDB, with a
    ``scratch`` folder) in a thread while the caller loads the current one: the databases
    release the GIL while they work."""

    def read(first: bool) -> tuple[list[bytes], Prepared | None] | None:
        lines = next(chunks, None)
        if lines is None:
            return None
        if scratch is None:
            return lines, None
        return lines, Prepared(arrow=parse_arrow(lines, first=first))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyplow-read") as pool:
        ahead = pool.submit(read, True)
        while (item := ahead.result()) is not None:
            ahead = pool.submit(read, False)
            yield item


def _enriched(
    loader: Loader,
    enriched: Sequence[Path],
    scratch: Path | None,
    batch_records: int,
    retry_max_seconds: float,
    counts: LoadCounts,
    store: Callable[[LoadResult], None],
    progress: Callable[[int], None] | None,
) -> None:
    """Load the enriched files, columnar when ``scratch`` is given."""
    for lines, prepared in _prefetched(read_chunks(enriched, batch_records), scratch):
        if scratch is not None:
            assert isinstance(loader, LinesLoader)
            done = _retry(
                loader.name,
                lambda: loader.load_lines(lines, prepared),  # noqa: B023
                retry_max_seconds,
            )
            result, errors = done.result, done.parsing_errors
        else:
            events, failed = split_rows(lines)
            work = LoadBatch(events=events, bad_rows=failed)
            result = _retry(loader.name, lambda: loader.load(work), retry_max_seconds)  # noqa: B023
            errors = len(failed)
        counts.parsing_errors += errors
        counts.rows += len(lines)
        store(result)
        if progress is not None:
            progress(len(lines))


def run_files(
    loader: Loader,
    enriched: Sequence[Path],
    bad: Sequence[Path] = (),
    *,
    batch_records: int = 245_760,
    columnar: bool = True,
    progress: Callable[[int], None] | None = None,
    retry_max_seconds: float = 30.0,
) -> LoadCounts:
    """Load the enriched files, then the bad-row files; returns the counts."""
    counts = LoadCounts()
    fast = columnar and isinstance(loader, LinesLoader)

    def store(result: LoadResult) -> None:
        if result.bad:
            extra = _retry(
                loader.name,
                lambda: loader.load(LoadBatch(bad_rows=result.bad)),
                retry_max_seconds,
            )
            result.bad_rows_stored += extra.bad_rows_stored
        counts.loaded += result.loaded
        counts.duplicates_skipped += result.duplicates_skipped
        counts.duplicates_flagged += result.duplicates_flagged
        counts.bad_rows += result.bad_rows_stored
        counts.batches += 1

    scratch = Path(tempfile.mkdtemp(prefix="pyplow-chunks-")) if fast else None
    try:
        _enriched(
            loader, enriched, scratch, batch_records, retry_max_seconds, counts, store, progress
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    for rows in read_chunks(bad, batch_records):
        work = LoadBatch(bad_rows=rows)
        store(_retry(loader.name, lambda: loader.load(work), retry_max_seconds))  # noqa: B023
        counts.rows += len(rows)
        if progress is not None:
            progress(len(rows))
    return counts
