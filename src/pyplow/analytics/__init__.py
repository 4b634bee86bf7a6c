"""Analytics on loaded events: the Python SDK (events → DataFrames, SDK JSON shapes, export).

- :mod:`~pyplow.analytics.sdk`: :func:`read_events` / :func:`read_arrow` (DuckDB, PostgreSQL,
  Parquet or enriched TSV → polars, pandas or Arrow) and :func:`transform` (TSV line → the
  analytics SDK's JSON);
- :mod:`~pyplow.analytics.export`: :func:`export_events`, one CSV or Parquet file for BI tools;
- :mod:`~pyplow.analytics.sources`: what a source string means and how each kind is read;
- :mod:`~pyplow.analytics.columns`: the column layout every source returns;
- :mod:`~pyplow.analytics.window`: the ``[start, end)`` window on ``collector_tstamp``.

Importing this package imports none of polars, pandas, pyarrow, DuckDB or psycopg.
"""

from pyplow.analytics.columns import ATOMIC_NAMES
from pyplow.analytics.export import export_events
from pyplow.analytics.sdk import (
    EventParseError,
    read_arrow,
    read_events,
    to_frame,
    to_lossless_json,
    to_python_sdk_json,
    to_sdk_json,
    transform,
)
from pyplow.analytics.sources import SourceError
from pyplow.analytics.window import TimeWindow

__all__ = [
    "ATOMIC_NAMES",
    "EventParseError",
    "SourceError",
    "TimeWindow",
    "export_events",
    "read_arrow",
    "read_events",
    "to_frame",
    "to_lossless_json",
    "to_python_sdk_json",
    "to_sdk_json",
    "transform",
]
