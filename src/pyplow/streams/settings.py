"""Stream settings as they appear in config files, and building sinks and sources from them.

A sink or source is a tagged union on ``type``: ``memory``, ``file``, ``stdout``/``stdin`` and
``nats``. The collector, enrich and the loaders all use these. What a record looks like on a
line-based medium (``framing``) is the caller's choice: raw records are base64 lines, enriched
rows and bad rows are text lines. Heavy clients (NATS) are imported only when configured.
"""

from __future__ import annotations

import os

import msgspec

from pyplow.streams.base import Framing, Sink, Source
from pyplow.streams.file import FileSink, FileSinkConfig, FileSource
from pyplow.streams.memory import MemoryStream
from pyplow.streams.stdio import StdinSource, StdoutSink, stderr_sink

__all__ = [
    "FileSinkSettings",
    "FileSourceSettings",
    "MemorySinkSettings",
    "MemorySourceSettings",
    "NatsSinkSettings",
    "NatsSourceSettings",
    "SinkSettings",
    "SourceSettings",
    "StdinSourceSettings",
    "StdoutSinkSettings",
    "build_sink",
    "build_source",
]


class MemorySinkSettings(msgspec.Struct, frozen=True, kw_only=True, tag="memory"):
    """An in-process queue (the embedded pipeline; tests)."""

    capacity: int = 100_000
    max_record_bytes: int = 1_000_000


class FileSinkSettings(msgspec.Struct, frozen=True, kw_only=True, tag="file"):
    """Rotating line files in ``path``."""

    path: str
    prefix: str = ""
    max_file_bytes: int = 128 * 1024 * 1024
    max_file_seconds: float = 3600.0
    gzip: bool = False
    fsync: bool = True
    max_record_bytes: int = 1_000_000


class StdoutSinkSettings(msgspec.Struct, frozen=True, kw_only=True, tag="stdout"):
    """Standard output (or standard error, for a collector's bad rows, like Snowplow's)."""

    max_record_bytes: int = 1_000_000


class NatsSinkSettings(msgspec.Struct, frozen=True, kw_only=True, tag="nats"):
    """NATS JetStream: each record published to ``subject`` and acknowledged by ``stream``."""

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    subject: str = ""
    stream: str = ""
    create_stream: bool = True
    retention_max_age_seconds: float = 7 * 24 * 3600.0
    max_record_bytes: int = 1_000_000


SinkSettings = MemorySinkSettings | FileSinkSettings | StdoutSinkSettings | NatsSinkSettings


class MemorySourceSettings(msgspec.Struct, frozen=True, kw_only=True, tag="memory"):
    """Reads the memory stream named ``name`` (given to ``build_source``)."""

    name: str = "raw"


class FileSourceSettings(msgspec.Struct, frozen=True, kw_only=True, tag="file"):
    """Reads finished line files (plain or ``.gz``) from files and folders; finite."""

    paths: tuple[str, ...]


class StdinSourceSettings(msgspec.Struct, frozen=True, kw_only=True, tag="stdin"):
    """Reads lines from standard input; finite."""


class NatsSourceSettings(msgspec.Struct, frozen=True, kw_only=True, tag="nats"):
    """A durable pull consumer on a JetStream stream, shared by every process using it."""

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    subject: str = ""
    stream: str = ""
    durable: str = ""
    create_stream: bool = True
    ack_wait_seconds: float = 60.0


SourceSettings = (
    MemorySourceSettings | FileSourceSettings | StdinSourceSettings | NatsSourceSettings
)


async def build_sink(
    settings: SinkSettings,
    *,
    framing: Framing,
    name: str,
    extension: str = "lines",
    stderr: bool = False,
    memory: dict[str, MemoryStream] | None = None,
) -> Sink:
    """A ready sink. ``name`` labels its files (``<name>-<pid>-…``), NATS subject and stream
    defaults (``pyplow.<name>``, ``PYPLOW_<NAME>``) and its memory stream; ``stderr`` sends a
    ``stdout`` sink to standard error; ``memory`` receives created memory streams by name."""
    sink: Sink
    if isinstance(settings, MemorySinkSettings):
        stream = (memory or {}).get(name) or MemoryStream(capacity=settings.capacity)
        if memory is not None:
            memory[name] = stream
        sink = stream.sink()
    elif isinstance(settings, FileSinkSettings):
        sink = FileSink(
            FileSinkConfig(
                path=settings.path,
                prefix=settings.prefix or f"{name}-{os.getpid()}",
                extension=extension,
                framing=framing,
                max_file_bytes=settings.max_file_bytes,
                max_file_seconds=settings.max_file_seconds,
                gzip=settings.gzip,
                fsync=settings.fsync,
            )
        )
    elif isinstance(settings, StdoutSinkSettings):
        sink = stderr_sink(framing) if stderr else StdoutSink(framing)
    elif isinstance(settings, NatsSinkSettings):
        from pyplow.streams.nats import NatsConfig, NatsSink

        sink = await NatsSink.connect(
            NatsConfig(
                servers=settings.servers,
                subject=settings.subject or f"pyplow.{name}",
                stream=settings.stream or f"PYPLOW_{name.upper()}",
                create_stream=settings.create_stream,
                retention_max_age_seconds=settings.retention_max_age_seconds,
                max_msg_bytes=settings.max_record_bytes,
            )
        )
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"unknown sink settings {settings!r}")
    sink.max_record_bytes = settings.max_record_bytes
    return sink


async def build_source(
    settings: SourceSettings,
    *,
    framing: Framing,
    name: str,
    memory: dict[str, MemoryStream] | None = None,
) -> Source:
    """A ready source (``name``: NATS defaults and the memory stream, as in ``build_sink``)."""
    if isinstance(settings, MemorySourceSettings):
        key = settings.name or name
        if memory is None or key not in memory:
            raise ValueError(f"no memory stream named {key!r} in this process")
        return memory[key].source()
    if isinstance(settings, FileSourceSettings):
        return FileSource(list(settings.paths), framing)
    if isinstance(settings, StdinSourceSettings):
        return StdinSource(framing)
    if isinstance(settings, NatsSourceSettings):
        from pyplow.streams.nats import NatsConfig, NatsSource

        return await NatsSource.connect(
            NatsConfig(
                servers=settings.servers,
                subject=settings.subject or f"pyplow.{name}",
                stream=settings.stream or f"PYPLOW_{name.upper()}",
                durable=settings.durable or "pyplow",
                create_stream=settings.create_stream,
                ack_wait_seconds=settings.ack_wait_seconds,
            )
        )
    raise TypeError(f"unknown source settings {settings!r}")  # pragma: no cover
