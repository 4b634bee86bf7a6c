"""``NatsSource``: a durable JetStream pull consumer, shared by any number of processes.

Every process opened with the same ``durable`` name pulls from the same consumer, so JetStream
hands each record to one of them; a stage scales by starting more processes. A batch is acked
record by record once the caller's outputs are durable; a nack asks for redelivery (after
``nack_delay_seconds``), and a batch neither acked nor nacked within ``ack_wait_seconds`` is
delivered again, to whichever process pulls next.

Settling a batch does not raise: if the acks cannot reach the server, the failure is counted in
``counters.errors`` and logged, and JetStream delivers the records again after ``ack_wait`` —
the at-least-once outcome a retry would have had.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyplow.streams.base import Batch, Source, TransientStreamError
from pyplow.streams.nats.config import NatsConfig
from pyplow.streams.nats.connection import describe, ensure_stream, log, open_connection

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext

#: Shortest fetch sent to the server: JetStream needs a positive expiry for a pull request.
_MIN_FETCH_SECONDS = 0.01


class NatsSource(Source):
    """Pulls batches from the durable consumer ``config.durable`` on ``config.stream``.

    Build it with ``await NatsSource.connect(config)``; it creates the consumer (explicit acks,
    from the first record of the stream) when it does not exist yet.
    """

    def __init__(
        self,
        config: NatsConfig,
        client: Client,
        subscription: JetStreamContext.PullSubscription,
    ) -> None:
        super().__init__()
        self.config = config
        self._client = client
        self._subscription = subscription
        self._closed = False

    @classmethod
    async def connect(cls, config: NatsConfig) -> NatsSource:
        """Connect, make sure the stream and the durable consumer exist, and bind to it.

        Raises ``TransientStreamError`` when NATS cannot be reached, ``TerminalStreamError`` for a
        configuration the server refuses.
        """
        from nats.errors import Error as NatsError
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        client = await open_connection(config)
        try:
            js = client.jetstream(timeout=config.publish_timeout)
            await ensure_stream(client, js, config)
            consumer = ConsumerConfig(
                durable_name=config.durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=config.ack_wait_seconds,
                max_deliver=config.max_deliver,
                max_ack_pending=config.max_ack_pending,
                filter_subject=config.subject,
            )
            try:
                subscription = await js.pull_subscribe(
                    config.subject, durable=config.durable, stream=config.stream, config=consumer
                )
            except (TimeoutError, NatsError) as exc:
                raise TransientStreamError(
                    f"cannot open consumer {config.durable!r} on stream {config.stream!r}: "
                    f"{describe(exc)}"
                ) from exc
        except BaseException:
            await client.close()
            raise
        return cls(config, client, subscription)

    async def next_batch(self, max_records: int, timeout: float) -> Batch | None:
        from nats.errors import Error as NatsError

        if self._closed:
            raise RuntimeError("next_batch after close")
        if max_records < 1:
            raise ValueError(f"max_records must be at least 1, got {max_records}")
        wanted = min(max_records, self.config.fetch_batch)
        try:
            messages = await self._subscription.fetch(
                batch=wanted, timeout=max(timeout, _MIN_FETCH_SECONDS)
            )
        except TimeoutError:  # nothing arrived in time (nats.errors.TimeoutError included)
            return None
        except NatsError as exc:
            self.counters.errors += 1
            raise TransientStreamError(
                f"fetching from consumer {self.config.durable!r} on stream "
                f"{self.config.stream!r} failed: {describe(exc)}"
            ) from exc
        if not messages:
            return None
        self.counters.received += len(messages)
        records = [message.data for message in messages]

        async def ack() -> None:
            await self._settle(messages, redeliver=False)

        async def nack() -> None:
            await self._settle(messages, redeliver=True)

        return Batch(records, ack, nack)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._subscription.unsubscribe()
        except Exception as exc:  # the connection may already be gone
            log.debug("unsubscribing the NATS source: %s", describe(exc))
        try:
            await self._client.close()
        except Exception as exc:  # the connection is going away either way
            log.warning("closing the NATS source connection: %s", describe(exc))

    async def _settle(self, messages: list[Msg], redeliver: bool) -> None:
        delay = self.config.nack_delay_seconds or None
        try:
            for message in messages:
                if redeliver:
                    await message.nak(delay=delay)
                else:
                    await message.ack()
            await self._client.flush(timeout=max(1, round(self.config.publish_timeout)))
        except Exception as exc:  # redelivery after ack_wait covers it
            self.counters.errors += 1
            log.warning(
                "could not %s %d records on consumer %r (they will be delivered again): %s",
                "nack" if redeliver else "ack",
                len(messages),
                self.config.durable,
                describe(exc),
            )
