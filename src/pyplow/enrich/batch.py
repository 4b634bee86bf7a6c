"""Batch mode: enrich a folder of raw files into a folder of enriched and bad-row files.

``pyplow enrich --input DIR --output DIR`` reads every finished raw file under ``DIR`` (base64
lines, plain or ``.gz``, as the collector's file sink writes them), enriches the records on all
cores (worker processes, each with its own engine: resources load once per worker), and writes
``OUTPUT/enriched/*.tsv`` and ``OUTPUT/bad/*.json`` through file sinks, so files appear only
when complete. Records keep their input order. A progress bar shows bytes read.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

import msgspec

from pyplow.enrich.config import EnrichConfig, build_engine
from pyplow.enrich.engine import Engine, Outcome
from pyplow.runtime import freeze_startup_objects
from pyplow.streams import FileSink, FileSinkConfig, Framing
from pyplow.streams.file import INPROGRESS

__all__ = ["BatchCounts", "enrich_folder"]

_CHUNK_RECORDS = 1000


class BatchCounts(msgspec.Struct):
    files: int = 0
    records: int = 0
    events: int = 0
    good: int = 0
    bad: int = 0
    dropped: int = 0


_ENGINE: Engine | None = None


def _init_worker(config: EnrichConfig) -> None:
    global _ENGINE
    _ENGINE = build_engine(config)
    freeze_startup_objects()


def _enrich_chunk(lines: list[bytes]) -> tuple[list[bytes], list[bytes], int, int, int, int]:
    assert _ENGINE is not None
    good: list[bytes] = []
    bad: list[bytes] = []
    events = dropped = 0
    for line in lines:
        record, _ = Framing.BASE64.record_of(line)  # undecodable lines become bad rows
        outcome: Outcome = _ENGINE.process(record)
        good.extend(outcome.good)
        bad.extend(outcome.bad)
        events += outcome.events
        dropped += outcome.dropped
    return good, bad, len(lines), events, dropped, sum(len(line) + 1 for line in lines)


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(INPROGRESS)
    )


def _chunks(files: list[Path]) -> Iterator[list[bytes]]:
    import gzip

    chunk: list[bytes] = []
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            try:
                for line in handle:
                    line = line.strip()
                    if line:
                        chunk.append(line)
                        if len(chunk) >= _CHUNK_RECORDS:
                            yield chunk
                            chunk = []
            except EOFError:  # a gzip file cut short: keep what was readable
                pass
    if chunk:
        yield chunk


def enrich_folder(
    source: Path,
    output: Path,
    config: EnrichConfig,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> BatchCounts:
    """Enrich every raw file under ``source`` into ``output``; returns the counts."""
    files = _files(source)
    counts = BatchCounts(files=len(files))
    workers = workers or os.cpu_count() or 1
    total = sum(p.stat().st_size for p in files)
    build_engine(config).close()  # configuration errors surface here, before any work
    return asyncio.run(_run(files, output, config, workers, progress, total, counts))


async def _run(
    files: list[Path],
    output: Path,
    config: EnrichConfig,
    workers: int,
    progress: bool,
    total: int,
    counts: BatchCounts,
) -> BatchCounts:
    from tqdm import tqdm

    good_sink = FileSink(
        FileSinkConfig(
            path=str(output / "enriched"), prefix="enriched", extension="tsv", fsync=False
        )
    )
    bad_sink = FileSink(
        FileSinkConfig(path=str(output / "bad"), prefix="bad", extension="json", fsync=False)
    )
    bar = tqdm(total=total, unit="B", unit_scale=True, disable=not progress, desc="enrich")
    context = multiprocessing.get_context("spawn")
    try:
        with context.Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
            for good, bad, records, events, dropped, size in pool.imap(
                _enrich_chunk, _chunks(files)
            ):
                await good_sink.write(good)
                await bad_sink.write(bad)
                counts.events += events
                counts.dropped += dropped
                counts.good += len(good)
                counts.bad += len(bad)
                counts.records += records
                bar.update(size)
    finally:
        bar.close()
        await good_sink.close()
        await bad_sink.close()
    return counts
