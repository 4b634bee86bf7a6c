"""Deduplication of events by ``event_id`` and ``event_fingerprint``, shared by all loaders.

At-least-once delivery means a batch may arrive twice. Given the events of a batch and what
the target already holds for their ids, ``deduplicate`` decides per event, as Snowplow's
deduplication does:

- same ``event_id`` and same ``event_fingerprint`` as a stored event (or an earlier event of
  the batch): a redelivery, skipped;
- same ``event_id``, another fingerprint (or none): a different event that reused an id (a
  tracker bug, a bot): stored under a new ``event_id`` with a
  ``com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0`` entity
  ``{"originalEventId": <the id>}`` added to ``derived_contexts``;
- otherwise stored as it is.

The new id is derived from the original id and the fingerprint (a name-based UUID), not drawn
at random as Snowplow does, so that a redelivery of a flagged event is recognised too: loaders
look up ``lookup_ids(events)`` (the batch's ids and the ids their duplicates would get).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from pyplow.event import CONTEXTS_SCHEMA, Contexts, EnrichedEvent, Entity

__all__ = [
    "DUPLICATE_SCHEMA",
    "Deduplicated",
    "decide",
    "deduplicate",
    "flagged",
    "flagged_id",
    "lookup_ids",
]

DUPLICATE_SCHEMA = "iglu:com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0"
_NAMESPACE = uuid.UUID("6a2f1c5e-8b1d-4e4f-9c0a-5d3b7e2f9a10")


def flagged_id(event_id: str, fingerprint: str | None) -> str:
    """The id an event gets when its ``event_id`` was taken by another event."""
    return str(uuid.uuid5(_NAMESPACE, f"{event_id}\x1f{fingerprint or ''}"))


def lookup_ids(events: Sequence[EnrichedEvent]) -> list[str]:
    """The ids a loader must look up before deduplicating ``events``."""
    ids: set[str] = set()
    for event in events:
        event_id = event.event_id or ""
        ids.add(event_id)
        ids.add(flagged_id(event_id, event.event_fingerprint))
    return sorted(ids)


class Deduplicated(msgspec.Struct):
    """The events to store (in order), and how many were skipped or flagged."""

    events: list[EnrichedEvent]
    skipped: int = 0
    flagged: int = 0


def decide(
    keys: Iterable[tuple[str, str | None]], stored: Mapping[str, set[str | None]]
) -> list[str | None]:
    """The decision for each ``(event_id, event_fingerprint)`` in order: ``None`` to skip it,
    its own ``event_id`` to store it as it is, or the new id to store it under (flagged)."""
    seen: dict[str, set[str | None]] = {k: set(v) for k, v in stored.items()}
    out: list[str | None] = []
    for event_id, fingerprint in keys:
        fingerprints = seen.get(event_id)
        if fingerprints is None:
            seen[event_id] = {fingerprint}
            out.append(event_id)
            continue
        if fingerprint is not None and fingerprint in fingerprints:
            out.append(None)
            continue
        fresh = flagged_id(event_id, fingerprint)
        if fingerprint in seen.get(fresh, ()):  # this duplicate was stored before
            out.append(None)
            continue
        fingerprints.add(fingerprint)
        seen[fresh] = {fingerprint}
        out.append(fresh)
    return out


def deduplicate(
    events: Sequence[EnrichedEvent], stored: Mapping[str, set[str | None]]
) -> Deduplicated:
    """Decide for each event (``stored``: event_id → fingerprints the target holds, for the ids
    of ``lookup_ids(events)``)."""
    out = Deduplicated(events=[])
    keys = ((event.event_id or "", event.event_fingerprint) for event in events)
    for event, decision in zip(events, decide(keys, stored), strict=True):
        if decision is None:
            out.skipped += 1
        elif decision == (event.event_id or ""):
            out.events.append(event)
        else:
            out.events.append(flagged(event, decision))
            out.flagged += 1
    return out


def flagged(event: EnrichedEvent, fresh_id: str) -> EnrichedEvent:
    """``event`` stored under ``fresh_id``, with a ``duplicate`` entity naming its own id."""
    marker = Entity(DUPLICATE_SCHEMA, {"originalEventId": event.event_id})
    derived = event.derived_contexts
    entities = (marker, *(derived.data if derived is not None else ()))
    schema = derived.schema if derived is not None else CONTEXTS_SCHEMA
    return msgspec.structs.replace(
        event, event_id=fresh_id, derived_contexts=Contexts(schema, entities)
    )
