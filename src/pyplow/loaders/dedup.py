"""Deduplication of events by ``event_id`` and ``event_fingerprint``, shared by all loaders.

At-least-once delivery means a batch may arrive twice. Given the events of a batch and what
the target already holds for their ids, ``deduplicate`` decides per event, as Snowplow's
deduplication does:

- same ``event_id`` and same ``event_fingerprint`` as a stored event (or an earlier event of
  the batch): a redelivery, skipped;
- same ``event_id``, another fingerprint (or none): a different event that reused an id (a
  tracker bug, a bot): stored under a new random ``event_id`` with a
  ``com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0`` entity
  ``{"originalEventId": <the id>}`` added to ``derived_contexts``;
- otherwise stored as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence

import msgspec

from pyplow.event import CONTEXTS_SCHEMA, Contexts, EnrichedEvent, Entity

__all__ = ["DUPLICATE_SCHEMA", "Deduplicated", "deduplicate"]

DUPLICATE_SCHEMA = "iglu:com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0"


class Deduplicated(msgspec.Struct):
    """The events to store (in order), and how many were skipped or flagged."""

    events: list[EnrichedEvent]
    skipped: int = 0
    flagged: int = 0


def deduplicate(
    events: Sequence[EnrichedEvent],
    stored: Mapping[str, set[str | None]],
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Deduplicated:
    """Decide for each event (``stored``: event_id → fingerprints the target holds)."""
    seen: dict[str, set[str | None]] = {k: set(v) for k, v in stored.items()}
    out = Deduplicated(events=[])
    for event in events:
        event_id = event.event_id or ""
        fingerprints = seen.get(event_id)
        if fingerprints is None:
            seen[event_id] = {event.event_fingerprint}
            out.events.append(event)
            continue
        if event.event_fingerprint is not None and event.event_fingerprint in fingerprints:
            out.skipped += 1
            continue
        fingerprints.add(event.event_fingerprint)
        out.events.append(_flagged(event, new_id()))
        out.flagged += 1
    return out


def _flagged(event: EnrichedEvent, fresh_id: str) -> EnrichedEvent:
    marker = Entity(DUPLICATE_SCHEMA, {"originalEventId": event.event_id})
    derived = event.derived_contexts
    entities = (marker, *(derived.data if derived is not None else ()))
    schema = derived.schema if derived is not None else CONTEXTS_SCHEMA
    return msgspec.structs.replace(
        event, event_id=fresh_id, derived_contexts=Contexts(schema, entities)
    )
