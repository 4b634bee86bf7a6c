"""``pyplow load``: enriched events and bad rows into DuckDB, PostgreSQL or Parquet.

File mode (``--input DIR``): loads ``*.tsv`` files (enriched rows, as ``pyplow enrich`` writes
them; any other file name under an ``enriched`` folder too) and ``*.json`` files (bad rows)
found under DIR, with a progress bar. Stream mode (``--config FILE``): the ``[load]`` table
names the target and the ``enriched`` and ``bad`` sources (file, stdin, memory, nats).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any, Final

import msgspec

from pyplow.streams.settings import SourceSettings

#: Lines per file-load batch by target: two DuckDB row groups (full row groups are written
#: in parallel during the INSERT); PostgreSQL's first batch starts sooner with fewer lines, and
#: its batches hold less memory, at no cost per row.
FILE_BATCH_RECORDS: Final = {"duckdb": 245_760, "parquet": 245_760, "postgres": 100_000}


def file_batch_records(target: str) -> int:
    """The default ``file_batch_records`` of ``target``."""
    return FILE_BATCH_RECORDS.get(target, 245_760)


class LoadConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``[load]`` settings (each also ``PYPLOW_LOAD__<SETTING>``)."""

    target: str = "duckdb"
    path: str | None = None
    dsn: str | None = None
    batch_records: int = 5000
    #: Lines per batch (one transaction) when loading files with ``--input DIR`` into a
    #: target that loads them columnar (all three built-in targets); others use batch_records.
    #: By default that of ``FILE_BATCH_RECORDS``.
    file_batch_records: int | None = None
    #: Serve Prometheus metrics on this port (stream mode), on ``metrics_host``.
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    enriched: SourceSettings | None = None
    bad: SourceSettings | None = None


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "load", help="load enriched events and bad rows into DuckDB, PostgreSQL or Parquet"
    )
    parser.add_argument("--target", choices=("duckdb", "postgres", "parquet"))
    parser.add_argument(
        "--input", metavar="DIR", help="folder of enriched (.tsv) and bad (.json) files"
    )
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [load] table")
    parser.add_argument("--dsn", help="PostgreSQL connection string")
    parser.add_argument("--path", help="DuckDB file, or Parquet root (local path or s3://…)")
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pyplow.config import ConfigError, load
    from pyplow.loaders.base import LoadError

    if (args.input is None) == (args.config is None):
        print("pyplow load: give exactly one of --input DIR or --config FILE", file=sys.stderr)
        return 2
    try:
        config = load(LoadConfig, args.config, section="load")
    except ConfigError as exc:
        print(f"pyplow load: {exc}", file=sys.stderr)
        return 2
    overrides = {
        k: v for k, v in (("target", args.target), ("dsn", args.dsn), ("path", args.path)) if v
    }
    config = msgspec.structs.replace(config, **overrides)
    try:
        if args.input is not None:
            return _files(Path(args.input), config, progress=not args.no_progress)
        return asyncio.run(_stream(config))
    except LoadError as exc:
        print(f"pyplow load: {exc}", file=sys.stderr)
        return 1


def _files(folder: Path, config: LoadConfig, *, progress: bool) -> int:
    from tqdm import tqdm

    from pyplow.loaders.bulk import run_files, supports_lines
    from pyplow.loaders.targets import build_loader

    if not folder.is_dir():
        print(f"pyplow load: input folder {folder} does not exist", file=sys.stderr)
        return 2
    loader = build_loader(config.target, path=config.path, dsn=config.dsn)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    bad_files = [p for p in files if p.name.endswith((".json", ".json.gz"))]
    rows = [p for p in files if p not in bad_files and not p.name.endswith(".inprogress")]
    bar = tqdm(total=None, unit=" rows", disable=not progress, desc=f"load {config.target}")
    try:
        counts = run_files(
            loader,
            rows,
            bad_files,
            batch_records=(
                (config.file_batch_records or file_batch_records(config.target))
                if supports_lines(loader)
                else config.batch_records
            ),
            progress=bar.update,
        )
    finally:
        bar.close()
        loader.close()
    print(
        f"{counts.rows} rows: {counts.loaded} events loaded, {counts.duplicates_skipped} "
        f"duplicates skipped, {counts.duplicates_flagged} flagged, {counts.bad_rows} bad rows "
        f"stored ({counts.parsing_errors} unreadable rows among them)",
        file=sys.stderr,
    )
    return 0


async def _stream(config: LoadConfig) -> int:
    from pyplow.loaders.metrics import LoadMetrics
    from pyplow.loaders.runner import LoadCounts, run_load
    from pyplow.loaders.targets import build_loader
    from pyplow.streams import Framing
    from pyplow.streams.settings import NatsSourceSettings, build_source

    def settings(value: SourceSettings | None, name: str) -> SourceSettings:
        return value if value is not None else NatsSourceSettings(durable=f"load-{name}")

    loader = build_loader(config.target, path=config.path, dsn=config.dsn)
    enriched = await build_source(
        settings(config.enriched, "enriched"), framing=Framing.TEXT, name="enriched"
    )
    bad = await build_source(settings(config.bad, "bad"), framing=Framing.TEXT, name="bad")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    counts = LoadCounts()
    metrics = LoadMetrics(config.target)
    if config.metrics_port is not None:
        metrics.serve(config.metrics_port, config.metrics_host)
    try:
        await run_load(
            loader,
            enriched,
            bad,
            batch_records=config.batch_records,
            stop=stop,
            counts=counts,
            progress=lambda _rows: metrics.update(counts),
        )
    finally:
        await enriched.close()
        await bad.close()
        loader.close()
    print(f"{counts.rows} rows, {counts.loaded} events loaded", file=sys.stderr)
    return 0
