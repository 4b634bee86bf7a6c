"""A bounded buffer between the request handlers and one sink.

``offer`` is synchronous and cheap: a request's records are either all taken (the request can
be answered) or refused because the buffer is full (the request is answered 503 and the
tracker retries). A background task (``run``) writes the buffer to the sink in batches at
least every ``flush_interval_seconds``, and as soon as a full batch is waiting. Records leave
the buffer only once the sink has acknowledged them; a failing write is retried with
exponential backoff, and while it fails the sink is reported unhealthy.

``drain`` stops taking records and writes everything still buffered (SIGTERM). If the sink
stays down past the drain timeout, the records still held are written to a local spill file
(when one is configured) instead of being lost, and the count is logged as an error.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from pyplow.collector.config import BufferSettings
from pyplow.collector.metrics import CollectorMetrics
from pyplow.streams import Sink

log = logging.getLogger(__name__)


class SinkBuffer:
    """Bounded, in-order buffer in front of ``sink`` (named ``name`` in metrics and logs)."""

    def __init__(
        self,
        sink: Sink,
        settings: BufferSettings,
        *,
        name: str,
        metrics: CollectorMetrics,
        spill_path: Path | None = None,
    ) -> None:
        self.sink = sink
        self.settings = settings
        self.name = name
        self.metrics = metrics
        self.spill_path = spill_path
        self._records: deque[bytes] = deque()
        self._bytes = 0
        self._wakeup = asyncio.Event()
        self._failing = False
        self._accepting = True
        self._task: asyncio.Task[None] | None = None
        #: Records ever accepted and ever written: a request's records are written once
        #: ``_written`` reaches the value ``_accepted`` had right after its ``offer``.
        self._accepted = 0
        self._written = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap by mark
        self._waiter_ids = itertools.count()
        self._depth = metrics.buffer_records.labels(name)
        self._depth_bytes = metrics.buffer_bytes.labels(name)
        self._health = metrics.sink_healthy.labels(name)
        self._health.set(1)

    @property
    def depth(self) -> int:
        """Records waiting to be written."""
        return len(self._records)

    @property
    def healthy(self) -> bool:
        """False while writes to the sink are failing."""
        return not self._failing

    def offer(self, records: Sequence[bytes]) -> bool:
        """Take all of ``records``, or none of them when there is no room (or when draining)."""
        if not records:
            return True
        size = sum(len(r) for r in records)
        s = self.settings
        if (
            not self._accepting
            or len(self._records) + len(records) > s.max_records
            or self._bytes + size > s.max_bytes
        ):
            return False
        self._records.extend(records)
        self._bytes += size
        self._accepted += len(records)
        self._depth.set(len(self._records))
        self._depth_bytes.set(self._bytes)
        if len(self._records) >= s.batch_records or self._bytes >= s.batch_bytes:
            self._wakeup.set()
        return True

    @property
    def accepted(self) -> int:
        """Records accepted so far: the mark to pass to ``written`` after an ``offer``."""
        return self._accepted

    async def written(self, mark: int, timeout: float) -> bool:
        """Wait until the first ``mark`` accepted records are written; False on timeout."""
        if mark <= self._written:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (mark, next(self._waiter_ids), future))
        self._wakeup.set()  # do not wait for the flush interval
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            return False
        return True

    def start(self) -> None:
        """Start the background writer (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"{self.name}")

    async def run(self) -> None:
        """Write batches until drained; never returns while records are accepted."""
        interval = self.settings.flush_interval_seconds
        while True:
            if not self._records:
                if not self._accepting:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), interval)
                self._wakeup.clear()
                continue
            await self._write_batch()

    async def _write_batch(self) -> None:
        s = self.settings
        count, size = 0, 0
        for record in self._records:
            if count and (count >= s.batch_records or size + len(record) > s.batch_bytes):
                break
            count += 1
            size += len(record)
        batch = [self._records[i] for i in range(count)]
        delay = s.retry_initial_seconds
        while True:
            started = time.perf_counter()
            try:
                await self.sink.write(batch)
            except Exception as exc:  # any failure of the sink is retried; nothing is dropped
                self.metrics.sink_errors.labels(self.name).inc()
                if not self._failing:
                    log.warning("sink %s failed, retrying with backoff: %s", self.name, exc)
                self._failing = True
                self._health.set(0)
                await asyncio.sleep(delay)
                delay = min(delay * 2, s.retry_max_seconds)
                continue
            self.metrics.sink_latency.labels(self.name).observe(time.perf_counter() - started)
            break
        if self._failing:
            log.warning("sink %s recovered", self.name)
        self._failing = False
        self._health.set(1)
        for _ in range(count):
            self._records.popleft()
        self._bytes -= size
        self._written += count
        while self._waiters and self._waiters[0][0] <= self._written:
            *_, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
        self._depth.set(len(self._records))
        self._depth_bytes.set(self._bytes)

    async def drain(self, timeout: float | None = None) -> int:
        """Stop accepting, write what is buffered; returns how many records could not be
        delivered in time (those are spilled to ``spill_path`` when set)."""
        self._accepting = False
        self._wakeup.set()
        limit = self.settings.drain_timeout_seconds if timeout is None else timeout
        task = self._task
        if task is None:
            task = asyncio.get_running_loop().create_task(self.run())
        try:
            await asyncio.wait_for(asyncio.shield(task), limit)
        except TimeoutError:
            task.cancel()
        left = list(self._records)
        if left:
            self._spill(left)
        await self.sink.close()
        return len(left)

    def _spill(self, records: list[bytes]) -> None:
        if self.spill_path is None:
            log.error(
                "sink %s is down: %d buffered records could not be delivered and no spill "
                "path is configured",
                self.name,
                len(records),
            )
            return
        self.spill_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.spill_path, "ab") as handle:
            for record in records:
                handle.write(base64.b64encode(record) + b"\n")
        log.error(
            "sink %s is down: %d buffered records written to %s for replay",
            self.name,
            len(records),
            self.spill_path,
        )
