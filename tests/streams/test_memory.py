"""The memory stream: bounded, in order, at least once."""

from __future__ import annotations

import asyncio

import pytest

from pyplow.streams import MemoryStream, TerminalStreamError, TransientStreamError


def test_records_flow_in_order_and_ack_frees_capacity() -> None:
    async def scenario() -> None:
        stream = MemoryStream(capacity=4)
        sink, source = stream.sink(), stream.source()
        await sink.write([b"a", b"b", b"c"])
        batch = await source.next_batch(2, timeout=0.1)
        assert batch is not None
        assert list(batch.records) == [b"a", b"b"]
        assert stream.in_flight == 2
        assert len(stream) == 1
        await batch.ack()
        assert stream.in_flight == 0
        rest = await source.next_batch(10, timeout=0.1)
        assert rest is not None
        assert list(rest.records) == [b"c"]
        await rest.ack()
        assert sink.counters.sent == 3
        assert source.counters.received == 3

    asyncio.run(scenario())


def test_nack_redelivers_at_the_head_in_order() -> None:
    async def scenario() -> None:
        stream = MemoryStream()
        await stream.sink().write([b"1", b"2", b"3", b"4"])
        source = stream.source()
        first = await source.next_batch(2, timeout=0.1)
        assert first is not None
        await first.nack()
        await first.ack()  # settling twice has no effect
        again = await source.next_batch(10, timeout=0.1)
        assert again is not None
        assert list(again.records) == [b"1", b"2", b"3", b"4"]
        assert stream.in_flight == 4

    asyncio.run(scenario())


def test_unacked_records_count_against_capacity_and_writers_time_out() -> None:
    async def scenario() -> None:
        stream = MemoryStream(capacity=2, write_timeout=0.05)
        sink, source = stream.sink(), stream.source()
        await sink.write([b"x", b"y"])
        batch = await source.next_batch(2, timeout=0.1)
        assert batch is not None
        assert not await sink.healthy()
        with pytest.raises(TransientStreamError, match="full"):
            await sink.write([b"z"])
        assert sink.counters.errors == 1
        await batch.ack()
        await sink.write([b"z"])

    asyncio.run(scenario())


def test_a_waiting_writer_proceeds_when_room_appears() -> None:
    async def scenario() -> None:
        stream = MemoryStream(capacity=1, write_timeout=2.0)
        sink, source = stream.sink(), stream.source()
        await sink.write([b"first"])
        writer = asyncio.create_task(sink.write([b"second"]))
        await asyncio.sleep(0.01)
        assert not writer.done()
        batch = await source.next_batch(1, timeout=0.1)
        assert batch is not None
        await batch.ack()
        await asyncio.wait_for(writer, 1.0)
        follow = await source.next_batch(1, timeout=0.1)
        assert follow is not None
        assert list(follow.records) == [b"second"]

    asyncio.run(scenario())


def test_batch_larger_than_capacity_is_terminal() -> None:
    async def scenario() -> None:
        with pytest.raises(TerminalStreamError):
            await MemoryStream(capacity=2).sink().write([b"1", b"2", b"3"])

    asyncio.run(scenario())


def test_empty_stream_times_out_with_none() -> None:
    async def scenario() -> None:
        assert await MemoryStream().source().next_batch(5, timeout=0.01) is None

    asyncio.run(scenario())


def test_competing_sources_share_records_without_duplicates() -> None:
    async def scenario() -> None:
        stream = MemoryStream()
        await stream.sink().write([str(i).encode() for i in range(100)])
        seen: list[bytes] = []

        async def consume() -> None:
            source = stream.source()
            while (batch := await source.next_batch(7, timeout=0.01)) is not None:
                seen.extend(batch.records)
                await batch.ack()

        await asyncio.gather(consume(), consume(), consume())
        assert sorted(seen) == sorted(str(i).encode() for i in range(100))

    asyncio.run(scenario())
