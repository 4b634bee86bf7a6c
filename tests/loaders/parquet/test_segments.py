"""Grouping a batch by partition (sort and slice) against the plain filter per hour."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pyplow.loaders.parquet import arrowio
from pyplow.loaders.parquet.layout import BAD_ROWS, EVENTS, partition_of
from pyplow.loaders.parquet.segments import by_partition, segments
from pyplow.loaders.parquet.spool import PendingRoll, Segment, Spool

START = datetime(2024, 5, 1, 9, 59, tzinfo=UTC)


def _table(minutes: list[int]) -> Any:
    """Rows with a collector_tstamp, a row number and a nested column, in the given order."""
    stamps = [START + timedelta(minutes=m) for m in minutes]
    return pa.table(
        {
            "collector_tstamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "n": pa.array(range(len(minutes)), pa.int64()),
            "nested": pa.array(
                [[{"m": m}] if m % 2 else None for m in minutes],
                pa.list_(pa.struct([("m", pa.int64())])),
            ),
        }
    )


def _filtered(table: Any) -> list[tuple[str, Any]]:
    """The straightforward grouping: one filter per hour, hours in first-seen order."""
    hours = pc.floor_temporal(table.column("collector_tstamp"), unit="hour")
    return [
        (partition_of(hour.as_py()), table.filter(pc.equal(hours, hour)))
        for hour in pc.unique(hours)
    ]


@pytest.mark.parametrize("order", ["sorted", "shuffled", "reversed", "one hour"])
def test_groups_are_those_of_a_filter_per_hour(order: str) -> None:
    minutes = list(range(0, 300, 7)) if order != "one hour" else [2, 9, 30]
    if order == "shuffled":
        random.Random(7).shuffle(minutes)
    elif order == "reversed":
        minutes.reverse()
    table = pa.concat_tables([_table(minutes[:10]), _table(minutes[10:])])  # several chunks
    got = by_partition(table)
    expected = _filtered(table)
    assert [p for p, _ in got] == [p for p, _ in expected]
    for (_, part), (_, want) in zip(got, expected, strict=True):
        assert part.equals(want)  # same rows in the same order, nested column included


def test_an_empty_table_has_no_groups() -> None:
    assert by_partition(_table([]).slice(0, 0)) == []


def test_segments_are_the_same_encoded_in_threads() -> None:
    minutes = list(range(0, 400, 3))
    random.Random(1).shuffle(minutes)
    table = _table(minutes)
    stamp = START + timedelta(days=1)
    plain = segments(table, [b'{"schema": "x"}'], stamp)
    with ThreadPoolExecutor(2) as pool:
        threaded = segments(table, [b'{"schema": "x"}'], stamp, pool)
    assert [(s.kind, s.partition, s.rows) for s in plain] == [
        (s.kind, s.partition, s.rows) for s in threaded
    ]
    assert [s.kind for s in plain] == [EVENTS] * (len(plain) - 1) + [BAD_ROWS]
    for one, two in zip(plain, threaded, strict=True):
        assert arrowio.from_ipc(one.data).equals(arrowio.from_ipc(two.data))
    events = pa.concat_tables([arrowio.from_ipc(s.data) for s in plain[:-1]])
    assert sorted(events.column("n").to_pylist()) == list(range(len(minutes)))


def test_seen_pairs_and_mappings_are_stored_alike(tmp_path: Path) -> None:
    ids = [f"{random.Random(n).getrandbits(64):016x}" for n in range(500)]
    mapping: dict[str, set[str | None]] = {i: {f"fp-{i}", None} for i in ids}
    pairs = [(i, fp) for i in reversed(ids) for fp in (f"fp-{i}", None, f"fp-{i}")]
    one, two = Spool(tmp_path / "a.sqlite3"), Spool(tmp_path / "b.sqlite3")
    one.commit([], mapping, now=1.0)
    two.commit([], pairs, now=1.0)
    assert one.stored(ids) == two.stored(ids) == mapping
    assert one.counts() == two.counts() == (0, 1000)


def test_rolls_begun_and_finished_together(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite3")
    p10, p11 = "date=2024-05-01/hour=10", "date=2024-05-01/hour=11"
    spool.commit([Segment(EVENTS, p10, 1, b"a"), Segment(EVENTS, p11, 1, b"b")], {}, now=1.0)
    rolls = [
        PendingRoll("r1", EVENTS, p10),
        PendingRoll("r2", EVENTS, p11),
        PendingRoll("r3", EVENTS, "date=1999-01-01/hour=00"),
    ]
    assert spool.begin_rolls(rolls, now=2.0) == {"r1": 1, "r2": 1}
    assert spool.pending_rolls() == rolls[:2]
    spool.finish_roll("r1", "r2")
    assert spool.pending_rolls() == []
    assert spool.counts() == (0, 0)
