"""The NATS sink across a server crash: a throwaway ``nats-server`` is killed mid-write.

Writes fail as transient while the server is away, the sink reconnects by itself, and every
record of every write that returned is still in the stream after the restart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyplow.streams import TransientStreamError
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource

pytestmark = pytest.mark.integration

#: The server binary: ``$NATS_SERVER_BIN``, else ``nats-server`` on the ``PATH``.
SERVER_BINARY = os.environ.get("NATS_SERVER_BIN") or shutil.which("nats-server")


class ThrowawayServer:
    """A ``nats-server -js`` on a free local port, with its store in a temporary folder."""

    def __init__(self, binary: str, store: Path) -> None:
        self.binary = binary
        self.store = store
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        command += ["-sd", str(self.store)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"throwaway nats-server did not listen on port {self.port} within 5 s")

    def kill(self) -> None:
        """Crash the server (SIGKILL): no clean shutdown."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=5)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ThrowawayServer]:
    if SERVER_BINARY is None:
        pytest.skip("nats-server binary not found")
    throwaway = ThrowawayServer(SERVER_BINARY, tmp_path / "jetstream")
    throwaway.start()
    yield throwaway
    throwaway.stop()


def test_writes_survive_a_server_crash(server: ThrowawayServer) -> None:
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
