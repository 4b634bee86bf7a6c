"""``NatsSink``: publishes batches to a JetStream stream, durable once every record is acked.

A write publishes its records concurrently (at most ``max_in_flight`` awaiting their
acknowledgement) and returns when JetStream has acknowledged all of them, that is when they are
stored. If any acknowledgement fails or does not arrive in time, the write raises
``TransientStreamError`` and the caller writes the whole batch again: records that were stored
the first time are then stored twice, which at-least-once delivery allows.

Duplicates can be dropped at the source with a ``message_id`` hook: a function of the record that
returns its id (sent as ``Nats-Msg-Id``), or ``None`` for no id. JetStream drops a record whose id
it saw within the stream's ``duplicate_window``. The id must be a function of the record's
content (``content_message_id`` hashes it): a random id per attempt dedups nothing, and two
different records sharing an id would lose one of them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pyplow.streams.base import Sink, StreamError, TerminalStreamError, TransientStreamError
from pyplow.streams.nats.config import NatsConfig
from pyplow.streams.nats.connection import (
    HEADER_ROOM,
    describe,
    ensure_stream,
    log,
    open_connection,
)

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext

#: Computes the ``Nats-Msg-Id`` of a record, or ``None`` to send it without one.
MessageId = Callable[[bytes], str | None]

#: JetStream's error code for a message whose ``Nats-Expected-Stream`` is not the stream that
#: stores its subject (the subject belongs to another stream).
_STREAM_MISMATCH = 10060


def content_message_id(record: bytes) -> str:
    """A message id derived from the record's bytes only (BLAKE2b, 128 bits, hex)."""
    return hashlib.blake2b(record, digest_size=16).hexdigest()


class NatsSink(Sink):
    """Publishes records to ``config.subject``; build it with ``await NatsSink.connect(config)``."""

    def __init__(
        self,
        config: NatsConfig,
        client: Client,
        js: JetStreamContext,
        message_id: MessageId | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.max_record_bytes = config.max_msg_bytes
        self.duplicates = 0
        """Records JetStream reported as already stored (dropped by their message id)."""
        self._client = client
        self._js = js
        self._message_id = message_id
        self._closed = False

    @classmethod
    async def connect(cls, config: NatsConfig, message_id: MessageId | None = None) -> NatsSink:
        """Connect, check the server's payload limit and make sure the stream exists.

        Raises ``TransientStreamError`` when NATS cannot be reached within the connect timeout,
        ``TerminalStreamError`` for a configuration the server cannot serve.
        """
        client = await open_connection(config)
        try:
            if config.max_msg_bytes + HEADER_ROOM > client.max_payload:
                raise TerminalStreamError(
                    f"max_msg_bytes={config.max_msg_bytes} plus {HEADER_ROOM} bytes for headers "
                    f"exceeds the server's max_payload of {client.max_payload} bytes"
                )
            js = client.jetstream(timeout=config.publish_timeout)
            await ensure_stream(client, js, config)
        except BaseException:
            await client.close()
            raise
        return cls(config, client, js, message_id)

    async def write(self, records: Sequence[bytes]) -> None:
        if self._closed:
            raise RuntimeError("write after close")
        self.counters.received += len(records)
        for index, record in enumerate(records):
            if len(record) > self.max_record_bytes:
                self.counters.errors += 1
                raise TerminalStreamError(
                    f"record {index} of the batch is {len(record)} bytes, more than "
                    f"max_msg_bytes={self.max_record_bytes}; nothing of the batch was published"
                )
        if not records:
            return
        try:
            await self._publish_all(records)
        except StreamError:
            self.counters.errors += 1
            raise
        self.counters.sent += len(records)

    async def healthy(self) -> bool:
        return not self._closed and self._client.is_connected

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._client.close()
        except Exception as exc:  # the connection is going away either way
            log.warning("closing the NATS sink connection: %s", describe(exc))

    async def _publish_all(self, records: Sequence[bytes]) -> None:
        pending = iter(records)
        failures: list[BaseException] = []

        async def publisher() -> None:
            for record in pending:
                if failures:
                    return
                try:
                    ack = await self._js.publish(
                        self.config.subject,
                        record,
                        timeout=self.config.publish_timeout,
                        stream=self.config.stream,
                        headers=self._headers(record),
                    )
                except Exception as exc:  # every failure of a publish is reported below
                    failures.append(exc)
                    return
                if ack.duplicate:
                    self.duplicates += 1

        workers = min(self.config.max_in_flight, len(records))
        await asyncio.gather(*(publisher() for _ in range(workers)))
        if failures:
            raise self._error_for(failures[0], len(records))

    def _headers(self, record: bytes) -> dict[str, str] | None:
        if self._message_id is None:
            return None
        message_id = self._message_id(record)
        return None if message_id is None else {"Nats-Msg-Id": message_id}

    def _error_for(self, exc: BaseException, count: int) -> StreamError:
        from nats.errors import MaxPayloadError
        from nats.js.errors import APIError, NoStreamResponseError

        where = f"stream {self.config.stream!r} (subject {self.config.subject!r})"
        if isinstance(exc, APIError) and exc.err_code == _STREAM_MISMATCH:
            return TerminalStreamError(
                f"subject {self.config.subject!r} is stored by another stream than "
                f"{self.config.stream!r}: {describe(exc)}"
            )
        if isinstance(exc, MaxPayloadError):
            return TerminalStreamError(f"a record exceeds the server's max_payload: {exc}")
        if isinstance(exc, NoStreamResponseError):
            reason = "no stream answered (stream deleted, or JetStream unavailable)"
        elif isinstance(exc, TimeoutError):
            reason = f"no acknowledgement within {self.config.publish_timeout:g} s"
        else:
            reason = describe(exc)
        return TransientStreamError(
            f"publishing a batch of {count} records to {where} failed: {reason}; "
            "write the batch again"
        )
