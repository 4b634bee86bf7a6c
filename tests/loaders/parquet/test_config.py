"""ParquetConfig: defaults and the values it refuses (with what was expected)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from pyplow.loaders.parquet import ParquetConfig


def test_defaults() -> None:
    config = ParquetConfig(path="s3://bucket/lake", spool_dir="spool")
    assert config.compression == "zstd"
    assert config.max_file_bytes == 128 * 1024 * 1024
    assert config.max_file_seconds == 300.0
    assert config.bad_rows_dir == "_bad_rows"
    assert config.storage_options == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"path": ""}, "path is empty"),
        ({"max_file_bytes": 0}, "max_file_bytes is 0; expected a positive size"),
        ({"max_file_seconds": -1.0}, "max_file_seconds is -1.0; expected >= 0"),
        ({"row_group_rows": 0}, "row_group_rows is 0"),
        ({"dedup_retention_seconds": 0.0}, "dedup_retention_seconds is 0.0"),
        ({"bad_rows_dir": "a/b"}, "bad_rows_dir is 'a/b'"),
        ({"bad_rows_dir": "date=x"}, "bad_rows_dir is 'date=x'"),
    ],
)
def test_invalid_values_are_refused(changes: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"path": "lake", **changes}
    with pytest.raises(ValueError, match=message):
        ParquetConfig(**values)


def test_decodes_from_settings() -> None:
    config = msgspec.convert(
        {"path": "lake", "compression": "snappy", "storage_options": {"anon": True}},
        ParquetConfig,
    )
    assert config.compression == "snappy"
    assert config.storage_options == {"anon": True}
    with pytest.raises(msgspec.ValidationError, match="max_file_bytes is -5"):
        msgspec.convert({"path": "lake", "max_file_bytes": -5}, ParquetConfig)
