"""``file``: line files, one record per line, with rotation and optional gzip.

``FileSink`` appends to ``<prefix>-<UTC time>-<n>.<extension>[.gz].inprogress`` and renames the
file to its final name when it rotates (by size or age) or the sink closes, so a reader of the
folder never sees a half-written file. A batch is durable when ``write`` returns: lines are flushed
and, unless ``fsync`` is off, fsynced. Files left ``.inprogress`` by a crash are finished when a
sink starts on the same folder (a torn last line of a plain file is cut off first).

``FileSource`` reads finished files (plain or ``.gz``) from files and folders in name order. It is
finite: ``finished`` turns true at the end. Acknowledging is a no-op — running the same input again
reads it again, and loaders remove the duplicates.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import msgspec

from pyplow.streams.base import Framing, LineSource, Sink

INPROGRESS = ".inprogress"


class FileSinkConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Settings of a file sink."""

    path: str
    prefix: str = "part"
    extension: str = "lines"
    framing: Framing = Framing.TEXT
    max_file_bytes: int = 128 * 1024 * 1024
    max_file_seconds: float = 3600.0
    gzip: bool = False
    fsync: bool = True


class FileSink(Sink):
    """Appends records as lines to rotating files in one folder."""

    max_record_bytes = 1_000_000_000

    def __init__(self, config: FileSinkConfig, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.config = config
        self.folder = Path(config.path)
        self._clock = clock or (lambda: datetime.now(UTC).timestamp())
        self._lock = threading.Lock()
        self._file: IO[bytes] | gzip.GzipFile | None = None
        self._raw: IO[bytes] | None = None
        self._current: Path | None = None
        self._opened_at = 0.0
        self._written = 0
        self._sequence = 0
        self._closed = False
        self.folder.mkdir(parents=True, exist_ok=True)
        recover_inprogress(self.folder, config.prefix)

    @property
    def current_file(self) -> Path | None:
        """The file being written (still ``.inprogress``), if any."""
        return self._current

    async def write(self, records: Sequence[bytes]) -> None:
        if self._closed:
            raise RuntimeError("write after close")
        self.counters.received += len(records)
        lines = b"".join(self.config.framing.to_line(r) + b"\n" for r in records)
        try:
            await asyncio.to_thread(self._write_sync, lines)
        except OSError:
            self.counters.errors += 1
            raise
        self.counters.sent += len(records)

    async def tick(self) -> None:
        """Rotate the current file if it is old enough; call this periodically when idle."""
        await asyncio.to_thread(self._rotate_if_due, 0)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await asyncio.to_thread(self._finish)

    # --- blocking part, run in a worker thread ---------------------------------------------

    def _write_sync(self, lines: bytes) -> None:
        with self._lock:
            self._rotate_if_due(len(lines), locked=True)
            if self._file is None:
                self._open()
            assert self._file is not None
            assert self._raw is not None
            self._file.write(lines)
            self._file.flush()
            if self.config.gzip:
                # GzipFile.flush with the default mode ends a deflate block: what was
                # written can be read back even if the process dies now.
                self._raw.flush()
            if self.config.fsync:
                os.fsync(self._raw.fileno())
            self._written += len(lines)

    def _rotate_if_due(self, incoming: int, locked: bool = False) -> None:
        if not locked:
            with self._lock:
                self._rotate_if_due(incoming, locked=True)
            return
        if self._file is None:
            return
        too_big = self._written > 0 and self._written + incoming > self.config.max_file_bytes
        too_old = self._clock() - self._opened_at >= self.config.max_file_seconds
        if too_big or too_old:
            self._finish_locked()

    def _open(self) -> None:
        now = self._clock()
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S")
        self._sequence += 1
        name = f"{self.config.prefix}-{stamp}-{self._sequence:06d}.{self.config.extension}"
        if self.config.gzip:
            name += ".gz"
        self._current = self.folder / (name + INPROGRESS)
        self._raw = open(self._current, "ab")  # noqa: SIM115 - closed in _finish_locked
        self._file = gzip.GzipFile(fileobj=self._raw, mode="ab") if self.config.gzip else self._raw
        self._opened_at = now
        self._written = 0

    def _finish(self) -> None:
        with self._lock:
            self._finish_locked()

    def _finish_locked(self) -> None:
        if self._file is None or self._raw is None or self._current is None:
            return
        if self._file is not self._raw:
            self._file.close()
        self._raw.flush()
        if self.config.fsync:
            os.fsync(self._raw.fileno())
        self._raw.close()
        self._current.rename(self._current.with_name(self._current.name[: -len(INPROGRESS)]))
        self._file = self._raw = self._current = None


def recover_inprogress(folder: Path, prefix: str) -> list[Path]:
    """Finish files a crashed sink left ``.inprogress``; returns their final paths."""
    finished = []
    for path in sorted(folder.glob(f"{prefix}-*{INPROGRESS}")):
        if not path.name.endswith(".gz" + INPROGRESS):
            _cut_torn_line(path)
        final = path.with_name(path.name[: -len(INPROGRESS)])
        path.rename(final)
        finished.append(final)
    return finished


def _cut_torn_line(path: Path) -> None:
    with open(path, "rb+") as handle:
        data = handle.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            handle.truncate(end)


class FileSource(LineSource):
    """Reads the records of finished line files, in name order."""

    def __init__(self, paths: Sequence[str | Path], framing: Framing = Framing.TEXT) -> None:
        self.files = list(_expand(paths))
        super().__init__(framing, self._iter_lines())

    def _iter_lines(self) -> Iterator[bytes]:
        for path in self.files:
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as handle:
                try:
                    for line in handle:
                        line = line.rstrip(b"\r\n")
                        if line:
                            yield line
                except EOFError:  # a gzip file cut short by a crash: keep what was readable
                    self.counters.errors += 1


def _expand(paths: Sequence[str | Path]) -> Iterator[Path]:
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not child.name.startswith(".")
                    and not (child.name.endswith(INPROGRESS))
                ):
                    yield child
        else:
            yield path
