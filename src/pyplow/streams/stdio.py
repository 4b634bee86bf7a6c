"""``stdout`` sink and ``stdin`` source: one record per line on the standard streams.

Like Snowplow's stdout sink, a collector writes good records to standard output and bad rows to
standard error; raw records are base64 lines (standard alphabet, no padding).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import IO

from pyplow.streams.base import Batch, Framing, Sink, Source


class StdoutSink(Sink):
    """Writes records as lines to a binary stream (standard output unless told otherwise)."""

    max_record_bytes = 1_000_000_000

    def __init__(self, framing: Framing = Framing.TEXT, stream: IO[bytes] | None = None) -> None:
        super().__init__()
        self.framing = framing
        self.stream = stream if stream is not None else sys.stdout.buffer

    async def write(self, records: Sequence[bytes]) -> None:
        self.counters.received += len(records)
        data = b"".join(self.framing.to_line(r) + b"\n" for r in records)
        await asyncio.to_thread(self._write, data)
        self.counters.sent += len(records)

    def _write(self, data: bytes) -> None:
        self.stream.write(data)
        self.stream.flush()


def stderr_sink(framing: Framing = Framing.TEXT) -> StdoutSink:
    """A sink writing to standard error (where Snowplow's stdout collector puts bad rows)."""
    return StdoutSink(framing, sys.stderr.buffer)


class StdinSource(Source):
    """Reads records, one per line, from a binary stream (standard input unless told otherwise)."""

    def __init__(self, framing: Framing = Framing.TEXT, stream: IO[bytes] | None = None) -> None:
        super().__init__()
        self.framing = framing
        self.stream = stream if stream is not None else sys.stdin.buffer
        self._finished = False

    @property
    def finished(self) -> bool:
        return self._finished

    async def next_batch(self, max_records: int, timeout: float) -> Batch | None:
        if self._finished:
            return None
        records = await asyncio.to_thread(self._read, max_records)
        if not records:
            return None
        self.counters.received += len(records)
        return Batch(records)

    def _read(self, max_records: int) -> list[bytes]:
        records: list[bytes] = []
        while len(records) < max_records:
            line = self.stream.readline()
            if not line:
                self._finished = True
                break
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            record, decoded = self.framing.record_of(line)
            self.counters.errors += not decoded
            records.append(record)
        return records
