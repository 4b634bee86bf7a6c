"""The NATS sink across a server crash: a throwaway ``nats-server`` is killed mid-write.

Writes fail as transient while the server is away, the sink reconnects by itself, and every
record of every write that returned is still in the stream after the restart.
"""

from __future__ import annotations

import asyncio

import pytest

from pyplow.streams import TransientStreamError
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource

from ..conftest import ThrowawayNats

pytestmark = pytest.mark.integration


def test_writes_survive_a_server_crash(nats_server: ThrowawayNats) -> None:
    server = nats_server
    config = NatsConfig(
        servers=(f"nats://127.0.0.1:{server.port}",),
        subject="pyplow.outage",
        stream="PYPLOW_OUTAGE",
        durable="check",
        connect_timeout=1.0,
        reconnect_time_wait=0.1,
        publish_timeout=0.5,
    )
    batches = [[f"{b:02d}-{i:03d}".encode() for i in range(100)] for b in range(12)]

    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        written: list[bytes] = []
        failures = 0
        seen_unhealthy = False
        for number, batch in enumerate(batches):
            if number == 4:
                crash = asyncio.create_task(sink.write(batch))
                await asyncio.sleep(0)  # the publishes are issued, their acks not yet back
                server.kill()
                with pytest.raises(TransientStreamError, match="write the batch again"):
                    await crash
                failures += 1
                await asyncio.sleep(0.2)
                seen_unhealthy = not await sink.healthy()
                with pytest.raises(TransientStreamError, match=r"no acknowledgement within 0\.5 s"):
                    await sink.write(batch)  # the caller's retry, while the server is still away
                failures += 1
                server.start()
            for _attempt in range(40):  # at least once: the caller writes the batch again
                try:
                    await sink.write(batch)
                    break
                except TransientStreamError:
                    failures += 1
                    await asyncio.sleep(0.1)
            else:
                pytest.fail(f"batch {number} was never acknowledged after the restart")
            written.extend(batch)
        assert seen_unhealthy
        assert await sink.healthy()
        assert sink.counters.errors == failures >= 2
        assert sink.counters.sent == len(written) == 1200
        await sink.close()

        source = await NatsSource.connect(config)
        stored: list[bytes] = []
        while (got := await source.next_batch(500, timeout=0.5)) is not None:
            stored.extend(got.records)
            await got.ack()
        await source.close()
        assert set(written) <= set(stored)
        assert len(stored) >= len(written)

    asyncio.run(scenario())
