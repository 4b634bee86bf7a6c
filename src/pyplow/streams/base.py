"""The contract every stream backend keeps.

A ``Sink`` accepts batches of records and returns from ``write`` only once they are durable (for
the backend's meaning of durable: in the queue, fsynced to disk, acknowledged by the server). A
``Source`` hands out ``Batch``es; the consumer calls ``ack`` once its own outputs are durable, or
``nack`` to have the batch delivered again. Delivery is therefore at least once, end to end.

Records are ``bytes``: a Thrift ``CollectorPayload`` on the raw stream, one enriched TSV row or one
bad-row JSON document on the others. How records become lines on line-based media is ``Framing``.

Errors (the whole tree)::

    StreamError
    ├── TransientStreamError   retry with backoff (server away, queue full, disk busy)
    └── TerminalStreamError    retrying will not help (bad configuration, record too large)
"""

from __future__ import annotations

import abc
import asyncio
import binascii
import enum
from collections.abc import Awaitable, Callable, Iterator, Sequence

import msgspec
import pybase64


class StreamError(Exception):
    """A stream backend failed."""


class TransientStreamError(StreamError):
    """A failure worth retrying: the same call may succeed later."""


class TerminalStreamError(StreamError):
    """A failure no retry will cure."""


class Framing(enum.Enum):
    """How one record is written as one line.

    ``BASE64``: binary records (raw Thrift) as base64, standard alphabet, no padding — the form of
    Snowplow's stdout sink; decoding also accepts padding. ``TEXT``: records that are UTF-8 text
    without newlines (enriched TSV, bad-row JSON), written as they are.
    """

    BASE64 = "base64"
    TEXT = "text"

    def to_line(self, record: bytes) -> bytes:
        if self is Framing.BASE64:
            return pybase64.b64encode(record).rstrip(b"=")
        if b"\n" in record or b"\r" in record:
            raise TerminalStreamError("a text record must not contain a line break")
        return record

    def from_line(self, line: bytes) -> bytes:
        """The record of one line (without its line break); raises ``ValueError`` if malformed."""
        if self is Framing.BASE64:
            stripped = line.strip()
            try:
                return pybase64.b64decode(stripped + b"=" * (-len(stripped) % 4), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"not base64: {exc}") from exc
        return line

    def record_of(self, line: bytes) -> tuple[bytes, bool]:
        """The record of a line, and whether it decoded. A line that does not decode is
        passed on as it is (flag False), so that the next stage turns it into a bad row
        instead of it vanishing here."""
        try:
            return self.from_line(line), True
        except ValueError:
            return line, False


class Counters(msgspec.Struct):
    """What every component counts (exposed on /metrics)."""

    received: int = 0
    sent: int = 0
    dropped: int = 0
    errors: int = 0


class Sink(abc.ABC):
    """Where a stage writes its output."""

    #: Largest record this sink accepts, in bytes; larger ones are the caller's size violations.
    max_record_bytes: int = 1_000_000

    def __init__(self) -> None:
        self.counters = Counters()

    @abc.abstractmethod
    async def write(self, records: Sequence[bytes]) -> None:
        """Store ``records``; return only once they are durable. Raises ``StreamError``."""

    async def healthy(self) -> bool:
        """Whether the sink can currently accept writes."""
        return True

    async def close(self) -> None:  # noqa: B027 - most sinks have nothing to release
        """Flush and release resources. Writing after ``close`` is an error."""


class Batch:
    """Records handed out by a ``Source``, to be acknowledged once processed."""

    __slots__ = ("_on_ack", "_on_nack", "_settled", "records")

    def __init__(
        self,
        records: Sequence[bytes],
        on_ack: Callable[[], Awaitable[None]] | None = None,
        on_nack: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.records = records
        self._on_ack = on_ack
        self._on_nack = on_nack
        self._settled = False

    async def ack(self) -> None:
        """The records are processed and their outputs durable: never deliver them again."""
        if not self._settled:
            self._settled = True
            if self._on_ack is not None:
                await self._on_ack()

    async def nack(self) -> None:
        """Processing failed: deliver these records again."""
        if not self._settled:
            self._settled = True
            if self._on_nack is not None:
                await self._on_nack()

    def __len__(self) -> int:
        return len(self.records)


class Source(abc.ABC):
    """Where a stage reads its input."""

    def __init__(self) -> None:
        self.counters = Counters()

    @abc.abstractmethod
    async def next_batch(self, max_records: int, timeout: float) -> Batch | None:
        """Up to ``max_records`` records, waiting at most ``timeout`` seconds for the first.

        ``None`` when nothing arrived in time, or when a finite source is ``finished``.
        """

    @property
    def finished(self) -> bool:
        """True once a finite source (files, stdin) has handed out everything it has."""
        return False

    async def close(self) -> None:  # noqa: B027 - most sources have nothing to release
        """Release resources; unacknowledged batches will be delivered again elsewhere."""


class LineSource(Source):
    """A finite source of line-framed records (files, stdin): ``lines`` yields non-empty lines,
    read in a worker thread a batch at a time."""

    def __init__(self, framing: Framing, lines: Iterator[bytes]) -> None:
        super().__init__()
        self.framing = framing
        self._lines = lines
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
        for line in self._lines:
            record, decoded = self.framing.record_of(line)
            self.counters.errors += not decoded
            records.append(record)
            if len(records) >= max_records:
                return records
        self._finished = True
        return records
