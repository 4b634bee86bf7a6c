"""Reading enriched TSV files (``*.tsv``, ``*.tsv.gz``) as ``pyplow enrich --output`` writes.

Each line is decoded with :func:`pyplow.event.decode_tsv` (lines outside the window are
skipped before decoding, by their ``collector_tstamp`` field). The canonical columns are built
exactly as the wide-row loaders build them (:func:`pyplow.loaders.wide.atomic.atomic_arrays`),
``load_tstamp`` is null (the events were never loaded).

Wide columns are built by :class:`~pyplow.analytics.sources.tsv_wide.WideColumns` (types from
the schemas when a resolver knows them, else inferred from the values).

A line that is not a valid enriched event raises :class:`~pyplow.analytics.sources.SourceError`
naming the file and line, or is skipped with ``on_error="skip"``.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import msgspec

from pyplow.analytics.columns import Selection
from pyplow.analytics.sources import ReadOptions, SourceError
from pyplow.analytics.sources.tsv_wide import WideColumns
from pyplow.analytics.window import TimeWindow
from pyplow.event import FIELD_INDEX, EnrichedEvent, decode_tsv, describe_error

__all__ = ["read_tsv", "tsv_files"]

_SUFFIXES: Final = (".tsv", ".tsv.gz")
_CHUNK_EVENTS: Final = 10_000
_STAMP_INDEX: Final = FIELD_INDEX["collector_tstamp"]
_JSON: Final = msgspec.json.Encoder()


def tsv_files(location: str, options: ReadOptions) -> list[tuple[str, Any]]:
    """``(name, opener)`` of every TSV file at ``location`` (a file or folder, local or an
    fsspec URL), sorted by name; hidden files and files still being written are skipped."""
    if "://" not in location or location.startswith("file://"):
        path = Path(location.removeprefix("file://"))
        if path.is_file():
            return [(str(path), path.open)]
        if not path.is_dir():
            raise SourceError(f"TSV source {path} does not exist")
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_SUFFIXES))
        return [
            (str(p), p.open)
            for p in found
            if not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
    try:
        import fsspec.core  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SourceError("reading TSV from a URL needs fsspec (pyplow[parquet])") from exc
    try:
        fs, root = fsspec.core.url_to_fs(location, **options.storage_options)
    except (ImportError, ValueError, TypeError) as exc:
        raise SourceError(f"cannot open {location!r}: {exc}") from exc
    if not fs.exists(root):
        raise SourceError(f"TSV source {location!r} does not exist")
    paths = [root] if fs.isfile(root) else sorted(fs.find(root))
    return [
        (p, lambda mode, p=p: fs.open(p, mode))
        for p in paths
        if p.endswith(_SUFFIXES) and not os.path.basename(p).startswith(".")
    ]


def _lines(name: str, opener: Any) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of the non-empty lines of a file (read whole, then split on
    ``\n`` only: values may hold other line separators Python would split on)."""
    try:
        with opener("rb") as raw:
            data = raw.read()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"cannot read {name}: {exc}") from exc
    text = data.decode("utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line:
            yield number, line


def _outside(line: str, window: TimeWindow) -> bool:
    """Whether the line's ``collector_tstamp`` is readable and outside the window."""
    parts = line.split("\t", _STAMP_INDEX + 1)
    if len(parts) <= _STAMP_INDEX:
        return False
    try:
        stamp = datetime.fromisoformat(parts[_STAMP_INDEX]).replace(tzinfo=UTC)
    except ValueError:
        return False
    return not window.contains(stamp)


class _Builder:
    """Collects decoded events and turns them into Arrow record batches chunk by chunk."""

    def __init__(self, options: ReadOptions) -> None:
        self.on_error = options.on_error
        self.pending: list[tuple[str, EnrichedEvent]] = []
        self.batches: list[Any] = []
        self.wide = WideColumns(options.resolver)

    def failed(self, where: str, message: str) -> None:
        if self.on_error == "raise":
            raise SourceError(f"{where}: {message}")

    def add(self, where: str, event: EnrichedEvent) -> None:
        self.pending.append((where, event))
        if len(self.pending) >= _CHUNK_EVENTS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa  # type: ignore[import-untyped]

        from pyplow.loaders.wide import ATOMIC_COLUMNS, ATOMIC_SCHEMA
        from pyplow.loaders.wide.atomic import atomic_arrays, atomic_failures

        rows = [msgspec.structs.astuple(e) for _, e in self.pending]
        failures = atomic_failures(rows)
        for i in sorted(failures):
            values = "; ".join(_JSON.encode(f["value"]).decode() for f in failures[i])
            self.failed(self.pending[i][0], f"values do not fit their columns: {values}")
        good = [i for i in range(len(rows)) if i not in failures]
        arrays = atomic_arrays([rows[i] for i in good], datetime.now(UTC))
        arrays[-1] = pa.nulls(len(good), type=ATOMIC_COLUMNS[-1][1])  # load_tstamp
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=ATOMIC_SCHEMA))
        for i in good:
            self.wide.add(self.pending[i][1])
        self.pending.clear()

    def table(self, selection: Selection) -> Any:
        import pyarrow as pa

        from pyplow.loaders.wide import ATOMIC_SCHEMA

        self.flush()
        table = pa.Table.from_batches(self.batches, schema=ATOMIC_SCHEMA)
        names = selection.fetch(table.column_names)
        table = table.select(names)
        for name, array in self.wide.arrays(selection.names):
            table = table.append_column(name, array)
        return table


def read_tsv(location: str, window: TimeWindow, selection: Selection, options: ReadOptions) -> Any:
    """The events of the TSV files at ``location`` in ``window`` as an Arrow table."""
    builder = _Builder(options)
    for name, opener in tsv_files(location, options):
        for number, line in _lines(name, opener):
            if window.bounded and _outside(line, window):
                continue
            decoded = decode_tsv(line)
            where = f"{name}:{number}"
            if isinstance(decoded, EnrichedEvent):
                stamp = decoded.collector_tstamp
                if stamp is not None and window.contains(stamp):
                    builder.add(where, decoded)
            else:
                builder.failed(where, describe_error(decoded))
    return builder.table(selection)
