"""stdout sink and stdin source over in-memory binary streams."""

from __future__ import annotations

import asyncio
import io

from pyplow.streams import Framing, StdinSource, StdoutSink


def test_stdout_sink_writes_one_line_per_record() -> None:
    out = io.BytesIO()
    sink = StdoutSink(Framing.BASE64, out)
    asyncio.run(sink.write([b"\x00\xff", b"abc"]))
    assert out.getvalue() == b"AP8\nYWJj\n"
    assert sink.counters.sent == 2


def test_stdin_source_reads_batches_until_the_end() -> None:
    data = io.BytesIO(b"AP8\n\nYWJj\r\n%%%\nZA==\n")

    async def scenario() -> list[list[bytes]]:
        source = StdinSource(Framing.BASE64, data)
        batches = []
        while (batch := await source.next_batch(2, timeout=0)) is not None:
            batches.append(list(batch.records))
        assert source.finished
        assert source.counters.errors == 1
        return batches

    # Blank lines are skipped; an undecodable line is passed on, not dropped.
    assert asyncio.run(scenario()) == [[b"\x00\xff", b"abc"], [b"%%%", b"d"]]
