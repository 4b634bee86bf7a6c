"""The local write-ahead spool and deduplication index of the Parquet loader (one SQLite file).

A ``load`` commits, in one SQLite transaction, the batch's rows (as Arrow IPC segments, one per
partition) and the ``(event_id, event_fingerprint)`` pairs it has seen; with ``synchronous=FULL``
the commit is on disk when it returns, so the batch survives a crash from then on.

Turning a partition's segments into a Parquet file (a *roll*) is made idempotent with an
intent record: first the segments are tied to a roll id in the ``rolls`` table (committed),
then the files named after that id are written, then segments and intent are deleted
together. A crash in between leaves the intent; the roll is redone, skipping files that
already exist, so no row is published twice and none is lost.

Tables::

    seen(event_id, fingerprint, stored_at)     the dedup index ('' stands for no fingerprint)
    segments(id, kind, partition, created, rows, bytes, data, roll)
    rolls(id, kind, partition, created)
    columns(name, schema_uri)                   wide columns so far, and their newest revision
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import msgspec

from pyplow.loaders.parquet.layout import Kind

__all__ = ["OpenPartition", "PendingRoll", "Segment", "Spool"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    event_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (event_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_stored_at ON seen (stored_at);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    partition TEXT NOT NULL,
    created REAL NOT NULL,
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    data BLOB NOT NULL,
    roll TEXT
);
CREATE INDEX IF NOT EXISTS segments_by_roll ON segments (roll, kind, partition);
CREATE TABLE IF NOT EXISTS columns (
    name TEXT PRIMARY KEY,
    schema_uri TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rolls (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    partition TEXT NOT NULL,
    created REAL NOT NULL
);
"""

#: Event ids per lookup query (well under SQLite's limit of host parameters).
_LOOKUP_CHUNK = 5000


class Segment(msgspec.Struct, frozen=True):
    """Spooled rows of one partition: an Arrow IPC stream."""

    kind: Kind
    partition: str
    rows: int
    data: bytes


class OpenPartition(msgspec.Struct, frozen=True):
    """Segments of a partition not yet tied to a roll: how many rows, bytes, since when."""

    kind: Kind
    partition: str
    rows: int
    bytes: int
    oldest: float


class PendingRoll(msgspec.Struct, frozen=True):
    """A roll whose intent is recorded and whose files may not all be written yet."""

    id: str
    kind: Kind
    partition: str


def _fingerprint_key(fingerprint: str | None) -> str:
    return "" if fingerprint is None else fingerprint


class Spool:
    """The SQLite spool file at ``path`` (created with its folder when missing).

    Thread-safe: every method holds one lock, so ``load`` may be called from any thread.
    """

    def __init__(self, path: str | Path) -> None:
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- deduplication index -------------------------------------------------------------

    def stored(self, event_ids: Iterable[str]) -> dict[str, set[str | None]]:
        """The fingerprints remembered for each of ``event_ids`` that is known."""
        ids = sorted(set(event_ids))  # in key order: neighbouring lookups share pages
        out: dict[str, set[str | None]] = {}
        with self._lock:
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT event_id, fingerprint FROM seen WHERE event_id IN ({marks})",
                    chunk,
                )
                for event_id, fingerprint in rows:
                    out.setdefault(event_id, set()).add(fingerprint or None)
        return out

    def purge_seen(self, before: float) -> int:
        """Forget index entries stored before ``before`` (epoch seconds); how many."""
        with self._transaction() as db:
            return db.execute("DELETE FROM seen WHERE stored_at < ?", (before,)).rowcount

    # -- spooling ------------------------------------------------------------------------

    def commit(
        self,
        segments: Sequence[Segment],
        seen: Mapping[str, set[str | None]] | Iterable[tuple[str, str | None]],
        now: float,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        """Store segments, remember ``seen`` pairs and wide ``columns`` (name → schema URI),
        atomically and durably. ``seen`` maps event ids to fingerprints, or lists
        ``(event_id, fingerprint)`` pairs (repeats are fine)."""
        if isinstance(seen, Mapping):
            seen = ((event_id, fp) for event_id, fps in seen.items() for fp in fps)
        # in key order: inserting random UUIDs in order is several times faster (B-tree pages
        # are filled one after the other instead of all being touched)
        pairs = sorted((event_id, _fingerprint_key(fp), now) for event_id, fp in seen)
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO segments (kind, partition, created, rows, bytes, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(s.kind, s.partition, now, s.rows, len(s.data), s.data) for s in segments],
            )
            db.executemany(
                "INSERT INTO seen (event_id, fingerprint, stored_at) VALUES (?, ?, ?) "
                "ON CONFLICT (event_id, fingerprint) DO UPDATE SET stored_at = excluded.stored_at",
                pairs,
            )
            db.executemany(
                "INSERT INTO columns (name, schema_uri) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET schema_uri = excluded.schema_uri",
                sorted((columns or {}).items()),
            )

    def known_columns(self) -> dict[str, str]:
        """The wide columns recorded so far: name → URI of the newest revision included."""
        with self._lock:
            rows = self._db.execute("SELECT name, schema_uri FROM columns").fetchall()
        return {str(name): str(uri) for name, uri in rows}

    def open_partitions(self) -> list[OpenPartition]:
        """Partitions with segments not yet tied to a roll."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, partition, SUM(rows), SUM(bytes), MIN(created) FROM segments "
                "WHERE roll IS NULL GROUP BY kind, partition ORDER BY kind, partition"
            ).fetchall()
        return [OpenPartition(k, p, int(r), int(b), float(o)) for k, p, r, b, o in rows]

    # -- rolls ---------------------------------------------------------------------------

    def begin_roll(self, roll_id: str, kind: Kind, partition: str, now: float) -> int:
        """Tie a partition's open segments to a new roll; how many segments (0: no roll)."""
        return self.begin_rolls([PendingRoll(roll_id, kind, partition)], now).get(roll_id, 0)

    def begin_rolls(self, rolls: Sequence[PendingRoll], now: float) -> dict[str, int]:
        """:meth:`begin_roll` for several partitions in one transaction (one sync to disk);
        roll id → segments tied, for the rolls that tied any."""
        out: dict[str, int] = {}
        with self._transaction() as db:
            for roll in rolls:
                tied = db.execute(
                    "UPDATE segments SET roll = ? "
                    "WHERE roll IS NULL AND kind = ? AND partition = ?",
                    (roll.id, roll.kind, roll.partition),
                ).rowcount
                if tied:
                    db.execute(
                        "INSERT INTO rolls (id, kind, partition, created) VALUES (?, ?, ?, ?)",
                        (roll.id, roll.kind, roll.partition, now),
                    )
                    out[roll.id] = tied
        return out

    def pending_rolls(self) -> list[PendingRoll]:
        """Rolls begun and not finished, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, partition FROM rolls ORDER BY created, id"
            ).fetchall()
        return [PendingRoll(i, k, p) for i, k, p in rows]

    def roll_segments(self, roll_id: str) -> list[bytes]:
        """The data of a roll's segments, in the order they were spooled."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM segments WHERE roll = ? ORDER BY id", (roll_id,)
            ).fetchall()
        return [bytes(data) for (data,) in rows]

    def finish_roll(self, *roll_ids: str) -> None:
        """Forget rolls and their segments (one transaction): their files are all in place."""
        with self._transaction() as db:
            for roll_id in roll_ids:
                db.execute("DELETE FROM segments WHERE roll = ?", (roll_id,))
                db.execute("DELETE FROM rolls WHERE id = ?", (roll_id,))

    def counts(self) -> tuple[int, int]:
        """Spooled segments and remembered ``seen`` pairs (for tests and metrics)."""
        with self._lock:
            (segments,) = self._db.execute("SELECT COUNT(*) FROM segments").fetchone()
            (seen,) = self._db.execute("SELECT COUNT(*) FROM seen").fetchone()
        return int(segments), int(seen)
