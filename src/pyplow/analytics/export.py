"""Writing events for BI tools and spreadsheets: one CSV or Parquet file.

- CSV: a header row, then one row per event, UTF-8. Timestamps are written in UTC without an
  offset (``2024-03-01 12:00:00.250000``, as Snowplow's warehouses show them), booleans as
  ``true``/``false``, money with its two decimals; wide columns (lists and structs, which CSV
  cannot hold) as JSON text.
- Parquet: the table as it is (nested columns kept, timestamps ``timestamp[us, tz=UTC]``),
  zstd-compressed, one file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import msgspec

from pyplow.analytics.sdk import OnError, Source, read_arrow
from pyplow.analytics.sources import SourceKind
from pyplow.analytics.window import Instant

if TYPE_CHECKING:
    from pyplow.iglu import Resolver

__all__ = ["ExportFormat", "csv_ready", "export_events", "write_table"]

ExportFormat = Literal["csv", "parquet"]
STDOUT = "-"


def _json_text(values: list[Any]) -> list[str | None]:
    encode = msgspec.json.Encoder(decimal_format="number").encode
    return [None if v is None else encode(v).decode() for v in values]


def csv_ready(table: Any) -> Any:
    """``table`` with the column types CSV can hold: nested columns as JSON text, timestamps
    as naive UTC."""
    import pyarrow as pa  # type: ignore[import-untyped]

    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_nested(kind):
            column = pa.array(_json_text(column.to_pylist()), type=pa.string())
        elif pa.types.is_timestamp(kind) and kind.tz is not None:
            column = column.cast(pa.timestamp(kind.unit, tz="UTC")).cast(pa.timestamp(kind.unit))
        elif pa.types.is_null(kind):
            column = column.cast(pa.string())
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _write_csv(table: Any, sink: str | BinaryIO) -> None:
    import pyarrow.csv as pcsv  # type: ignore[import-untyped]

    pcsv.write_csv(csv_ready(table), sink)


def write_table(table: Any, output: str | os.PathLike[str], fmt: ExportFormat) -> None:
    """Write ``table`` to the file ``output`` (``"-"``: standard output, CSV only)."""
    target = os.fspath(output)
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r}; expected 'csv' or 'parquet'")
    if target == STDOUT:
        if fmt != "csv":
            raise ValueError("only CSV can be written to standard output")
        _write_csv(table, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(target).with_name(f".{Path(target).name}.tmp")
    try:
        if fmt == "csv":
            _write_csv(table, str(temporary))
        else:
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            pq.write_table(table, str(temporary), compression="zstd")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def export_events(
    source: Source,
    output: str | os.PathLike[str],
    fmt: ExportFormat = "csv",
    start: Instant | None = None,
    end: Instant | None = None,
    *,
    columns: Iterable[str] | None = None,
    kind: SourceKind | None = None,
    schema: str = "atomic",
    table: str = "events",
    storage_options: Mapping[str, Any] | None = None,
    on_error: OnError = "raise",
    resolver: Resolver | None = None,
) -> int:
    """Read the events of ``source`` in ``[start, end)`` (see
    :func:`~pyplow.analytics.sdk.read_arrow`) and write them to ``output`` as ``fmt``;
    returns the number of events written."""
    events = read_arrow(
        source,
        start,
        end,
        columns=columns,
        kind=kind,
        schema=schema,
        table=table,
        storage_options=storage_options,
        on_error=on_error,
        resolver=resolver,
    )
    write_table(events, output, fmt)
    return int(events.num_rows)
