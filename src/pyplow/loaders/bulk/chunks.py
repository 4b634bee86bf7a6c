"""Enriched TSV files as chunks of lines, and a chunk as an Arrow table of 131 text columns.

:func:`read_chunks` yields the non-empty lines of the files in order, ``rows`` at a time, with
the line rules of :class:`~pyplow.streams.FileSource` (trailing CR/LF removed, empty lines
skipped, gzip files read, a gzip file cut short ends at its last readable line), so a chunk is
exactly the batch the per-row path would load.

:func:`csv_chunk` makes a chunk readable by DuckDB as a scratch file for its CSV reader;
:func:`arrow_chunk` (when some lines do not have 131 fields, or DuckDB cannot read the file)
as an Arrow table from pyarrow's reader, with the lines without 131 fields set apart for the
per-row decoder. The enriched TSV has no quoting and no escapes.
"""

from __future__ import annotations

import contextlib
import gzip
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import msgspec

from pyplow.event import FIELD_COUNT

__all__ = [
    "ArrowLines",
    "ChunkSource",
    "Prepared",
    "arrow_chunk",
    "csv_chunk",
    "parse_arrow",
    "read_chunks",
    "register_arrow",
]

_BLOCK: Final = 16 << 20
_NAMES: Final = [f"c{i}" for i in range(FIELD_COUNT)]
_TABS: Final = FIELD_COUNT - 1


def _clean(lines: list[bytes], has_cr: bool) -> list[bytes]:
    if has_cr:
        lines = [line.rstrip(b"\r\n") for line in lines]
    return lines if all(lines) else [line for line in lines if line]


def _file_lines(path: Path) -> Iterator[list[bytes]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        tail = b""
        while True:
            try:
                block = handle.read(_BLOCK)
            except EOFError:  # a gzip file cut short by a crash: keep what was readable
                block = b""
            if not block:
                break
            lines = (tail + block).split(b"\n")
            tail = lines.pop()
            yield _clean(lines, b"\r" in block)
        if tail:
            yield _clean([tail], b"\r" in tail)


def read_chunks(paths: Sequence[Path], rows: int) -> Iterator[list[bytes]]:
    """The non-empty lines of ``paths`` (in order), ``rows`` at a time."""
    pending: list[bytes] = []
    for path in paths:
        for lines in _file_lines(path):
            pending.extend(lines)
            while len(pending) >= rows:
                yield pending[:rows]
                del pending[:rows]
    if pending:
        yield pending


class ChunkSource(msgspec.Struct):
    """A chunk readable by DuckDB: ``sql`` is a relation with ``__row`` (the line's index in
    the chunk) and ``c0`` … ``c130`` (text, NULL for an empty field), in line order."""

    sql: str
    #: Lines without 131 fields (they become ``loader_parsing_error`` bad rows).
    malformed: list[bytes]
    #: How many rows ``sql`` has.
    rows: int
    #: A registered Arrow table to unregister, or a file to delete, when done.
    view: str | None = None
    file: Path | None = None

    def close(self, con: Any) -> None:
        if self.view is not None:
            with contextlib.suppress(Exception):
                con.unregister(self.view)
        if self.file is not None:
            self.file.unlink(missing_ok=True)


class ArrowLines(msgspec.Struct):
    """A chunk split by :func:`parse_arrow`: ``table`` (``c0`` … ``c130`` then ``__row``) and
    the lines without 131 fields."""

    table: Any
    malformed: list[bytes]


class Prepared(msgspec.Struct):
    """What was made of a chunk ahead of time, in the reading thread: a scratch file by
    :func:`csv_chunk` (``source``) or an Arrow table by :func:`parse_arrow` (``arrow``);
    both ``None``: nothing, neither reader can take the chunk."""

    source: ChunkSource | None = None
    arrow: ArrowLines | None = None


_COLUMNS: Final = (
    "{'__row': 'BIGINT', " + ", ".join(f"'{name}': 'VARCHAR'" for name in _NAMES) + "}"
)


def csv_chunk(lines: Sequence[bytes], scratch: Path) -> ChunkSource | None:
    """``lines`` as a scratch file for DuckDB's CSV reader (TAB-delimited, no quoting, no
    escaping, every column text), or ``None`` when that reader cannot be trusted to split
    them as the per-row path does (a CR inside a line, a NUL, lines without 131 fields).
    Invalid UTF-8 makes reading fail: the caller then tries :func:`arrow_chunk`."""
    data = b"".join([b"%d\t%s\n" % pair for pair in enumerate(lines)])
    if b"\r" in data or b"\x00" in data or data.count(b"\t") != FIELD_COUNT * len(lines):
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    file = scratch / f"chunk-{uuid.uuid4().hex}.tsv"
    file.write_bytes(data)
    return ChunkSource(_csv_sql(file), [], len(lines), file=file)


def _csv_sql(file: Path) -> str:
    path = str(file).replace("'", "''")
    return (
        f"(SELECT * FROM read_csv('{path}', "
        f"delim = '\t', quote = '', escape = '', header = false, auto_detect = false, "
        f"strict_mode = true, new_line = '\\n', columns = {_COLUMNS}))"
    )


def arrow_chunk(con: Any, lines: Sequence[bytes]) -> ChunkSource | None:
    """``lines`` split by pyarrow's CSV reader and registered in ``con``; lines without 131
    fields are set apart. ``None`` when the chunk must be loaded row by row (a CR inside a
    line, a NUL, invalid UTF-8)."""
    parsed = parse_arrow(lines)
    return None if parsed is None else register_arrow(con, parsed)


def register_arrow(con: Any, parsed: ArrowLines) -> ChunkSource:
    """A chunk split by :func:`parse_arrow`, registered in ``con``."""
    view = f"__pyplow_chunk_{uuid.uuid4().hex}"
    con.register(view, parsed.table)
    return ChunkSource(view, parsed.malformed, parsed.table.num_rows, view=view)


def parse_arrow(lines: Sequence[bytes], *, first: bool = False) -> ArrowLines | None:
    """The Arrow side of :func:`arrow_chunk` (no DuckDB: it may run in another thread). DuckDB
    scans such a table faster than it parses the text, and the checks and the ``SELECT`` of
    the rows stored each scan the chunk. ``first``: the process's first chunk, which nothing
    else overlaps; its table is allocated by the system allocator, whose first few hundred MB
    come faster than pyarrow's default (mimalloc: 0.85 s against 0.5 s to split 200,000
    lines here), while a warm mimalloc is the faster for the chunks that follow."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    data = b"\n".join(lines)
    if b"\r" in data or b"\x00" in data:
        return None
    skipped: list[Any] = []

    def invalid(row: Any) -> str:
        skipped.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=_NAMES, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter="\t",
                quote_char=False,
                escape_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            memory_pool=pa.system_memory_pool() if first else None,
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in _NAMES},
                null_values=[""],
                strings_can_be_null=True,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):  # invalid UTF-8, most likely
        return None
    positions: Sequence[int] = range(len(lines))
    malformed: list[bytes] = []
    if skipped:
        positions = [i for i, line in enumerate(lines) if line.count(b"\t") == _TABS]
        kept = set(positions)
        malformed = [line for i, line in enumerate(lines) if i not in kept]
    if len(positions) != table.num_rows:
        return None
    return ArrowLines(table.append_column("__row", pa.array(positions, pa.int64())), malformed)
