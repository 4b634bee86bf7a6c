"""SinkBuffer: waiting for records to be written (acknowledge_after_write)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pyplow.collector.buffer import SinkBuffer
from pyplow.collector.config import BufferSettings
from pyplow.collector.metrics import CollectorMetrics
from pyplow.streams import Sink


class GatedSink(Sink):
    """Each write waits for one ``allow()`` of the test; remembers every batch."""

    def __init__(self) -> None:
        super().__init__()
        self.permits = asyncio.Semaphore(0)
        self.batches: list[list[bytes]] = []

    def allow(self, writes: int = 1) -> None:
        for _ in range(writes):
            self.permits.release()

    async def write(self, records: Sequence[bytes]) -> None:
        await self.permits.acquire()
        self.batches.append(list(records))


async def test_waiters_are_released_by_mark_whatever_order_they_wait_in() -> None:
    sink = GatedSink()
    buffer = SinkBuffer(
        sink,
        BufferSettings(flush_interval_seconds=60, batch_records=2),
        name="good",
        metrics=CollectorMetrics(),
    )
    buffer.start()
    try:
        assert buffer.offer([b"a", b"b"])
        early = buffer.accepted
        assert buffer.offer([b"c", b"d"])
        late = buffer.accepted
        # the later mark waits first: the earlier one must not be held behind it
        waiting_late = asyncio.create_task(buffer.written(late, timeout=5))
        waiting_early = asyncio.create_task(buffer.written(early, timeout=5))
        await asyncio.sleep(0.01)
        assert not waiting_early.done()
        sink.allow()  # the first batch only
        assert await asyncio.wait_for(waiting_early, 1)
        assert not waiting_late.done()
        sink.allow()
        assert await waiting_late
        assert sink.batches == [[b"a", b"b"], [b"c", b"d"]]
        assert await buffer.written(early, timeout=0)  # already written: no wait
    finally:
        await buffer.drain(timeout=1)


async def test_a_waiter_times_out_while_the_sink_holds_the_write() -> None:
    sink = GatedSink()
    buffer = SinkBuffer(
        sink, BufferSettings(flush_interval_seconds=60), name="good", metrics=CollectorMetrics()
    )
    buffer.start()
    try:
        assert buffer.offer([b"a"])
        assert not await buffer.written(buffer.accepted, timeout=0.05)
        sink.allow()
        assert await buffer.written(buffer.accepted, timeout=5)
    finally:
        await buffer.drain(timeout=1)
