"""The Python analytics SDK: enriched events as DataFrames, and the SDKs' JSON shapes.

- :func:`transform`: one enriched TSV line → the Snowplow analytics SDK's JSON shape (a dict;
  the same function as :func:`pyplow.event.transform`). :func:`to_sdk_json`,
  :func:`to_python_sdk_json` and :func:`to_lossless_json` give the other shapes of a decoded
  :class:`~pyplow.event.EnrichedEvent`.
- :func:`read_events`: the events of a DuckDB database, a PostgreSQL database, a Parquet
  dataset or a folder of enriched TSV files, in a ``[start, end)`` window of
  ``collector_tstamp``, as a polars or pandas DataFrame (or an Arrow table). The layout is the
  same for every source (see :mod:`pyplow.analytics.columns`).

polars and pandas come with ``pip install 'pyplow[analytics]'``; nothing here imports them
(or pyarrow, DuckDB, psycopg) until it is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from pyplow.analytics.columns import Selection, conform
from pyplow.analytics.sources import ReadOptions, SourceKind, detect, read_table
from pyplow.analytics.window import Instant, TimeWindow
from pyplow.event.sdk import (
    EventParseError,
    to_lossless_json,
    to_python_sdk_json,
    to_sdk_json,
    transform,
)

if TYPE_CHECKING:
    import polars

    from pyplow.iglu import Resolver

__all__ = [
    "EventParseError",
    "FrameEngine",
    "read_arrow",
    "read_events",
    "to_frame",
    "to_lossless_json",
    "to_python_sdk_json",
    "to_sdk_json",
    "transform",
]

FrameEngine = Literal["polars", "pandas", "arrow"]
Source = str | os.PathLike[str]
OnError = Literal["raise", "skip"]


def read_arrow(
    source: Source,
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
) -> Any:
    """The events of ``source`` with ``start <= collector_tstamp < end`` as a pyarrow Table.

    ``source``: a DuckDB file (``*.duckdb``, ``duckdb:///path``), a PostgreSQL DSN
    (``postgresql://…``), a Parquet dataset (local folder or fsspec URL) or enriched TSV
    (a ``*.tsv`` file or a folder of them); ``kind`` overrides the guess. ``start`` and
    ``end``: datetimes (naive ones are UTC), dates or ISO-8601 text; ``None`` leaves that side
    open. ``columns``: the columns to return, in order (default: all). ``schema`` / ``table``:
    where DuckDB and PostgreSQL keep the events. ``storage_options``: fsspec options (S3
    credentials…). ``on_error``: ``"skip"`` drops TSV lines that are not valid events.
    ``resolver``: the Iglu resolver whose schemas type the wide columns of TSV events
    (default: pyplow's embedded registry; families it does not know get inferred types).

    Raises ``ValueError`` for arguments that cannot work (unknown source, empty window,
    unknown column) and :class:`~pyplow.analytics.sources.SourceError` when reading fails.
    """
    window = TimeWindow.of(start, end)
    selection = Selection.of(columns)
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error is {on_error!r}; expected 'raise' or 'skip'")
    spec = detect(source, kind)
    options = ReadOptions(
        schema=schema,
        table=table,
        storage_options=dict(storage_options or {}),
        on_error=on_error,
        resolver=resolver,
    )
    return conform(read_table(spec, window, selection, options), selection)


def _pandas(table: Any) -> Any:
    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow as pa  # type: ignore[import-untyped]

    # Nullable integer and boolean columns stay integers and booleans (not float / object);
    # timestamps become datetime64[us, UTC]; money stays exact (Decimal objects).
    mapping = {
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    return table.to_pandas(types_mapper=mapping.get)


def to_frame(table: Any, engine: FrameEngine = "polars") -> Any:
    """An Arrow table as a polars or pandas DataFrame (``"arrow"``: the table itself)."""
    if engine == "arrow":
        return table
    if engine == "polars":
        try:
            import polars as pl
        except ImportError as exc:
            raise ImportError(
                "engine='polars' needs polars; expected it from `pip install 'pyplow[analytics]'`"
            ) from exc
        return pl.from_arrow(table)
    if engine == "pandas":
        try:
            return _pandas(table)
        except ImportError as exc:
            raise ImportError(
                "engine='pandas' needs pandas; expected it from `pip install 'pyplow[analytics]'`"
            ) from exc
    raise ValueError(f"unknown engine {engine!r}; expected 'polars', 'pandas' or 'arrow'")


@overload
def read_events(
    source: Source,
    start: Instant | None = None,
    end: Instant | None = None,
    *,
    engine: Literal["polars"] = "polars",
    columns: Iterable[str] | None = None,
    kind: SourceKind | None = None,
    schema: str = "atomic",
    table: str = "events",
    storage_options: Mapping[str, Any] | None = None,
    on_error: OnError = "raise",
    resolver: Resolver | None = None,
) -> polars.DataFrame: ...


@overload
def read_events(
    source: Source,
    start: Instant | None = None,
    end: Instant | None = None,
    *,
    engine: Literal["pandas", "arrow"],
    columns: Iterable[str] | None = None,
    kind: SourceKind | None = None,
    schema: str = "atomic",
    table: str = "events",
    storage_options: Mapping[str, Any] | None = None,
    on_error: OnError = "raise",
    resolver: Resolver | None = None,
) -> Any: ...


@overload
def read_events(
    source: Source,
    start: Instant | None = None,
    end: Instant | None = None,
    *,
    engine: FrameEngine,
    columns: Iterable[str] | None = None,
    kind: SourceKind | None = None,
    schema: str = "atomic",
    table: str = "events",
    storage_options: Mapping[str, Any] | None = None,
    on_error: OnError = "raise",
    resolver: Resolver | None = None,
) -> Any: ...


def read_events(
    source: Source,
    start: Instant | None = None,
    end: Instant | None = None,
    *,
    engine: FrameEngine = "polars",
    columns: Iterable[str] | None = None,
    kind: SourceKind | None = None,
    schema: str = "atomic",
    table: str = "events",
    storage_options: Mapping[str, Any] | None = None,
    on_error: OnError = "raise",
    resolver: Resolver | None = None,
) -> Any:
    """The events of ``source`` in ``[start, end)`` as a DataFrame of ``engine``.

    ``engine``: ``"polars"`` (default), ``"pandas"`` or ``"arrow"`` (a pyarrow Table). The
    other arguments are those of :func:`read_arrow`.
    """
    if engine not in ("polars", "pandas", "arrow"):
        raise ValueError(f"unknown engine {engine!r}; expected 'polars', 'pandas' or 'arrow'")
    table_ = read_arrow(
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
    return to_frame(table_, engine)
