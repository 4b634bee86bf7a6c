"""``NatsConfig``: every setting of the NATS JetStream sink and source, in one frozen Struct."""

from __future__ import annotations

import msgspec

#: Seven days, JetStream's usual retention for a raw stream that enrich may need to replay.
SEVEN_DAYS = 7 * 24 * 3600.0

_NAME_FORBIDDEN = frozenset(" \t\r\n.*>/\\")


class NatsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Settings shared by ``NatsSink`` and ``NatsSource``.

    Where the data goes:

    - ``servers``: NATS URLs tried in turn (``nats://host:port``; ``tls://`` for TLS).
    - ``subject``: the subject records are published to and consumed from, e.g. ``pyplow.raw``.
    - ``stream``: the JetStream stream that stores ``subject``, e.g. ``PYPLOW_RAW``.
    - ``create_stream``: on connect, create the stream when it is missing, and add ``subject`` to
      an existing stream that lacks it. The retention settings below are applied only when the
      stream is created; an existing stream keeps the limits its operator gave it. When false, a
      missing stream is a ``TerminalStreamError`` at connect time.
    - ``retention_max_age_seconds``: how long the stream keeps a record (default 7 days).
    - ``retention_max_bytes``: the most bytes the stream keeps; -1 for no limit. Oldest records
      are discarded first when either limit is reached.
    - ``replicas``: copies of the stream in a NATS cluster (1 on a single server).
    - ``duplicate_window_seconds``: how long JetStream remembers message ids (see the sink's
      ``message_id`` hook) to drop a republished record.

    Sink:

    - ``max_msg_bytes``: the largest record accepted (the sink's ``max_record_bytes``). It must
      leave room for headers within the server's ``max_payload`` (1 MiB by default).
    - ``publish_timeout``: the longest wait, in seconds, for a free publish slot or for the
      outstanding acknowledgements at the end of a write; past it the write fails as transient.
    - ``max_in_flight``: publishes awaiting their acknowledgement at once, per sink.

    Source (a durable pull consumer that any number of processes share):

    - ``durable``: the consumer's name, e.g. ``enrich``; processes with the same name share work.
    - ``ack_wait_seconds``: a batch not acknowledged within this time is delivered again.
    - ``max_deliver``: deliveries of one record before JetStream gives up; -1 for no limit.
    - ``max_ack_pending``: records handed out and not yet acknowledged, across all processes,
      before the consumer stops handing out more.
    - ``fetch_batch``: the most records one ``next_batch`` asks the server for (the caller's
      ``max_records`` is capped by it).
    - ``nack_delay_seconds``: how long a nacked record waits before redelivery (0: at once).
    The consumer's settings apply when it is created; an existing consumer keeps its own.

    Connection:

    - ``connect_timeout``: seconds per connection attempt; the first connect gives up after
      ``connect_timeout`` × number of servers with a ``TransientStreamError``.
    - ``reconnect_time_wait``: seconds between reconnection attempts to one server.
    - ``max_reconnect_attempts``: reconnection attempts per server after a connection was lost;
      -1 to try forever (writes fail as transient meanwhile).
    - ``user``/``password``, ``token``, ``creds_file``: optional credentials (a ``.creds`` file
      holds a user JWT and NKey seed).
    - ``client_name``: the connection's name in the server's monitoring.
    """

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    subject: str = "pyplow.raw"
    stream: str = "PYPLOW_RAW"
    create_stream: bool = True
    retention_max_age_seconds: float = SEVEN_DAYS
    retention_max_bytes: int = -1
    replicas: int = 1
    duplicate_window_seconds: float = 120.0

    max_msg_bytes: int = 1_000_000
    publish_timeout: float = 10.0
    max_in_flight: int = 512

    durable: str = "enrich"
    ack_wait_seconds: float = 60.0
    max_deliver: int = -1
    max_ack_pending: int = 20_000
    fetch_batch: int = 500
    nack_delay_seconds: float = 0.0

    connect_timeout: float = 2.0
    reconnect_time_wait: float = 2.0
    max_reconnect_attempts: int = -1
    user: str | None = None
    password: str | None = None
    token: str | None = None
    creds_file: str | None = None
    client_name: str = "pyplow"

    def __post_init__(self) -> None:
        if not self.servers:
            raise ValueError("servers must name at least one NATS URL, got none")
        if not self.subject or any(c in self.subject for c in " \t\r\n"):
            raise ValueError(f"subject must be non-empty without whitespace, got {self.subject!r}")
        _check_name("stream", self.stream)
        _check_name("durable", self.durable)
        positive = {
            "publish_timeout": self.publish_timeout,
            "ack_wait_seconds": self.ack_wait_seconds,
            "connect_timeout": self.connect_timeout,
            "retention_max_age_seconds": self.retention_max_age_seconds,
            "max_msg_bytes": self.max_msg_bytes,
            "max_in_flight": self.max_in_flight,
            "fetch_batch": self.fetch_batch,
            "replicas": self.replicas,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        not_negative = {
            "reconnect_time_wait": self.reconnect_time_wait,
            "nack_delay_seconds": self.nack_delay_seconds,
            "duplicate_window_seconds": self.duplicate_window_seconds,
        }
        for name, value in not_negative.items():
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        limits = {
            "retention_max_bytes": self.retention_max_bytes,
            "max_deliver": self.max_deliver,
            "max_ack_pending": self.max_ack_pending,
            "max_reconnect_attempts": self.max_reconnect_attempts,
        }
        for name, value in limits.items():
            if value == 0 or value < -1:
                raise ValueError(f"{name} must be positive or -1 (no limit), got {value}")
        if self.max_deliver == 1:
            raise ValueError("max_deliver must allow redelivery (2 or more, or -1), got 1")


def _check_name(field: str, value: str) -> None:
    if not value or any(c in _NAME_FORBIDDEN for c in value):
        raise ValueError(
            f"{field} must be a non-empty name without whitespace, '.', '*', '>', '/' or '\\', "
            f"got {value!r}"
        )
