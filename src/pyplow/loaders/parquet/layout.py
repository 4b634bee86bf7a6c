"""Where files go: the Hive-style partition layout of the Parquet dataset.

Events (``<root>`` is the configured ``path``)::

    <root>/date=YYYY-MM-DD/hour=HH/part-<uuid>.parquet

``date`` and ``hour`` are those of ``collector_tstamp`` in UTC (``hour`` two digits,
``00``–``23``). Bad rows, partitioned by the time they were loaded::

    <root>/_bad_rows/date=YYYY-MM-DD/hour=HH/part-<uuid>.parquet

A roll whose spooled rows cannot share one schema is written as several files, the first
named ``part-<uuid>.parquet``, the next ``part-<uuid>-1.parquet`` and so on. While a local
file is being written it is named ``.part-<uuid>.parquet.tmp`` in the same folder (hidden,
and not matched by ``*.parquet`` globs), then renamed.

Readers: ``read_parquet('<root>/date=*/hour=*/*.parquet', hive_partitioning=true,
union_by_name=true)`` in DuckDB; ``pyarrow.dataset.dataset('<root>', partitioning='hive')``
(which skips ``_bad_rows`` as it skips every name starting with ``_`` or ``.``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final, Literal

__all__ = [
    "BAD_ROWS",
    "EVENTS",
    "Kind",
    "file_name",
    "parse_partition",
    "partition_of",
    "target_dir",
    "temp_name",
]

Kind = Literal["events", "bad_rows"]
EVENTS: Final[Kind] = "events"
BAD_ROWS: Final[Kind] = "bad_rows"

_PARTITION = re.compile(r"date=(\d{4})-(\d{2})-(\d{2})/hour=(\d{2})")


def partition_of(instant: datetime) -> str:
    """``date=YYYY-MM-DD/hour=HH`` of ``instant`` in UTC (a naive datetime is taken as UTC)."""
    utc = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    return f"date={utc.year:04d}-{utc.month:02d}-{utc.day:02d}/hour={utc.hour:02d}"


def parse_partition(partition: str) -> datetime | None:
    """The start of the hour a partition names, or ``None`` if it is not one of ours."""
    match = _PARTITION.fullmatch(partition)
    if match is None:
        return None
    year, month, day, hour = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, tzinfo=UTC)
    except ValueError:
        return None


def target_dir(root: str, kind: Kind, partition: str, bad_rows_dir: str) -> str:
    """The folder (fsspec path, ``/``-separated) of a partition's files."""
    base = root.rstrip("/")
    if kind == BAD_ROWS:
        return f"{base}/{bad_rows_dir}/{partition}"
    return f"{base}/{partition}"


def file_name(roll_id: str, index: int) -> str:
    """The name of the ``index``-th file of a roll."""
    return f"part-{roll_id}.parquet" if index == 0 else f"part-{roll_id}-{index}.parquet"


def temp_name(name: str) -> str:
    """The hidden name a local file has while it is written."""
    return f".{name}.tmp"
