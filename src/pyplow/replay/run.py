"""Running a replay: bad rows from a source, raw records to a sink (or nowhere, dry run).

Each batch is replayed, its records written, and only then acknowledged, so a replay from a
stream is at least once. A dry run writes nothing and settles nothing (records of a stream
source are delivered again later). The run ends when the source is finished, or when a stream
source stays idle for ``idle_seconds``.
"""

from __future__ import annotations

from pyplow.replay.replayer import Replayed, Replayer
from pyplow.replay.report import ReplayReport
from pyplow.streams import Sink, Source

__all__ = ["run_replay"]


async def run_replay(
    source: Source,
    sink: Sink | None,
    replayer: Replayer,
    *,
    batch_records: int = 500,
    idle_seconds: float = 2.0,
    report: ReplayReport | None = None,
) -> ReplayReport:
    """Replay everything ``source`` holds; ``sink=None`` is a dry run."""
    report = report if report is not None else ReplayReport()
    while True:
        batch = await source.next_batch(batch_records, idle_seconds)
        if batch is None:
            break  # finished, or nothing new within idle_seconds
        records: list[bytes] = []
        for line in batch.records:
            outcome = replayer.replay(line)
            report.add(outcome)
            if isinstance(outcome, Replayed):
                records.append(outcome.record)
        if sink is None:
            continue
        if records:
            await sink.write(records)
            report.written += len(records)
        await batch.ack()
    return report
