"""The Micro API's event store: good rows and bad rows in SQLite, bounded, thread-safe.

Rows are kept exactly as the pipeline wrote them (enriched TSV, bad-row JSON), next to the keys
the API filters on. With a ``path`` the store is a SQLite file and survives restarts; without
one it lives in memory. Each kind keeps at most ``max_events`` rows (as Micro's
``--max-events``): the oldest go first, and how many went is counted (and persisted).

Queries answer newest first. A good row that is not an enriched event is not stored; it is
counted in ``rejected`` (the pipeline never writes one, so this only guards the store).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import msgspec

from pyplow.pipeline.micro.shapes import index_bad, index_good

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "BadQuery",
    "BadRecord",
    "GoodQuery",
    "GoodRecord",
    "MicroCounts",
    "MicroStore",
]

DEFAULT_MAX_EVENTS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS good (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT,
    event_type TEXT,
    schema TEXT,
    contexts TEXT NOT NULL,
    row BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS good_event_id ON good (event_id);
CREATE TABLE IF NOT EXISTS bad (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor TEXT,
    version TEXT,
    row BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_COUNTERS = ("dropped_good", "dropped_bad", "rejected")
_CONTEXTS = msgspec.json.Decoder(list[str])
_JSON = msgspec.json.Encoder()


class MicroCounts(msgspec.Struct, frozen=True, kw_only=True):
    """How many rows the store holds, and how many it let go."""

    good: int
    bad: int
    dropped_good: int = 0
    dropped_bad: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.good + self.bad


class GoodQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of ``/micro/good``; ``contexts`` must all be among the event's contexts."""

    event_type: str | None = None
    schema: str | None = None
    contexts: tuple[str, ...] = ()
    limit: int | None = None


class BadQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of ``/micro/bad``: the tracker API vendor and version of the failed data."""

    vendor: str | None = None
    version: str | None = None
    limit: int | None = None


class GoodRecord(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    event_id: str | None
    event_type: str | None
    schema: str | None
    contexts: tuple[str, ...]
    row: bytes


class BadRecord(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    vendor: str | None
    version: str | None
    row: bytes


class MicroStore:
    """Good events and bad rows for the Micro API (see the module docstring)."""

    def __init__(self, path: Path | None, *, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        self.max_events = max_events
        self._lock = threading.Lock()
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.executemany(
                "INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)",
                [(name,) for name in _COUNTERS],
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- writing ------------------------------------------------------------------------------

    def add(self, good_rows: Sequence[bytes], bad_rows: Sequence[bytes]) -> None:
        """Keep these rows (dropping the oldest beyond ``max_events`` of each kind)."""
        good: list[tuple[str | None, str | None, str | None, str, bytes]] = []
        rejected = 0
        for row in good_rows:
            index = index_good(row)
            if isinstance(index, str):
                rejected += 1
                continue
            contexts = _JSON.encode(list(index.contexts)).decode()
            good.append((index.event_id, index.event_type, index.schema, contexts, bytes(row)))
        bad = [(i.vendor, i.version, bytes(row)) for row in bad_rows for i in (index_bad(row),)]
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO good (event_id, event_type, schema, contexts, row) "
                "VALUES (?, ?, ?, ?, ?)",
                good,
            )
            self._db.executemany("INSERT INTO bad (vendor, version, row) VALUES (?, ?, ?)", bad)
            self._bump("rejected", rejected)
            self._bump("dropped_good", self._trim("good"))
            self._bump("dropped_bad", self._trim("bad"))

    def reset(self) -> None:
        """Forget every row and zero the counters."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM good")
            self._db.execute("DELETE FROM bad")
            self._db.execute("UPDATE counters SET value = 0")

    def _trim(self, table: str) -> int:
        (count,) = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
        excess = int(count) - self.max_events
        if excess <= 0:
            return 0
        self._db.execute(
            f"DELETE FROM {table} WHERE seq IN (SELECT seq FROM {table} ORDER BY seq LIMIT ?)",
            (excess,),
        )
        return excess

    def _bump(self, name: str, by: int) -> None:
        if by:
            self._db.execute("UPDATE counters SET value = value + ? WHERE name = ?", (by, name))

    # --- reading ------------------------------------------------------------------------------

    def counts(self) -> MicroCounts:
        with self._lock:
            (good,) = self._db.execute("SELECT count(*) FROM good").fetchone()
            (bad,) = self._db.execute("SELECT count(*) FROM bad").fetchone()
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
        return MicroCounts(good=good, bad=bad, **{n: counters.get(n, 0) for n in _COUNTERS})

    def good(self, query: GoodQuery | None = None) -> list[GoodRecord]:
        """Good rows matching ``query``, newest first."""
        query = query or GoodQuery()
        sql, args = _select(
            "SELECT seq, event_id, event_type, schema, contexts, row FROM good",
            event_type=query.event_type,
            schema=query.schema,
        )
        wanted = set(query.contexts)
        out: list[GoodRecord] = []
        if query.limit is not None and query.limit <= 0:
            return out
        with self._lock:
            for seq, event_id, event_type, schema, contexts, row in self._db.execute(sql, args):
                present = tuple(_CONTEXTS.decode(contexts))
                if not wanted.issubset(present):
                    continue
                out.append(
                    GoodRecord(
                        seq=seq,
                        event_id=event_id,
                        event_type=event_type,
                        schema=schema,
                        contexts=present,
                        row=bytes(row),
                    )
                )
                if query.limit is not None and len(out) >= query.limit:
                    break
        return out

    def bad(self, query: BadQuery | None = None) -> list[BadRecord]:
        """Bad rows matching ``query``, newest first."""
        query = query or BadQuery()
        sql, args = _select(
            "SELECT seq, vendor, version, row FROM bad",
            vendor=query.vendor,
            version=query.version,
        )
        if query.limit is not None:
            sql += " LIMIT ?"
            args.append(max(query.limit, 0))
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [
            BadRecord(seq=seq, vendor=vendor, version=version, row=bytes(row))
            for seq, vendor, version, row in rows
        ]

    def event(self, event_id: str) -> GoodRecord | None:
        """The newest good row with this ``event_id``, if any."""
        with self._lock:
            found = self._db.execute(
                "SELECT seq, event_id, event_type, schema, contexts, row FROM good "
                "WHERE event_id = ? ORDER BY seq DESC LIMIT 1",
                (event_id,),
            ).fetchone()
        if found is None:
            return None
        seq, eid, event_type, schema, contexts, row = found
        return GoodRecord(
            seq=seq,
            event_id=eid,
            event_type=event_type,
            schema=schema,
            contexts=tuple(_CONTEXTS.decode(contexts)),
            row=bytes(row),
        )


def _select(select: str, **equal: str | None) -> tuple[str, list[object]]:
    """``select`` filtered on each column whose wanted value is not None, newest first."""
    wanted = {column: value for column, value in equal.items() if value is not None}
    where = " AND ".join(f"{column} = ?" for column in wanted)
    sql = f"{select} WHERE {where}" if where else select
    return sql + " ORDER BY seq DESC", list(wanted.values())
