"""``pyplow status`` against the local NATS server."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pyplow.cli import main
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource

pytestmark = pytest.mark.integration


def test_status_shows_depth_and_lag(
    require_service: object, capsys: pytest.CaptureFixture[str]
) -> None:
    require_service("NATS", "127.0.0.1", 4222)  # type: ignore[operator]
    tag = uuid.uuid4().hex[:8].upper()
    config = NatsConfig(subject=f"pyplowtest.{tag}", stream=f"PYPLOWTEST_{tag}", durable="enrich")

    async def setup() -> None:
        sink = await NatsSink.connect(config)
        await sink.write([b"a", b"b", b"c"])
        await sink.close()
        source = await NatsSource.connect(config)
        batch = await source.next_batch(1, timeout=2)
        assert batch is not None
        await batch.ack()
        await source.close()

    async def teardown() -> None:
        import nats

        client = await nats.connect("nats://127.0.0.1:4222")
        await client.jetstream().delete_stream(config.stream)
        await client.close()

    asyncio.run(setup())
    try:
        assert main(["status", "--prefix", f"PYPLOWTEST_{tag}", "--json"]) == 0
        (stream,) = json.loads(capsys.readouterr().out)
        assert stream["name"] == config.stream
        assert stream["messages"] == 3
        (consumer,) = stream["consumers"]
        assert consumer["name"] == "enrich"
        assert consumer["pending"] == 2  # two messages not delivered yet
        assert main(["status", "--prefix", f"PYPLOWTEST_{tag}"]) == 0
        assert "enrich" in capsys.readouterr().out
    finally:
        asyncio.run(teardown())


def test_unreachable_server_is_a_clear_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--servers", "nats://127.0.0.1:1"]) == 1
    assert "cannot read NATS" in capsys.readouterr().err
