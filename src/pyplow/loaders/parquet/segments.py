"""A batch's rows as spool segments: grouped by the hour of ``collector_tstamp``, each group
an LZ4-compressed Arrow IPC stream (see :mod:`~pyplow.loaders.parquet.arrowio`).

Grouping sorts the table by hour once (a stable sort: rows keep their order within an hour)
and slices it, instead of filtering the whole table once per hour; a table already in hour
order is only sliced. The IPC streams of the groups are encoded in parallel when a thread
pool is given (Arrow releases the GIL while it compresses).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from pyplow.loaders.parquet import arrowio
from pyplow.loaders.parquet._deps import require
from pyplow.loaders.parquet.layout import BAD_ROWS, EVENTS, partition_of
from pyplow.loaders.parquet.spool import Segment

__all__ = ["by_partition", "segments"]


def segments(
    table: Any, bad_rows: Sequence[bytes], load_tstamp: datetime, pool: Executor | None = None
) -> list[Segment]:
    """The spool segments of one batch: its events by partition (in the order their hours
    first appear), then its bad rows (in the partition of the load time)."""
    parts = by_partition(table)
    tables = [part for _, part in parts]
    encoded = list(pool.map(arrowio.to_ipc, tables) if pool else map(arrowio.to_ipc, tables))
    out = [
        Segment(EVENTS, partition, part.num_rows, data)
        for (partition, part), data in zip(parts, encoded, strict=True)
    ]
    if bad_rows:
        table_bad = arrowio.bad_rows_table(bad_rows, load_tstamp)
        out.append(
            Segment(BAD_ROWS, partition_of(load_tstamp), len(bad_rows), arrowio.to_ipc(table_bad))
        )
    return out


def by_partition(table: Any) -> list[tuple[str, Any]]:
    """The table's rows grouped by the hour of ``collector_tstamp``, in first-seen order (rows
    keep their order within a group)."""
    if table.num_rows == 0:
        return []
    pc = require("pyarrow.compute")
    hours = pc.floor_temporal(table.column("collector_tstamp"), unit="hour")
    distinct = pc.unique(hours)
    if len(distinct) == 1:
        return [(partition_of(distinct[0].as_py()), table)]
    if not pc.all(pc.less_equal(hours[:-1], hours[1:])).as_py():
        order = pc.sort_indices(hours)  # stable
        table, hours = table.take(order), hours.take(order)
    spans: dict[Any, tuple[int, int]] = {}
    start = 0
    for item in pc.value_counts(hours):  # in order of appearance: ascending hours here
        count = item["counts"].as_py()
        spans[item["values"].as_py()] = (start, count)
        start += count
    return [(partition_of(hour.as_py()), table.slice(*spans[hour.as_py()])) for hour in distinct]
