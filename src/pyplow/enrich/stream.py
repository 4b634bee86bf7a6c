"""Stream mode: raw records from a source, enriched rows and bad rows to two sinks.

A batch is acknowledged to the source only after both sinks have it, so a crash at any point
redelivers the batch: at least once, with the loaders removing duplicates. A failing sink is
retried with exponential backoff (the batch stays unacknowledged meanwhile). Several processes
can share one NATS durable consumer: each gets its own batches.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import msgspec

from pyplow.enrich.engine import Engine, Outcome
from pyplow.streams import Sink, Source

log = logging.getLogger(__name__)

__all__ = ["StreamCounts", "run_stream"]


class StreamCounts(msgspec.Struct):
    """What a stream run has done so far."""

    records: int = 0
    events: int = 0
    good: int = 0
    bad: int = 0
    dropped: int = 0
    batches: int = 0


async def _write(sink: Sink, records: Sequence[bytes], name: str, retry_max: float) -> None:
    if not records:
        return
    delay = 0.1
    while True:
        try:
            await sink.write(records)
            return
        except Exception as exc:  # retried: the batch is not acknowledged until written
            log.warning("%s sink failed (%s); retrying in %.1f s", name, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_max)


def _process_all(engine: Engine, records: list[bytes]) -> list[Outcome]:
    return [engine.process(record) for record in records]


async def run_stream(
    engine: Engine,
    source: Source,
    good: Sink,
    bad: Sink,
    *,
    batch_records: int = 500,
    stop: asyncio.Event | None = None,
    retry_max_seconds: float = 10.0,
    counts: StreamCounts | None = None,
    offload: bool = False,
    observe: Callable[[list[bytes], list[bytes]], None] | None = None,
) -> StreamCounts:
    """Enrich until the source is finished or ``stop`` is set; returns the counts.

    ``offload`` runs the enrichment of each batch in a worker thread, so that an event loop
    shared with other work (the embedded pipeline's HTTP server) stays responsive. ``observe``
    is called with each batch's enriched rows and bad rows once they are written (the embedded
    pipeline's test API keeps them).
    """
    stop = stop or asyncio.Event()
    counts = counts if counts is not None else StreamCounts()
    while not stop.is_set():
        batch = await source.next_batch(batch_records, timeout=0.5)
        if batch is None:
            if source.finished:
                break
            continue
        records = list(batch.records)
        if offload:
            outcomes = await asyncio.to_thread(_process_all, engine, records)
        else:
            outcomes = [engine.process(r) for r in records]
        enriched: list[bytes] = []
        failed: list[bytes] = []
        for outcome in outcomes:
            enriched.extend(outcome.good)
            failed.extend(outcome.bad)
            counts.events += outcome.events
            counts.dropped += outcome.dropped
        await _write(good, enriched, "good", retry_max_seconds)
        await _write(bad, failed, "bad", retry_max_seconds)
        if observe is not None:
            observe(enriched, failed)
        await batch.ack()
        counts.records += len(batch.records)
        counts.good += len(enriched)
        counts.bad += len(failed)
        counts.batches += 1
    return counts
