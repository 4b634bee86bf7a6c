"""What ``events`` already holds for a batch's ids, looked up in two steps.

:func:`~pyplow.loaders.dedup.deduplicate` needs, for every event, the fingerprints stored under
its ``event_id``, and, for an event whose id is taken (stored, or earlier in the batch), those
stored under the id it would be flagged with. :func:`~pyplow.loaders.dedup.lookup_ids` asks for
both for every event; here the first query asks for the batch's ids only, and a second one for
the flagged ids of the events that can need them (:func:`flagged_ids_needed`), so the usual
batch, where no id is taken, costs one query and no name-based UUIDs. ``deduplicate`` decides
the same from either.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from pyplow.event import EnrichedEvent
from pyplow.loaders.dedup import flagged_id

if TYPE_CHECKING:
    import psycopg

__all__ = ["array_literal", "flagged_ids_needed", "stored_fingerprints"]


def flagged_ids_needed(events: Sequence[EnrichedEvent], stored: Collection[str]) -> set[str]:
    """The flagged ids ``deduplicate`` may look up, given the ids ``stored`` holds among the
    batch's ``event_id`` values: those of the events whose id is stored or repeated in the
    batch, and, in turn, of events whose id is one of those flagged ids."""
    ids: set[str] = set()
    repeated: set[str] = set()
    for event in events:
        event_id = event.event_id or ""
        if event_id in ids:
            repeated.add(event_id)
        ids.add(event_id)
    taken = repeated.union(i for i in stored if i in ids)
    needed: set[str] = set()
    while taken:
        ids -= taken  # each id's events are handled once
        fresh = {
            flagged_id(event.event_id or "", event.event_fingerprint)
            for event in events
            if (event.event_id or "") in taken
        }
        fresh -= needed
        needed |= fresh
        taken = fresh & ids
    return needed


def array_literal(ids: Sequence[str]) -> str | list[str]:
    """``ids`` as a PostgreSQL array literal (``{"a","b"}``), or as a list for psycopg to
    adapt when an id holds a ``"`` or a backslash."""
    body = '","'.join(ids)
    if body.count('"') != 2 * (len(ids) - 1) or "\\" in body:
        return list(ids)
    return '{"' + body + '"}'


def stored_fingerprints(
    cursor: psycopg.Cursor[Any], table: str, ids: Sequence[str], into: dict[str, set[str | None]]
) -> dict[str, set[str | None]]:
    """Add to ``into`` the fingerprints ``table`` (quoted) holds per id of ``ids``."""
    if ids:
        cursor.execute(
            f"SELECT event_id, event_fingerprint FROM {table} WHERE event_id = ANY(%s::bpchar[])",
            (array_literal(ids),),
        )
        for event_id, fingerprint in cursor.fetchall():
            into.setdefault(str(event_id).rstrip(" "), set()).add(fingerprint)
    return into
