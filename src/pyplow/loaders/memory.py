"""``memory``: a loader that keeps events and bad rows in the process (tests, tools).

It follows the whole contract (deduplication, one atomic step per batch, transient failures
when told to fail) so that runners and pipelines can be tested against a real component.
"""

from __future__ import annotations

import threading

from pyplow.event import EnrichedEvent
from pyplow.loaders.base import LoadBatch, Loader, LoadResult, TransientLoadError
from pyplow.loaders.dedup import deduplicate, lookup_ids

__all__ = ["MemoryLoader"]


class MemoryLoader(Loader):
    """Stores events and bad rows in lists; ``failures`` makes the next loads fail."""

    name = "memory"

    def __init__(self) -> None:
        self.events: list[EnrichedEvent] = []
        self.bad_rows: list[bytes] = []
        self.failures = 0
        self._fingerprints: dict[str, set[str | None]] = {}
        self._lock = threading.Lock()

    def load(self, batch: LoadBatch) -> LoadResult:
        with self._lock:
            if self.failures:
                self.failures -= 1
                raise TransientLoadError("memory loader told to fail")
            ids = lookup_ids(batch.events)
            stored = {i: self._fingerprints[i] for i in ids if i in self._fingerprints}
            result = deduplicate(batch.events, stored)
            for event in result.events:
                self._fingerprints.setdefault(event.event_id or "", set()).add(
                    event.event_fingerprint
                )
            self.events.extend(result.events)
            self.bad_rows.extend(batch.bad_rows)
            return LoadResult(
                loaded=len(result.events),
                duplicates_skipped=result.skipped,
                duplicates_flagged=result.flagged,
                bad_rows_stored=len(batch.bad_rows),
            )
