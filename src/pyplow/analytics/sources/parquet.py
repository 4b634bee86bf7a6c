"""Reading the Parquet loader's dataset (local or any fsspec URL, S3 included).

The dataset is ``<root>/date=YYYY-MM-DD/hour=HH/*.parquet`` (see
:mod:`pyplow.loaders.parquet.layout`): only the hours that overlap the window are listed and
read. A root without such partitions is read as every ``*.parquet`` file beneath it, and a
single file as itself; names starting with ``_`` or ``.`` (the loader's spool, bad rows and
files being written) are skipped.

Files written at different times may hold different wide columns, or a struct column with
more fields; the per-file tables are concatenated with Arrow's permissive promotion (missing
columns and fields become null), the same rule the loader uses when it merges its segments.
The ``date`` and ``hour`` partition keys are not returned: they repeat ``collector_tstamp``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Final

from pyplow.analytics.columns import SORT_KEYS, Selection
from pyplow.analytics.sources import ReadOptions, SourceError
from pyplow.analytics.window import TimeWindow

__all__ = ["dataset_files", "read_parquet"]

_PARTITION: Final = re.compile(r"(?:^|/)(date=[^/]+/hour=[^/]+)/[^/]+$")
_HOUR: Final = timedelta(hours=1)


def _visible(path: str, root: str) -> bool:
    relative = path[len(root) :].strip("/")
    return not any(part.startswith(("_", ".")) for part in relative.split("/"))


def dataset_files(fs: Any, root: str, window: TimeWindow) -> list[str]:
    """The ``*.parquet`` files under ``root`` that may hold events of ``window``, sorted."""
    from pyplow.loaders.parquet.layout import parse_partition

    root = root.rstrip("/")
    if fs.isfile(root):
        return [root]
    if not fs.isdir(root):
        raise SourceError(f"Parquet dataset {root!r} does not exist")
    partitioned = [p for p in fs.glob(f"{root}/date=*/hour=*/*.parquet") if _visible(p, root)]
    if not partitioned:
        found = fs.find(root)
        return sorted(p for p in found if p.endswith(".parquet") and _visible(p, root))
    files = []
    for path in partitioned:
        match = _PARTITION.search(path)
        hour = parse_partition(match.group(1)) if match else None
        if hour is None or window.overlaps(hour, hour + _HOUR):
            files.append(path)
    return sorted(files)


def _read_file(fs: Any, path: str, selection: Selection, window: TimeWindow) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    with fs.open(path, "rb") as file:
        parquet = pq.ParquetFile(file)
        names = selection.fetch(parquet.schema_arrow.names)
        table = parquet.read(columns=names)
    if not window.bounded or not table.num_rows:
        return table
    if SORT_KEYS[0] not in table.column_names:
        raise SourceError(f"{path} has no {SORT_KEYS[0]} column to select the time window by")
    stamps = table.column(SORT_KEYS[0])
    unit = pa.timestamp(stamps.type.unit, tz=stamps.type.tz)
    keep = pc.is_valid(stamps)
    if window.start is not None:
        start = window.start if stamps.type.tz else window.start.replace(tzinfo=None)
        keep = pc.and_(keep, pc.greater_equal(stamps, pa.scalar(start, type=unit)))
    if window.end is not None:
        end = window.end if stamps.type.tz else window.end.replace(tzinfo=None)
        keep = pc.and_(keep, pc.less(stamps, pa.scalar(end, type=unit)))
    return table.filter(keep)


def read_parquet(url: str, window: TimeWindow, selection: Selection, options: ReadOptions) -> Any:
    """The selected columns of the events in ``window`` as one Arrow table."""
    try:
        import fsspec.core  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SourceError(
            "reading Parquet needs fsspec; expected it from `pip install 'pyplow[parquet]'`"
        ) from exc
    import pyarrow as pa

    try:
        fs, root = fsspec.core.url_to_fs(url, **options.storage_options)
    except (ImportError, ValueError, TypeError) as exc:
        raise SourceError(f"cannot open {url!r} as a Parquet dataset: {exc}") from exc
    try:
        files = dataset_files(fs, root, window)
        tables = [_read_file(fs, path, selection, window) for path in files]
    except SourceError:
        raise
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"reading Parquet dataset {url!r} failed: {exc}") from exc
    if not tables:
        return _empty()
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise SourceError(
            f"the files of Parquet dataset {url!r} have conflicting column types: {exc}"
        ) from exc


def _empty() -> Any:
    import pyarrow as pa

    from pyplow.loaders.wide import ATOMIC_SCHEMA

    return pa.Table.from_batches([], schema=ATOMIC_SCHEMA)
