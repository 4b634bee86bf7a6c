"""The embedded pipeline's durable spool: raw records on disk until they are loaded.

The collector writes every raw record to the spool (append-only files, fsynced per batch) and
to the in-memory raw stream. Spool files rotate every few seconds; a finished file is deleted
at the next *drain point*, a moment when every stream of the pipeline is empty and nothing is
in flight, which proves every record written before it was loaded. After a crash, the records
of the files still present are fed to enrich again before new traffic is taken; the loader's
deduplication (event id + fingerprint) keeps events that were loaded already from doubling.

Limits: records still in the collector's buffer (at most one flush interval, 50 ms by default
here) are not yet spooled; an event without a tracker ``eid`` gets a fresh id when replayed, so
it can be stored twice; bad rows of replayed records are written again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path

from pyplow.streams import FileSink, FileSinkConfig, FileSource, Framing, MemoryStream, Sink
from pyplow.streams.file import INPROGRESS, recover_inprogress

log = logging.getLogger(__name__)

__all__ = ["Spool", "SpoolSink"]

_PREFIX = "raw"


class SpoolSink(Sink):
    """Writes records to the spool, then to the raw memory stream."""

    def __init__(self, spool: Spool, stream: MemoryStream) -> None:
        super().__init__()
        self.spool = spool
        self.stream = stream.sink()
        self.max_record_bytes = 1_000_000

    async def write(self, records: Sequence[bytes]) -> None:
        self.counters.received += len(records)
        async with self.spool.lock:  # no drain point between the two writes
            await self.spool.file.write(records)
            await self.stream.write(records)
        self.counters.sent += len(records)

    async def healthy(self) -> bool:
        return await self.stream.healthy()

    async def close(self) -> None:
        await self.spool.file.close()


class Spool:
    """The spool folder: recovery at start, rotation and clean-up while running."""

    def __init__(self, folder: Path, rotate_seconds: float = 5.0) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        recovered = recover_inprogress(folder, _PREFIX)
        if recovered:
            log.warning("spool: finished %d files left by a crash", len(recovered))
        self.pending = self.finished_files()
        self.lock = asyncio.Lock()
        self.file = FileSink(
            FileSinkConfig(
                path=str(folder),
                prefix=_PREFIX,
                extension="lines",
                framing=Framing.BASE64,
                max_file_seconds=rotate_seconds,
            )
        )

    def finished_files(self) -> list[Path]:
        return sorted(
            p for p in self.folder.glob(f"{_PREFIX}-*") if not p.name.endswith(INPROGRESS)
        )

    async def replay_into(self, stream: MemoryStream) -> int:
        """Feed the records of files left by an earlier run into ``stream``."""
        if not self.pending:
            return 0
        source = FileSource(self.pending, Framing.BASE64)
        count = 0
        sink = stream.sink()
        while (batch := await source.next_batch(1000, timeout=0)) is not None:
            await sink.write(batch.records)
            count += len(batch.records)
        log.warning("spool: replaying %d records not known to be loaded", count)
        return count

    async def close_drained(self) -> None:
        """After a complete drain at shutdown: finish the current file and remove them all."""
        await self.file.close()
        for path in self.finished_files():
            path.unlink(missing_ok=True)

    async def maintain(self, streams: Sequence[MemoryStream], stop: asyncio.Event) -> None:
        """Rotate the current file by age and delete finished files at drain points."""
        while not stop.is_set():
            await self.file.tick()
            async with self.lock:
                if all(len(s) == 0 and s.in_flight == 0 for s in streams):
                    for path in self.finished_files():
                        path.unlink(missing_ok=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
