"""``stdout`` sink and ``stdin`` source: one record per line on the standard streams.

Like Snowplow's stdout sink, a collector writes good records to standard output and bad rows to
standard error; raw records are base64 lines (standard alphabet, no padding).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from typing import IO

from pyplow.streams.base import Framing, LineSource, Sink


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


class StdinSource(LineSource):
    """Reads records, one per line, from a binary stream (standard input unless told otherwise)."""

    def __init__(self, framing: Framing = Framing.TEXT, stream: IO[bytes] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdin.buffer
        super().__init__(framing, _non_empty_lines(self.stream))


def _non_empty_lines(stream: IO[bytes]) -> Iterator[bytes]:
    for line in iter(stream.readline, b""):
        line = line.rstrip(b"\r\n")
        if line:
            yield line
