"""Telling what a source string is."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pyplow.analytics.sources import SourceSpec, detect


def test_urls_and_dsns() -> None:
    assert detect("postgresql://u@db:5432/events") == SourceSpec(
        "postgres", "postgresql://u@db:5432/events"
    )
    assert detect("postgres://db/x").kind == "postgres"
    assert detect("duckdb:///var/data/pyplow.duckdb") == SourceSpec(
        "duckdb", "/var/data/pyplow.duckdb"
    )
    assert detect("duckdb://relative.db") == SourceSpec("duckdb", "relative.db")
    assert detect("s3://bucket/events") == SourceSpec("parquet", "s3://bucket/events")
    assert detect("s3://bucket/out/enriched-1.tsv.gz").kind == "tsv"
    assert detect("host=db dbname=events", kind="postgres").kind == "postgres"


def test_local_paths_by_suffix(tmp_path: Path) -> None:
    assert detect(tmp_path / "new.duckdb").kind == "duckdb"  # need not exist yet
    assert detect(str(tmp_path / "x.ddb")).kind == "duckdb"
    assert detect(tmp_path / "part-1.parquet").kind == "parquet"
    assert detect(tmp_path / "enriched.tsv").kind == "tsv"
    assert detect(f"file://{tmp_path}/a.TSV").kind == "tsv"


def test_local_files_and_folders_by_content(tmp_path: Path) -> None:
    database = tmp_path / "pyplow.db"
    duckdb.connect(str(database)).close()
    assert detect(database).kind == "duckdb"
    lake = tmp_path / "lake"
    (lake / "_spool").mkdir(parents=True)
    (lake / "_spool" / "x.tsv").write_text("")
    (lake / "date=2024-03-01" / "hour=12").mkdir(parents=True)
    (lake / "date=2024-03-01" / "hour=12" / "part-a.parquet").write_bytes(b"")
    assert detect(lake).kind == "parquet"
    out = tmp_path / "out"
    (out / "enriched").mkdir(parents=True)
    (out / "enriched" / "e-1.tsv").write_text("")
    assert detect(out) == SourceSpec("tsv", str(out))


def test_what_cannot_be_told(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        detect(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden.tsv").write_text("")
    with pytest.raises(ValueError, match="holds no"):
        detect(tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="cannot tell what"):
        detect(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="unknown source kind"):
        detect("x", kind="csv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="DuckDB URL"):
        detect("duckdb:///x.duckdb", kind="tsv")
    with pytest.raises(ValueError, match="empty"):
        detect("")
