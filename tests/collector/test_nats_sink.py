"""The collector writing raw records to NATS JetStream (the real server on 127.0.0.1:4222)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import CollectorConfig, MemorySinkSettings, NatsSinkSettings
from pyplow.collector.server import build_collector
from pyplow.protocol import CollectorPayload, decode_collector_payload
from pyplow.streams.nats import NatsConfig, NatsSource

from .conftest import FAST

pytestmark = pytest.mark.integration


async def test_records_reach_jetstream_and_can_be_consumed(require_service: object) -> None:
    require_service("NATS", "127.0.0.1", 4222)  # type: ignore[operator]
    tag = uuid.uuid4().hex[:10]
    subject, stream = f"pyplow.test.raw.{tag}", f"PYPLOW_TEST_RAW_{tag}"
    config = CollectorConfig(
        buffer=FAST,
        good=NatsSinkSettings(subject=subject, stream=stream, retention_max_age_seconds=600),
        bad=MemorySinkSettings(),
    )
    collector = await build_collector(config)
    assert collector.name.startswith("pyplow-")
    assert collector.name.endswith("natssink")
    await collector.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=CollectorApp(collector)), base_url="http://c.test"
    )
    source = await NatsSource.connect(
        NatsConfig(subject=subject, stream=stream, durable="enrich", create_stream=False)
    )
    try:
        for n in range(20):
            assert (await client.get(f"/i?e=pv&n={n}")).status_code == 200
        body = json.dumps({"schema": "iglu:x/y/jsonschema/1-0-0", "data": [{"e": "pv"}]})
        post = await client.post(
            "/com.snowplowanalytics.snowplow/tp2",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert post.status_code == 200
        received: list[CollectorPayload] = []
        for _ in range(50):
            batch = await source.next_batch(100, timeout=0.2)
            if batch is None:
                if len(received) >= 21:
                    break
                continue
            for record in batch.records:
                payload = decode_collector_payload(record)
                assert isinstance(payload, CollectorPayload)
                received.append(payload)
            await batch.ack()
        assert sorted(p.querystring or "" for p in received[:20]) == sorted(
            f"e=pv&n={n}" for n in range(20)
        )
        assert received[-1].body == body
        assert len(received) == 21
    finally:
        await client.aclose()
        await collector.stop()
        await source.close()
        import nats

        nc = await nats.connect("nats://127.0.0.1:4222")
        await nc.jetstream().delete_stream(stream)
        await nc.close()
