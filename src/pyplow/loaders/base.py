"""The contract of every loader (DuckDB, PostgreSQL, Parquet).

A ``Loader`` takes a ``LoadBatch`` (decoded enriched events, plus bad rows to keep) and stores
it in one transaction: ``load`` returns only when the batch is committed (or, for files, when
the files are complete and in place). The runner acknowledges its input only after that, so
a crash redelivers the batch; loaders therefore deduplicate (see ``pyplow.loaders.dedup``):
an event already stored with the same ``event_id`` and ``event_fingerprint`` is skipped, one
with the same ``event_id`` and another fingerprint is stored under a new ``event_id`` with a
``duplicate`` entity naming the original, as Snowplow's deduplication does.

Errors (the whole tree)::

    LoadError
    ├── TransientLoadError   retry with backoff (database away, connection lost, lock timeout)
    └── TerminalLoadError    retrying will not help (bad configuration, permissions)

Bad data is not an error: an event that cannot be stored (e.g. an incompatible schema change)
is returned as a loader bad row in ``LoadResult.bad``, and the rest of the batch is stored.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import ClassVar

import msgspec

from pyplow.event import EnrichedEvent

__all__ = [
    "LoadBatch",
    "LoadError",
    "LoadResult",
    "Loader",
    "TerminalLoadError",
    "TransientLoadError",
]


class LoadError(Exception):
    """A loader failed to store a batch."""


class TransientLoadError(LoadError):
    """Worth retrying: the same batch may be stored later."""


class TerminalLoadError(LoadError):
    """No retry will help."""


class LoadBatch(msgspec.Struct, frozen=True):
    """What one ``load`` call stores: enriched events and bad-row JSON documents."""

    events: Sequence[EnrichedEvent] = ()
    bad_rows: Sequence[bytes] = ()


class LoadResult(msgspec.Struct):
    """What a ``load`` call did."""

    loaded: int = 0
    #: Redelivered events (same event_id and fingerprint as a stored one), not stored again.
    duplicates_skipped: int = 0
    #: Events whose event_id was taken by another event: stored under a new id, flagged.
    duplicates_flagged: int = 0
    bad_rows_stored: int = 0
    #: Loader bad rows (JSON documents) for events that could not be stored.
    bad: list[bytes] = msgspec.field(default_factory=list)


class Loader(abc.ABC):
    """One storage target."""

    #: The target's name (``duckdb``, ``postgres``, ``parquet``).
    name: ClassVar[str]

    @abc.abstractmethod
    def load(self, batch: LoadBatch) -> LoadResult:
        """Store ``batch`` in one transaction; return when it is durable. Blocking: runners
        call it from a worker thread. Raises ``LoadError``."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections and finish files."""
