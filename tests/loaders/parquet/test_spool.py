"""The SQLite spool: dedup index, segments, rolls, and what survives reopening."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.loaders.parquet.layout import BAD_ROWS, EVENTS
from pyplow.loaders.parquet.spool import OpenPartition, PendingRoll, Segment, Spool

P10 = "date=2024-05-01/hour=10"
P11 = "date=2024-05-01/hour=11"


def test_seen_pairs_are_remembered_and_purged(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite3")
    spool.commit([], {"a": {"f1", None}, "b": {"f2"}}, now=100.0)
    spool.commit([], {"a": {"f3"}}, now=200.0)
    assert spool.stored(["a", "b", "zz"]) == {"a": {"f1", None, "f3"}, "b": {"f2"}}
    assert spool.purge_seen(before=150.0) == 3
    assert spool.stored(["a", "b"]) == {"a": {"f3"}}


def test_a_redelivery_refreshes_retention(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite3")
    spool.commit([], {"a": {"f1"}}, now=100.0)
    spool.commit([], {"a": {"f1"}}, now=300.0)
    assert spool.purge_seen(before=200.0) == 0
    assert spool.stored(["a"]) == {"a": {"f1"}}


def test_segments_roll_lifecycle(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite3")
    spool.commit([Segment(EVENTS, P10, 2, b"one"), Segment(EVENTS, P11, 1, b"two")], {}, 50.0)
    spool.commit([Segment(EVENTS, P10, 3, b"three"), Segment(BAD_ROWS, P10, 1, b"b")], {}, 60.0)
    assert spool.open_partitions() == [
        OpenPartition(BAD_ROWS, P10, 1, 1, 60.0),
        OpenPartition(EVENTS, P10, 5, 8, 50.0),
        OpenPartition(EVENTS, P11, 1, 3, 50.0),
    ]
    assert spool.begin_roll("r1", EVENTS, P10, 70.0) == 2
    assert spool.begin_roll("r2", EVENTS, "date=1999-01-01/hour=00", 70.0) == 0
    assert spool.pending_rolls() == [PendingRoll("r1", EVENTS, P10)]
    assert spool.roll_segments("r1") == [b"one", b"three"]
    # rows spooled after the roll began are not part of it
    spool.commit([Segment(EVENTS, P10, 1, b"later")], {}, 80.0)
    assert spool.roll_segments("r1") == [b"one", b"three"]
    spool.finish_roll("r1")
    assert spool.pending_rolls() == []
    assert spool.counts() == (3, 0)
    assert [p.rows for p in spool.open_partitions() if p.partition == P10] == [1, 1]


def test_everything_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "s.sqlite3"
    spool = Spool(path)
    spool.commit([Segment(EVENTS, P10, 1, b"x")], {"a": {"f"}}, 1.0, {"contexts_c_1": "iglu:c"})
    spool.begin_roll("r1", EVENTS, P10, 2.0)
    spool.close()
    again = Spool(path)
    assert again.pending_rolls() == [PendingRoll("r1", EVENTS, P10)]
    assert again.roll_segments("r1") == [b"x"]
    assert again.stored(["a"]) == {"a": {"f"}}
    assert again.known_columns() == {"contexts_c_1": "iglu:c"}


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=40),
        st.sets(st.one_of(st.none(), st.text(min_size=1, max_size=20)), min_size=1, max_size=3),
        max_size=30,
    )
)
def test_stored_returns_what_was_committed(seen: dict[str, set[str | None]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        spool = Spool(Path(folder) / "s.sqlite3")
        spool.commit([], seen, now=1.0)
        assert spool.stored([*seen, "never-stored"]) == seen
        spool.close()
