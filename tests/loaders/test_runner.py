"""The load runner: decode, load with retries, acknowledge only after the commit."""

from __future__ import annotations

import asyncio
import json

from pyplow.event import EnrichedEvent, encode_tsv
from pyplow.loaders.base import LoadBatch, LoadResult, TransientLoadError
from pyplow.loaders.bulk import LinesResult
from pyplow.loaders.memory import MemoryLoader
from pyplow.loaders.runner import run_load, split_rows
from pyplow.streams import MemoryStream


def row(event_id: str, fingerprint: str = "f") -> bytes:
    from datetime import UTC, datetime

    event = EnrichedEvent(
        event_id=event_id,
        event_fingerprint=fingerprint,
        collector_tstamp=datetime(2024, 3, 1, tzinfo=UTC),
        v_collector="c",
        v_etl="e",
        event="page_view",
    )
    return encode_tsv(event).encode()


ID = "00000000-0000-4000-8000-{:012d}"


def test_split_rows_turns_bad_lines_into_parsing_error_bad_rows() -> None:
    events, failed = split_rows([row(ID.format(1)), b"not\ta\trow"])
    assert len(events) == 1
    (bad,) = failed
    doc = json.loads(bad)
    assert doc["schema"].endswith("/loader_parsing_error/jsonschema/2-0-0")
    assert doc["data"]["failure"] == {"type": "FieldNumberMismatch", "fieldCount": 3}
    assert doc["data"]["payload"] == "not\ta\trow"


def test_redelivered_batches_load_once_and_failures_are_retried() -> None:
    async def scenario() -> None:
        enriched, bad = MemoryStream(), MemoryStream()
        rows = [row(ID.format(n)) for n in range(10)]
        await enriched.sink().write(rows)
        await enriched.sink().write(rows[:4])  # a redelivery
        await enriched.sink().write([row(ID.format(3), "other"), b"garbage"])
        await bad.sink().write([b'{"schema":"iglu:x/y/jsonschema/1-0-0","data":{}}'])
        loader = MemoryLoader()
        loader.failures = 2  # the database is away for two attempts
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_load(
                loader,
                enriched.source(),
                bad.source(),
                batch_records=4,
                stop=stop,
                retry_max_seconds=0.01,
            )
        )
        for _ in range(200):
            if len(enriched) == 0 and enriched.in_flight == 0 and len(bad) == 0:
                break
            await asyncio.sleep(0.01)
        stop.set()
        counts = await task
        assert len(loader.events) == 11  # 10 + the re-used id, flagged
        assert counts.duplicates_skipped == 4
        assert counts.duplicates_flagged == 1
        assert counts.parsing_errors == 1
        assert len(loader.bad_rows) == 2  # the parsing error and the bad row from the stream
        assert enriched.in_flight == 0

    asyncio.run(scenario())


class LinesMemoryLoader(MemoryLoader):
    """A MemoryLoader that also takes whole batches of lines, and says which way each came."""

    columnar_from = 3

    def __init__(self) -> None:
        super().__init__()
        self.ways: list[tuple[str, int]] = []
        self.lines_failures = 0

    def load(self, batch: LoadBatch) -> LoadResult:
        self.ways.append(("rows", len(batch.events) + len(batch.bad_rows)))
        return super().load(batch)

    def load_lines(self, lines: list[bytes], prepared: object = None) -> LinesResult:
        if self.lines_failures:
            self.lines_failures -= 1
            raise TransientLoadError("told to fail")
        self.ways.append(("lines", len(lines)))
        events, failed = split_rows(lines)
        return LinesResult(super().load(LoadBatch(events=events, bad_rows=failed)), len(failed))


def test_batches_from_columnar_from_rows_go_whole_to_load_lines() -> None:
    async def scenario() -> None:
        enriched = MemoryStream()
        await enriched.sink().write([row(ID.format(n)) for n in range(5)] + [b"garbage"])
        await enriched.sink().write([row(ID.format(n)) for n in range(5, 7)])
        loader = LinesMemoryLoader()
        loader.lines_failures = 1  # retried like load
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_load(loader, enriched.source(), batch_records=6, stop=stop, retry_max_seconds=0.01)
        )
        for _ in range(200):
            if len(enriched) == 0 and enriched.in_flight == 0:
                break
            await asyncio.sleep(0.01)
        stop.set()
        counts = await task
        # six rows (3 or more) went whole; the two left over were decoded here
        assert loader.ways[:2] == [("lines", 6), ("rows", 2)]
        assert counts.parsing_errors == 1
        assert counts.loaded == 7
        assert len(loader.events) == 7
        assert enriched.in_flight == 0

    asyncio.run(scenario())
