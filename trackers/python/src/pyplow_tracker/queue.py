"""Where events wait to be sent: a bounded in-memory buffer or a persistent SQLite queue.

Overflow policy (both queues): when ``capacity`` events are waiting, ``"drop_oldest"`` (the
default) removes the oldest waiting event to make room for the new one, and ``"drop_newest"``
refuses the new one. Either way the dropped event is returned by :meth:`put` so that the emitter
can report it to the failure callback; the tracking call itself never blocks.

A batch is taken with :meth:`take`, then either acknowledged (sent: removed for good) or failed
(retries used up). A failed batch leaves the memory queue; in the SQLite queue its rows stay in
the file and are sent again by the next process that opens it (not by this one, which would
otherwise retry a dead endpoint forever).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pyplow_tracker.payload import Event, event_size

__all__ = ["Batch", "EventQueue", "MemoryQueue", "OverflowPolicy", "SqliteQueue"]

OverflowPolicy = Literal["drop_oldest", "drop_newest"]


@dataclass(frozen=True, slots=True)
class Batch:
    """Events taken from a queue; ``keys`` identify them for :meth:`EventQueue.ack`."""

    events: tuple[Event, ...]
    keys: tuple[int, ...]


class EventQueue(Protocol):
    def put(self, event: Event) -> Event | None: ...
    def take(self, max_count: int, max_bytes: int) -> Batch: ...
    def ack(self, batch: Batch) -> None: ...
    def fail(self, batch: Batch) -> None: ...
    def __len__(self) -> int: ...
    @property
    def waiting_bytes(self) -> int: ...
    def close(self) -> None: ...


def _check(capacity: int, overflow: str) -> None:
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity}")
    if overflow not in ("drop_oldest", "drop_newest"):
        raise ValueError(f"overflow must be 'drop_oldest' or 'drop_newest', got {overflow!r}")


class MemoryQueue:
    """A bounded FIFO in memory; thread-safe."""

    def __init__(self, capacity: int = 10_000, overflow: OverflowPolicy = "drop_oldest") -> None:
        _check(capacity, overflow)
        self.capacity = capacity
        self.overflow = overflow
        self._items: deque[tuple[Event, int]] = deque()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, event: Event) -> Event | None:
        size = event_size(event)
        with self._lock:
            dropped: Event | None = None
            if len(self._items) >= self.capacity:
                if self.overflow == "drop_newest":
                    return event
                dropped, dropped_size = self._items.popleft()
                self._bytes -= dropped_size
            self._items.append((event, size))
            self._bytes += size
            return dropped

    def take(self, max_count: int, max_bytes: int) -> Batch:
        events: list[Event] = []
        total = 0
        with self._lock:
            while self._items and len(events) < max_count:
                event, size = self._items[0]
                if events and total + size > max_bytes:
                    break
                self._items.popleft()
                self._bytes -= size
                total += size
                events.append(event)
        return Batch(tuple(events), ())

    def ack(self, batch: Batch) -> None:
        return None

    def fail(self, batch: Batch) -> None:
        return None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def waiting_bytes(self) -> int:
        return self._bytes

    def close(self) -> None:
        return None


class SqliteQueue:
    """A bounded FIFO in a SQLite file: events survive a crash or a restart; thread-safe."""

    def __init__(
        self, path: str, capacity: int = 100_000, overflow: OverflowPolicy = "drop_oldest"
    ) -> None:
        _check(capacity, overflow)
        self.capacity = capacity
        self.overflow = overflow
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=normal")
        self._db.execute(
            "create table if not exists events "
            "(id integer primary key autoincrement, body text not null, size integer not null)"
        )
        self._cursor = 0  # rows at or below this id were taken by this process
        count, total = self._db.execute(
            "select count(*), coalesce(sum(size), 0) from events"
        ).fetchone()
        self._count: int = int(count)
        self._bytes: int = int(total)

    def put(self, event: Event) -> Event | None:
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        size = event_size(event)
        with self._lock:
            dropped: Event | None = None
            if self._count >= self.capacity:
                if self.overflow == "drop_newest":
                    return event
                row = self._db.execute(
                    "select id, body, size from events where id > ? order by id limit 1",
                    (self._cursor,),
                ).fetchone()
                if row is None:  # everything waiting is in flight: refuse instead
                    return event
                self._db.execute("delete from events where id = ?", (row[0],))
                self._count -= 1
                self._bytes -= row[2]
                dropped = json.loads(row[1])
            self._db.execute("insert into events (body, size) values (?, ?)", (body, size))
            self._count += 1
            self._bytes += size
            return dropped

    def take(self, max_count: int, max_bytes: int) -> Batch:
        with self._lock:
            rows = self._db.execute(
                "select id, body, size from events where id > ? order by id limit ?",
                (self._cursor, max_count),
            ).fetchall()
            events: list[Event] = []
            keys: list[int] = []
            total = 0
            for key, body, size in rows:
                if events and total + size > max_bytes:
                    break
                events.append(json.loads(body))
                keys.append(key)
                total += size
            if keys:
                self._cursor = keys[-1]
                self._count -= len(keys)
                self._bytes -= total
            return Batch(tuple(events), tuple(keys))

    def ack(self, batch: Batch) -> None:
        self._delete(batch.keys)

    def fail(self, batch: Batch) -> None:
        return None  # the rows stay for the next process

    def _delete(self, keys: Sequence[int]) -> None:
        if not keys:
            return
        with self._lock:
            self._db.executemany("delete from events where id = ?", [(k,) for k in keys])

    def __len__(self) -> int:
        return self._count

    @property
    def waiting_bytes(self) -> int:
        return self._bytes

    def close(self) -> None:
        with self._lock:
            self._db.close()
