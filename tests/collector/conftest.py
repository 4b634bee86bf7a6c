"""A collector wired to real in-memory streams, driven through its ASGI app by httpx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import httpx
import pytest

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import BufferSettings, CollectorConfig
from pyplow.collector.service import Collector
from pyplow.protocol import CollectorPayload, decode_collector_payload
from pyplow.streams import MemoryStream, Sink, TransientStreamError

NOW = datetime(2024, 3, 1, 12, 0, 0, 123_000, tzinfo=UTC)
FAST = BufferSettings(flush_interval_seconds=0.01, retry_initial_seconds=0.01)


class FlakySink(Sink):
    """A memory sink that can be switched off (writes then fail)."""

    def __init__(self, stream: MemoryStream) -> None:
        super().__init__()
        self.inner = stream.sink()
        self.down = False
        self.attempts = 0

    async def write(self, records: Sequence[bytes]) -> None:
        self.attempts += 1
        if self.down:
            raise TransientStreamError("sink switched off")
        await self.inner.write(records)


class Harness:
    def __init__(self, config: CollectorConfig) -> None:
        self.good_stream = MemoryStream()
        self.bad_stream = MemoryStream()
        self.good_sink = FlakySink(self.good_stream)
        self.bad_sink = FlakySink(self.bad_stream)
        ids = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10**6))
        self.collector = Collector(
            config, self.good_sink, self.bad_sink, clock=lambda: NOW, new_id=lambda: next(ids)
        )
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=CollectorApp(self.collector)),
            base_url="http://collector.test",
        )

    async def settle(self) -> None:
        """Wait until the buffers are written out."""
        for _ in range(500):
            if self.collector.good.depth == 0 and self.collector.bad.depth == 0:
                return
            await asyncio.sleep(0.005)
        raise AssertionError("buffers did not drain")

    async def records(self) -> list[CollectorPayload]:
        await self.settle()
        out: list[CollectorPayload] = []
        source = self.good_stream.source()
        while (batch := await source.next_batch(1000, timeout=0.01)) is not None:
            for record in batch.records:
                payload = decode_collector_payload(record)
                assert isinstance(payload, CollectorPayload), payload
                out.append(payload)
            await batch.ack()
        return out

    async def bad_rows(self) -> list[bytes]:
        await self.settle()
        out: list[bytes] = []
        source = self.bad_stream.source()
        while (batch := await source.next_batch(1000, timeout=0.01)) is not None:
            out.extend(batch.records)
            await batch.ack()
        return out


@pytest.fixture
def config() -> CollectorConfig:
    return CollectorConfig(buffer=FAST)


@pytest.fixture
async def harness(config: CollectorConfig) -> AsyncIterator[Harness]:
    h = Harness(config)
    await h.collector.start()
    yield h
    await h.collector.stop()
    await h.client.aclose()
