"""Building the collector's good and bad sinks from their settings.

Good sinks carry raw records (Thrift bytes; base64 lines on line-based media), bad sinks carry
bad-row JSON. Heavy clients (NATS) are imported only when configured.
"""

from __future__ import annotations

import os
from typing import Literal

from pyplow.collector.config import (
    FileSinkSettings,
    MemorySinkSettings,
    NatsSinkSettings,
    SinkSettings,
    StdoutSinkSettings,
)
from pyplow.streams import (
    FileSink,
    FileSinkConfig,
    Framing,
    MemoryStream,
    Sink,
    StdoutSink,
    stderr_sink,
)

Role = Literal["good", "bad"]


async def build_sink(
    settings: SinkSettings, role: Role, memory: dict[str, MemoryStream] | None = None
) -> Sink:
    """A ready sink for ``role``; ``memory`` receives the streams of memory sinks by role."""
    framing = Framing.BASE64 if role == "good" else Framing.TEXT
    sink: Sink
    if isinstance(settings, MemorySinkSettings):
        stream = MemoryStream(capacity=settings.capacity)
        if memory is not None:
            memory[role] = stream
        sink = stream.sink()
    elif isinstance(settings, FileSinkSettings):
        prefix = settings.prefix or f"{'raw' if role == 'good' else 'bad'}-{os.getpid()}"
        sink = FileSink(
            FileSinkConfig(
                path=settings.path,
                prefix=prefix,
                extension="lines" if role == "good" else "json",
                framing=framing,
                max_file_bytes=settings.max_file_bytes,
                max_file_seconds=settings.max_file_seconds,
                gzip=settings.gzip,
                fsync=settings.fsync,
            )
        )
    elif isinstance(settings, StdoutSinkSettings):
        sink = StdoutSink(framing) if role == "good" else stderr_sink(framing)
    elif isinstance(settings, NatsSinkSettings):
        sink = await _nats_sink(settings, role)
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"unknown sink settings {settings!r}")
    sink.max_record_bytes = settings.max_record_bytes
    return sink


async def _nats_sink(settings: NatsSinkSettings, role: Role) -> Sink:
    from pyplow.streams.nats import NatsConfig, NatsSink

    subject = settings.subject or ("pyplow.raw" if role == "good" else "pyplow.bad")
    stream = settings.stream or ("PYPLOW_RAW" if role == "good" else "PYPLOW_BAD")
    config = NatsConfig(
        servers=settings.servers,
        subject=subject,
        stream=stream,
        create_stream=settings.create_stream,
        retention_max_age_seconds=settings.retention_max_age_seconds,
        max_msg_bytes=settings.max_record_bytes,
    )
    return await NatsSink.connect(config)
