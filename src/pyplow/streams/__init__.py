"""Streams join the stages: sinks take batches of records, sources hand them out to be acked.

Backends: ``memory`` (in-process), ``file`` (rotating line files), ``stdio`` (standard streams),
``nats`` (NATS JetStream; its client library is imported only when a connection is made).
"""

from pyplow.streams.base import (
    Batch,
    Counters,
    Framing,
    Sink,
    Source,
    StreamError,
    TerminalStreamError,
    TransientStreamError,
)
from pyplow.streams.file import FileSink, FileSinkConfig, FileSource, recover_inprogress
from pyplow.streams.memory import MemorySink, MemorySource, MemoryStream
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource, content_message_id
from pyplow.streams.stdio import StdinSource, StdoutSink, stderr_sink

__all__ = [
    "Batch",
    "Counters",
    "FileSink",
    "FileSinkConfig",
    "FileSource",
    "Framing",
    "MemorySink",
    "MemorySource",
    "MemoryStream",
    "NatsConfig",
    "NatsSink",
    "NatsSource",
    "Sink",
    "Source",
    "StdinSource",
    "StdoutSink",
    "StreamError",
    "TerminalStreamError",
    "TransientStreamError",
    "content_message_id",
    "recover_inprogress",
    "stderr_sink",
]
