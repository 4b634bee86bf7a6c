"""Arrow data in and out of the spool, merging spooled segments, writing Parquet.

Segments are Arrow IPC streams compressed with LZ4 (fast, and a smaller spool). A roll merges
its segments with ``promote_options="permissive"``: columns missing from a segment become
nulls and struct columns get the union of their fields, so a schema family that gains a
field, or a context that appears halfway through, still gives one file. Segments whose types
really conflict (a field typed ``bigint`` in one and ``varchar`` in another) are written as
separate files, one per schema, in the order they were spooled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

import msgspec

from pyplow.loaders.parquet._deps import require
from pyplow.loaders.parquet.config import ParquetConfig

__all__ = ["bad_rows_table", "from_ipc", "merge", "to_ipc", "write_parquet"]


class _SchemaOnly(msgspec.Struct):
    schema: str | None = None


_schema_decoder = msgspec.json.Decoder(_SchemaOnly)


def to_ipc(table: Any) -> bytes:
    """``table`` as an LZ4-compressed Arrow IPC stream."""
    pa = require("pyarrow")
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def from_ipc(data: bytes) -> Any:
    """The table of an IPC stream made by :func:`to_ipc`."""
    pa = require("pyarrow")
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return reader.read_all()


def merge(tables: Sequence[Any]) -> list[Any]:
    """One table when the segments' schemas can be unified, else one per distinct schema."""
    pa = require("pyarrow")
    if not tables:
        return []
    try:
        return [pa.concat_tables(tables, promote_options="permissive")]
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    groups: list[list[Any]] = []
    for table in tables:
        for group in groups:
            if group[0].schema.equals(table.schema):
                group.append(table)
                break
        else:
            groups.append([table])
    return [pa.concat_tables(group) for group in groups]


def write_parquet(table: Any, sink: str | BinaryIO, config: ParquetConfig) -> None:
    """Write ``table`` as one Parquet file to a local path or an open binary file."""
    pq = require("pyarrow.parquet")
    compression = None if config.compression == "none" else config.compression
    pq.write_table(
        table,
        sink,
        compression=compression,
        compression_level=config.compression_level,
        row_group_size=config.row_group_rows,
    )


def bad_rows_table(rows: Sequence[bytes], load_tstamp: datetime) -> Any:
    """Bad rows as a table: ``schema`` (the bad row's schema URI, null if it has none),
    ``data`` (the JSON document as text, invalid UTF-8 replaced) and ``load_tstamp``."""
    pa = require("pyarrow")
    schemas: list[str | None] = []
    texts: list[str] = []
    for row in rows:
        try:
            schemas.append(_schema_decoder.decode(row).schema)
        except msgspec.DecodeError:
            schemas.append(None)
        texts.append(row.decode("utf-8", "replace"))
    stamp_type = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "schema": pa.array(schemas, pa.string()),
            "data": pa.array(texts, pa.string()),
            "load_tstamp": pa.array([load_tstamp] * len(rows), stamp_type),
        }
    )
