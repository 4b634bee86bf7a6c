"""Settings of the Parquet loader."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = ["Compression", "ParquetConfig"]

Compression = Literal["zstd", "snappy", "gzip", "lz4", "brotli", "none"]


class ParquetConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how the Parquet loader writes.

    ``path`` is the dataset root, any fsspec URL: a local path, ``file://...``,
    ``s3://bucket/prefix``, ``memory://...``. ``storage_options`` go to the fsspec filesystem
    (for S3: ``endpoint_url``, ``key``, ``secret``, ``client_kwargs``...).

    Rows are first committed to a local spool (``spool_dir``, a SQLite file that also holds
    the deduplication index); a partition's spooled rows become one Parquet file when they
    reach ``max_file_bytes`` (measured on the spooled, LZ4-compressed Arrow data, so the
    Parquet files come out somewhat smaller) or when its oldest spooled row is
    ``max_file_seconds`` old. ``max_file_seconds=0`` writes files at every ``load``.
    ``spool_dir`` defaults to ``<path>/_spool`` for a local ``path`` and is required for a
    remote one.
    """

    path: str
    storage_options: dict[str, Any] = msgspec.field(default_factory=dict)
    spool_dir: str | None = None
    max_file_bytes: int = 128 * 1024 * 1024
    max_file_seconds: float = 300.0
    compression: Compression = "zstd"
    compression_level: int | None = None
    #: Rows per Parquet row group.
    row_group_rows: int = 128 * 1024
    #: How long an event_id is remembered for deduplication.
    dedup_retention_seconds: float = 3 * 24 * 3600.0
    #: Sub-folder (under ``path``) of the bad-row files; a leading ``_`` keeps dataset
    #: readers that skip such names (pyarrow) from mixing them with the events.
    bad_rows_dir: str = "_bad_rows"

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("ParquetConfig.path is empty; expected a local path or fsspec URL")
        if self.max_file_bytes <= 0:
            raise ValueError(
                f"ParquetConfig.max_file_bytes is {self.max_file_bytes}; expected a positive size"
            )
        if self.max_file_seconds < 0:
            raise ValueError(
                f"ParquetConfig.max_file_seconds is {self.max_file_seconds}; expected >= 0"
            )
        if self.row_group_rows <= 0:
            raise ValueError(f"ParquetConfig.row_group_rows is {self.row_group_rows}; expected > 0")
        if self.dedup_retention_seconds <= 0:
            raise ValueError(
                "ParquetConfig.dedup_retention_seconds is "
                f"{self.dedup_retention_seconds}; expected a positive duration"
            )
        name = self.bad_rows_dir
        if not name or "/" in name or name in {".", ".."} or name.startswith(("date=", ".")):
            raise ValueError(
                f"ParquetConfig.bad_rows_dir is {name!r}; expected one folder name that does "
                "not start with 'date=' or '.'"
            )
