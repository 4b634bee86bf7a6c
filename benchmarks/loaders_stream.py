"""Streamed batches: the per-row path against the columnar one, batch size by batch size.

Run: ``python benchmarks/loaders_stream.py [duckdb|parquet|postgres] [sizes...]`` (default
DuckDB, batches of 1000, 2000, 5000 and 20000 rows; PostgreSQL at ``PYPLOW_BENCH_DSN``).
For each size it loads the same twelve batches of page views (those of
``benchmarks/loaders.py``) twice, into two fresh targets, one batch after the other: once
decoded row by row (``load``), once whole (``load_lines``), alternating between the two,
and prints rows/s of each and their ratio. The columnar path has a fixed cost per batch
(DuckDB staging, a dozen statements); the streaming runner takes it from the loader's
``columnar_from`` rows on, which these ratios justify.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loaders import DSN, write_rows
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.base import LoadBatch
from pyplow.loaders.bulk.chunks import read_chunks
from pyplow.loaders.runner import split_rows

BATCHES = 12


def loader_factory(target: str, work: Path) -> Callable[[str], Any]:
    resolver = Resolver([builtin_repository()])
    if target == "duckdb":
        from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

        return lambda name: DuckDBLoader(DuckDBConfig(path=str(work / f"{name}.duckdb")), resolver)
    if target == "parquet":
        from pyplow.loaders.parquet import ParquetConfig, ParquetLoader

        return lambda name: ParquetLoader(ParquetConfig(path=str(work / name)), resolver=resolver)
    if target == "postgres":
        import psycopg

        from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

        def postgres(name: str) -> Any:
            schema = f"bench_stream_{os.getpid()}_{name}"
            with psycopg.connect(DSN, autocommit=True) as con:
                con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            return PostgresLoader(PostgresConfig(dsn=DSN, schema=schema), resolver)

        return postgres
    raise SystemExit(f"unknown target {target!r}")


def drop_postgres_schemas() -> None:
    import psycopg

    with psycopg.connect(DSN, autocommit=True) as con:
        for suffix in ("rows", "lines"):
            con.execute(f"DROP SCHEMA IF EXISTS bench_stream_{os.getpid()}_{suffix} CASCADE")


def compare(target: str, size: int, tsv: Path, work: Path) -> tuple[float, float]:
    chunks = read_chunks([tsv], size)
    batches = [next(chunks) for _ in range(BATCHES)]
    make = loader_factory(target, work)
    by_rows, by_lines = make("rows"), make("lines")
    rows_seconds = lines_seconds = 0.0
    try:
        for lines in batches:
            started = time.perf_counter()
            events, failed = split_rows(lines)
            by_rows.load(LoadBatch(events=events, bad_rows=failed))
            rows_seconds += time.perf_counter() - started
            started = time.perf_counter()
            by_lines.load_lines(lines)
            lines_seconds += time.perf_counter() - started
    finally:
        by_rows.close()
        by_lines.close()
        if target == "postgres":
            drop_postgres_schemas()
    return size * BATCHES / rows_seconds, size * BATCHES / lines_seconds


def main() -> None:
    target = sys.argv[1] if len(sys.argv) > 1 else "duckdb"
    sizes = [int(s) for s in sys.argv[2:]] or [1000, 2000, 5000, 20000]
    work = Path(tempfile.mkdtemp(prefix="pyplow-bench-stream-"))
    try:
        tsv = work / "events.tsv"
        write_rows(tsv, max(sizes) * BATCHES)
        print(f"{target}: {BATCHES} batches per size, per row (load) against whole (load_lines)")
        print(f"{'batch':>8} {'rows/s per row':>15} {'rows/s columnar':>16} {'ratio':>7}")
        for size in sizes:
            run = work / f"run-{size}"
            run.mkdir()
            per_row, columnar = compare(target, size, tsv, run)
            print(f"{size:8,} {per_row:15,.0f} {columnar:16,.0f} {columnar / per_row:7.2f}")
            shutil.rmtree(run, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
