"""``memory``: an in-process, bounded queue with at-least-once delivery.

The embedded pipeline joins its stages with memory streams, and tests use them as real sinks and
sources. Any number of sinks and sources may share one ``MemoryStream``; sources compete for
records. A record handed out stays counted against the capacity until its batch is acknowledged;
a ``nack`` puts the batch back at the head of the queue, in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence

from pyplow.streams.base import Batch, Sink, Source, TerminalStreamError, TransientStreamError


class MemoryStream:
    """A bounded in-process queue of records.

    ``capacity`` bounds queued plus unacknowledged records; a writer waits up to
    ``write_timeout`` seconds for room before failing with a ``TransientStreamError``.
    """

    def __init__(self, capacity: int = 100_000, write_timeout: float = 5.0) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.write_timeout = write_timeout
        self._ready: deque[bytes] = deque()
        self._in_flight = 0
        self._changed = asyncio.Condition()

    def __len__(self) -> int:
        """Records waiting to be handed out."""
        return len(self._ready)

    @property
    def in_flight(self) -> int:
        """Records handed out and not yet acknowledged."""
        return self._in_flight

    def sink(self) -> MemorySink:
        return MemorySink(self)

    def source(self) -> MemorySource:
        return MemorySource(self)

    async def _put(self, records: Sequence[bytes]) -> None:
        if len(records) > self.capacity:
            raise TerminalStreamError(
                f"a batch of {len(records)} records cannot fit a stream of capacity {self.capacity}"
            )
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: len(self._ready) + self._in_flight + len(records) <= self.capacity
                    ),
                    self.write_timeout,
                )
            except TimeoutError:
                raise TransientStreamError(
                    f"memory stream full ({self.capacity} records) for {self.write_timeout} s"
                ) from None
            self._ready.extend(records)
            self._changed.notify_all()

    async def _take(self, max_records: int, timeout: float) -> list[bytes]:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._ready)), timeout)
            except TimeoutError:
                return []
            count = min(max_records, len(self._ready))
            taken = [self._ready.popleft() for _ in range(count)]
            self._in_flight += count
            return taken

    async def _settle(self, records: list[bytes], redeliver: bool) -> None:
        async with self._changed:
            self._in_flight -= len(records)
            if redeliver:
                self._ready.extendleft(reversed(records))
            self._changed.notify_all()


class MemorySink(Sink):
    """Writes into a ``MemoryStream``; durable once queued (for the life of the process)."""

    def __init__(self, stream: MemoryStream) -> None:
        super().__init__()
        self.stream = stream

    async def write(self, records: Sequence[bytes]) -> None:
        self.counters.received += len(records)
        try:
            await self.stream._put(records)
        except Exception:
            self.counters.errors += 1
            raise
        self.counters.sent += len(records)

    async def healthy(self) -> bool:
        return len(self.stream) + self.stream.in_flight < self.stream.capacity


class MemorySource(Source):
    """Reads from a ``MemoryStream``."""

    def __init__(self, stream: MemoryStream) -> None:
        super().__init__()
        self.stream = stream

    async def next_batch(self, max_records: int, timeout: float) -> Batch | None:
        records = await self.stream._take(max_records, timeout)
        if not records:
            return None
        self.counters.received += len(records)

        async def ack() -> None:
            await self.stream._settle(records, redeliver=False)

        async def nack() -> None:
            await self.stream._settle(records, redeliver=True)

        return Batch(records, ack, nack)
