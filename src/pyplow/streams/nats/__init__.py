"""``nats``: NATS JetStream streams, the backend of the distributed pipeline.

``NatsSink`` publishes batches and returns once JetStream has stored every record;
``NatsSource`` is a durable pull consumer that any number of processes share. Both need the
optional ``nats-py`` client (``pip install 'pyplow[nats]'``), imported only when connecting.
"""

from pyplow.streams.nats.config import NatsConfig
from pyplow.streams.nats.sink import MessageId, NatsSink, content_message_id
from pyplow.streams.nats.source import NatsSource

__all__ = ["MessageId", "NatsConfig", "NatsSink", "NatsSource", "content_message_id"]
