"""Streams join the stages: sinks take batches of records, sources hand them out to be acked.

Backends: ``memory`` (in-process), ``file`` (rotating line files), ``stdio`` (standard streams).
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
    "Sink",
    "Source",
    "StdinSource",
    "StdoutSink",
    "StreamError",
    "TerminalStreamError",
    "TransientStreamError",
    "recover_inprogress",
    "stderr_sink",
]
