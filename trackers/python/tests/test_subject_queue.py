"""Subjects and the two queues (bounded memory buffer, persistent SQLite queue)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyplow_tracker.queue import MemoryQueue, SqliteQueue
from pyplow_tracker.subject import Subject


def test_subject_params_and_override() -> None:
    base = Subject(
        platform="web",
        user_id="u1",
        screen_resolution=(1920, 1080),
        viewport=(1280, 720),
        color_depth=24,
        timezone="Europe/London",
        lang="en-GB",
        ip_address="203.0.113.7",
        useragent="UA",
        domain_userid="d",
        network_userid="n",
        domain_session_id="s",
        domain_session_index=3,
    )
    assert base.params() == {
        "p": "web",
        "uid": "u1",
        "res": "1920x1080",
        "vp": "1280x720",
        "cd": "24",
        "tz": "Europe/London",
        "lang": "en-GB",
        "ip": "203.0.113.7",
        "ua": "UA",
        "duid": "d",
        "tnuid": "n",
        "sid": "s",
        "vid": "3",
    }
    merged = base.merged(Subject(user_id="other", platform="pc"))
    assert merged.params()["uid"] == "other"
    assert merged.params()["p"] == "pc"
    assert merged.params()["lang"] == "en-GB"
    assert base.merged(None) is base


def test_subject_refuses_bad_values() -> None:
    with pytest.raises(ValueError, match="platform 'desktop'"):
        Subject(platform="desktop")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="viewport"):
        Subject(viewport=(-1, 2))


def ev(n: int) -> dict[str, str]:
    return {"e": "pv", "eid": str(n)}


def test_memory_queue_drop_oldest() -> None:
    queue = MemoryQueue(capacity=2)
    assert queue.put(ev(1)) is None
    assert queue.put(ev(2)) is None
    assert queue.put(ev(3)) == ev(1)
    assert [e["eid"] for e in queue.take(10, 10_000).events] == ["2", "3"]
    assert len(queue) == 0
    assert queue.waiting_bytes == 0


def test_memory_queue_drop_newest_and_byte_limit() -> None:
    queue = MemoryQueue(capacity=2, overflow="drop_newest")
    queue.put(ev(1))
    queue.put(ev(2))
    assert queue.put(ev(3)) == ev(3)
    one = queue.take(10, 1)  # the byte limit still lets one event through
    assert [e["eid"] for e in one.events] == ["1"]
    assert len(queue) == 1


def test_queue_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="capacity"):
        MemoryQueue(capacity=0)
    with pytest.raises(ValueError, match="overflow"):
        MemoryQueue(overflow="block")  # type: ignore[arg-type]


def test_sqlite_queue_survives_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "q.sqlite")
    queue = SqliteQueue(path)
    for n in range(5):
        queue.put(ev(n))
    sent = queue.take(2, 10_000)
    queue.ack(sent)
    failed = queue.take(1, 10_000)
    queue.fail(failed)
    assert len(queue) == 2
    assert queue.take(10, 10_000).events == (ev(3), ev(4))  # taken, never acked: "crash"
    queue.close()
    again = SqliteQueue(path)
    assert len(again) == 3
    assert [e["eid"] for e in again.take(10, 10_000).events] == ["2", "3", "4"]
    again.close()


def test_sqlite_queue_overflow(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite"), capacity=2)
    queue.put(ev(1))
    queue.put(ev(2))
    assert queue.put(ev(3)) == ev(1)
    assert [e["eid"] for e in queue.take(10, 10_000).events] == ["2", "3"]
    queue.close()
