"""Ids for events that arrive without one.

Snowplow Enrich draws a random ``event_id`` when a tracker sent no valid ``eid`` (pixels,
webhooks, some server trackers). pyplow derives it instead, as a version 5 (name-based) UUID of
the raw record's bytes and the event's position in the record: enriching the same record again
(a crash and a replay of the spool, a redelivery from NATS, a batch run over the same files)
gives the same ids, so the loaders' deduplication keeps those events once.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Final

__all__ = ["derived_event_id", "pii_transformation_id"]

# Namespace of the name-based UUIDs given to events that arrive without an id.
_NAMESPACE: Final = uuid.UUID("3f9c2b7a-5d41-4e8a-b6c3-1a7e0d5f9b24").bytes


def _uuid5(name: bytes) -> str:
    digest = hashlib.sha1(_NAMESPACE + name, usedforsecurity=False).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def derived_event_id(record: bytes, index: int) -> str:
    """The ``event_id`` of the ``index``-th event of the raw ``record`` when it carries none.

    The same record always gives the same ids; records that differ in any byte (the collector's
    timestamp, the network user id, a header, the query) give different ones.
    """
    return _uuid5(record + b"\x1f" + str(index).encode())


def pii_transformation_id(parent_event_id: str | None) -> str:
    """The ``event_id`` of the ``pii_transformation`` event emitted for a parent event: as
    stable as the parent's own id."""
    return _uuid5(f"pii_transformation\x1f{parent_event_id}".encode())
