"""NatsSink and NatsSource against a real NATS JetStream server (127.0.0.1:4222).

Every test uses its own stream and subject, deleted at the end.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.streams import Batch, Source, TerminalStreamError, TransientStreamError
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource, content_message_id

pytestmark = pytest.mark.integration

HOST, PORT = "127.0.0.1", 4222

RequireService = Callable[[str, str, int], None]


def fresh_config(port: int = PORT, **overrides: object) -> NatsConfig:
    tag = uuid.uuid4().hex[:12]
    base = NatsConfig(
        servers=(f"nats://{HOST}:{port}",),
        subject=f"pyplow.test.{tag}",
        stream=f"PYPLOW_TEST_{tag}",
        durable="workers",
        connect_timeout=1.0,
        publish_timeout=2.0,
        retention_max_age_seconds=600.0,
    )
    return msgspec.structs.replace(base, **overrides)


async def delete_stream(config: NatsConfig) -> None:
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(list(config.servers), connect_timeout=1)
    try:
        await client.jetstream().delete_stream(config.stream)
    except NotFoundError:
        pass
    finally:
        await client.close()


async def stored_messages(config: NatsConfig) -> int:
    import nats

    client = await nats.connect(list(config.servers), connect_timeout=1)
    try:
        info = await client.jetstream().stream_info(config.stream)
        return info.state.messages
    finally:
        await client.close()


async def read_all(source: Source, max_records: int = 100, until: int | None = None) -> list[bytes]:
    """Records the source hands out (acking them) until ``until`` arrived or a 0.3 s fetch is
    empty."""
    records: list[bytes] = []
    while until is None or len(records) < until:
        batch = await source.next_batch(max_records, timeout=0.3)
        if batch is None:
            break
        records.extend(batch.records)
        await batch.ack()
    return records


@pytest.fixture
def config(require_service: RequireService) -> Iterator[NatsConfig]:
    require_service("NATS", HOST, PORT)
    made = fresh_config()
    yield made
    asyncio.run(delete_stream(made))


def test_a_batch_comes_back_in_order_and_is_counted(config: NatsConfig) -> None:
    records = [f"record-{i}".encode() for i in range(250)]

    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        await sink.write(records)
        assert (sink.counters.received, sink.counters.sent, sink.counters.errors) == (250, 250, 0)
        source = await NatsSource.connect(config)
        assert await read_all(source) == records
        assert source.counters.received == 250
        await sink.close()
        await source.close()

    asyncio.run(scenario())


def test_acked_records_are_not_delivered_again(config: NatsConfig) -> None:
    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        await sink.write([b"a", b"b", b"c"])
        source = await NatsSource.connect(config)
        batch = await source.next_batch(10, timeout=1.0)
        assert batch is not None
        assert list(batch.records) == [b"a", b"b", b"c"]
        await batch.ack()
        await source.close()
        # A new process on the same durable finds nothing left.
        again = await NatsSource.connect(config)
        assert await again.next_batch(10, timeout=0.3) is None
        info = await again._subscription.consumer_info()
        assert (info.num_pending, info.num_ack_pending) == (0, 0)
        await again.close()
        await sink.close()

    asyncio.run(scenario())


def test_a_nacked_batch_is_delivered_again(config: NatsConfig) -> None:
    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        await sink.write([b"x", b"y"])
        source = await NatsSource.connect(config)
        first = await source.next_batch(10, timeout=1.0)
        assert first is not None
        await first.nack()
        second = await source.next_batch(10, timeout=1.0)
        assert second is not None
        assert sorted(second.records) == [b"x", b"y"]
        await second.ack()
        assert await source.next_batch(10, timeout=0.3) is None
        assert source.counters.received == 4
        await source.close()
        await sink.close()

    asyncio.run(scenario())


def test_a_nack_delay_postpones_redelivery(config: NatsConfig) -> None:
    delayed = msgspec.structs.replace(config, nack_delay_seconds=0.8)

    async def scenario() -> None:
        sink = await NatsSink.connect(delayed)
        await sink.write([b"later"])
        source = await NatsSource.connect(delayed)
        batch = await source.next_batch(10, timeout=1.0)
        assert batch is not None
        started = time.monotonic()
        await batch.nack()
        assert await source.next_batch(10, timeout=0.3) is None
        again = await source.next_batch(10, timeout=2.0)
        assert again is not None
        assert list(again.records) == [b"later"]
        assert time.monotonic() - started >= 0.7
        await again.ack()
        await source.close()
        await sink.close()

    asyncio.run(scenario())


def test_an_unsettled_batch_is_delivered_again_after_ack_wait(config: NatsConfig) -> None:
    short = msgspec.structs.replace(config, ack_wait_seconds=1.0)

    async def scenario() -> None:
        sink = await NatsSink.connect(short)
        await sink.write([b"slow-1", b"slow-2"])
        worker = await NatsSource.connect(short)
        taken = await worker.next_batch(10, timeout=1.0)
        assert taken is not None
        # Within ack_wait, another process on the durable gets nothing ...
        other = await NatsSource.connect(short)
        assert await other.next_batch(10, timeout=0.3) is None
        # ... and after it the records come back, as the first worker never settled them.
        await asyncio.sleep(0.9)
        again = await other.next_batch(10, timeout=1.5)
        assert again is not None
        assert sorted(again.records) == [b"slow-1", b"slow-2"]
        await again.ack()
        await sink.close()
        await worker.close()
        await other.close()

    asyncio.run(scenario())


def test_two_sources_on_one_durable_share_the_records(config: NatsConfig) -> None:
    records = [f"{i:04d}".encode() for i in range(300)]

    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        await sink.write(records)
        sources = [await NatsSource.connect(config), await NatsSource.connect(config)]
        seen: list[list[bytes]] = [[], []]
        idle = 0
        turn = 0
        while idle < 2:
            batch: Batch | None = await sources[turn].next_batch(25, timeout=0.3)
            if batch is None:
                idle += 1
            else:
                idle = 0
                seen[turn].extend(batch.records)
                await batch.ack()
            turn = 1 - turn
        assert len(seen[0]) > 0
        assert len(seen[1]) > 0
        assert not set(seen[0]) & set(seen[1])
        assert sorted(seen[0] + seen[1]) == records
        await sink.close()
        for source in sources:
            await source.close()

    asyncio.run(scenario())


def test_an_oversized_record_is_terminal_and_nothing_is_published(config: NatsConfig) -> None:
    small = msgspec.structs.replace(config, max_msg_bytes=1000)

    async def scenario() -> None:
        sink = await NatsSink.connect(small)
        assert sink.max_record_bytes == 1000
        with pytest.raises(TerminalStreamError, match="record 1 of the batch is 1001 bytes"):
            await sink.write([b"ok", b"z" * 1001, b"ok"])
        assert await stored_messages(small) == 0
        assert (sink.counters.errors, sink.counters.sent) == (1, 0)
        await sink.write([b"y" * 1000])
        assert await stored_messages(small) == 1
        await sink.close()

    asyncio.run(scenario())


def test_the_stream_is_created_with_the_configured_limits(config: NatsConfig) -> None:
    limited = msgspec.structs.replace(
        config, retention_max_bytes=10_000_000, duplicate_window_seconds=30.0
    )

    async def scenario() -> None:
        import nats

        sink = await NatsSink.connect(limited)
        client = await nats.connect(list(config.servers))
        info = await client.jetstream().stream_info(config.stream)
        assert info.config.subjects == [config.subject]
        assert info.config.max_age == pytest.approx(600.0)
        assert info.config.max_bytes == 10_000_000
        assert info.config.duplicate_window == pytest.approx(30.0)
        assert info.state.messages == 0
        await client.close()
        await sink.close()

    asyncio.run(scenario())


def test_an_existing_stream_gains_the_subject(config: NatsConfig) -> None:
    async def scenario() -> None:
        import nats

        client = await nats.connect(list(config.servers))
        js = client.jetstream()
        await js.add_stream(name=config.stream, subjects=[config.subject + ".other"])
        source = await NatsSource.connect(config)
        info = await js.stream_info(config.stream)
        assert info.config.subjects == [config.subject + ".other", config.subject]
        await source.close()
        await client.close()

    asyncio.run(scenario())


def test_a_subject_owned_by_another_stream_is_terminal(config: NatsConfig) -> None:
    rival = msgspec.structs.replace(config, stream=config.stream + "_RIVAL")

    async def scenario() -> None:
        sink = await NatsSink.connect(rival)
        await sink.close()
        try:
            with pytest.raises(TerminalStreamError, match=f"refused stream '{config.stream}'"):
                await NatsSink.connect(config)
        finally:
            await delete_stream(rival)

    asyncio.run(scenario())


def test_a_missing_stream_is_terminal_without_create_stream(config: NatsConfig) -> None:
    strict = msgspec.structs.replace(config, create_stream=False)
    with pytest.raises(TerminalStreamError, match=f"{config.stream}.*does not exist"):
        asyncio.run(NatsSink.connect(strict))
    with pytest.raises(TerminalStreamError, match="create_stream is off"):
        asyncio.run(NatsSource.connect(strict))


def test_a_dead_server_fails_clearly_within_the_connect_timeout() -> None:
    dead = fresh_config(port=1, connect_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(
        TransientStreamError, match=r"cannot connect to NATS at nats://127\.0\.0\.1:1"
    ):
        asyncio.run(NatsSink.connect(dead))
    assert time.monotonic() - started < 1.5
    with pytest.raises(TransientStreamError, match=r"within 0\.5 s"):
        asyncio.run(NatsSource.connect(dead))


def test_message_ids_let_jetstream_drop_a_rewritten_batch(config: NatsConfig) -> None:
    records = [f"event-{i}".encode() for i in range(20)]

    async def scenario() -> None:
        sink = await NatsSink.connect(config, message_id=content_message_id)
        await sink.write(records)
        await sink.write(records)  # the caller's retry after, say, a lost acknowledgement
        assert sink.duplicates == 20
        assert sink.counters.sent == 40
        assert await stored_messages(config) == 20
        await sink.close()

    asyncio.run(scenario())


def test_health_follows_the_connection_and_close_is_final(config: NatsConfig) -> None:
    async def scenario() -> None:
        sink = await NatsSink.connect(config)
        assert await sink.healthy()
        await sink.write([])
        assert sink.counters.received == 0
        await sink.close()
        await sink.close()
        assert not await sink.healthy()
        with pytest.raises(RuntimeError, match="write after close"):
            await sink.write([b"late"])
        source = await NatsSource.connect(config)
        await source.close()
        with pytest.raises(RuntimeError, match="after close"):
            await source.next_batch(1, timeout=0.1)

    asyncio.run(scenario())


def test_any_records_come_back_unchanged(require_service: RequireService) -> None:
    require_service("NATS", HOST, PORT)
    shared = fresh_config()

    @settings(
        max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(st.binary(max_size=2048), min_size=1, max_size=40))
    def round_trip(records: list[bytes]) -> None:
        async def scenario() -> list[bytes]:
            sink = await NatsSink.connect(shared)
            source = await NatsSource.connect(shared)
            await sink.write(records)
            received = await read_all(source, max_records=17, until=len(records))
            await sink.close()
            await source.close()
            return received

        assert asyncio.run(scenario()) == records

    try:
        round_trip()
    finally:
        asyncio.run(delete_stream(shared))
