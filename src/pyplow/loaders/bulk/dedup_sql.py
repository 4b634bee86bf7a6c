"""Deduplication of a staged chunk (:mod:`pyplow.loaders.bulk.engine`), as
:func:`pyplow.loaders.dedup.decide` does it over all the chunk's events in input order.

Only events whose ``event_id`` is repeated in the chunk, or already stored, or the new id of
a duplicate of the chunk, are decided one by one (in Python); :func:`sequential` finds them
in the stage table and :func:`apply_decisions` decides them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]

from pyplow.event import EnrichedEvent
from pyplow.loaders.dedup import decide, flagged, flagged_id
from pyplow.loaders.runner import split_rows

__all__ = ["IDS", "StoredLookup", "apply_decisions", "decode_line", "sequential"]

#: The registered Arrow table of the event ids looked up.
IDS: Final = "__pyplow_ids"

#: Looks up stored events: event ids (an Arrow array) → event_id → fingerprints stored.
StoredLookup = Callable[[Any], dict[str, set[str | None]]]


def decode_line(line: bytes) -> EnrichedEvent | bytes:
    """``line`` decoded by the per-row path: the event, or its ``loader_parsing_error``."""
    events, failed = split_rows([line])
    return events[0] if events else failed[0]


def _rows_with_ids(
    con: Any, stage: str, keep: str, ids: set[str]
) -> list[tuple[int, str, str | None]]:
    """Kept rows of the stage whose ``event_id`` is one of ``ids``."""
    if not ids:
        return []
    con.register(IDS, pa.table({"id": pa.array(sorted(ids), pa.string())}))
    try:
        rows: list[tuple[int, str, str | None]] = con.execute(
            f"SELECT __row, __id, __fp FROM {stage} WHERE {keep} AND __id IN (SELECT id FROM {IDS})"
        ).fetchall()
    finally:
        con.unregister(IDS)
    return rows


def sequential(
    con: Any,
    stage: str,
    keep: str,
    slow: dict[int, EnrichedEvent],
    stored: StoredLookup,
    fresh_ids: bool,
) -> tuple[dict[int, tuple[str, str | None]], dict[str, set[str | None]]]:
    """The ``(event_id, fingerprint)`` of the events to decide one by one (by row), and what
    the target stores for them. The others are kept as they are: ``decide`` keeps an event
    whose id no other event of the chunk, no stored event and no new id of a duplicate has."""
    special = {
        i
        for (i,) in con.execute(
            f"SELECT __id FROM {stage} WHERE {keep} GROUP BY __id HAVING count(*) > 1"
        ).fetchall()
    }
    special.update(e.event_id or "" for e in slow.values())
    ids = con.sql(f"SELECT DISTINCT __id FROM {stage} WHERE {keep}").to_arrow_table()
    known = stored(
        pa.concat_arrays(
            [
                *(chunk.cast(pa.string()) for chunk in ids.column(0).chunks),
                pa.array(sorted(special), pa.string()),
            ]
        )
    )
    special.update(known)
    keys: dict[int, tuple[str, str | None]] = {
        row: (e.event_id or "", e.event_fingerprint) for row, e in slow.items()
    }
    fresh: set[str] = set()
    while special:
        keys.update((row, (i, fp)) for row, i, fp in _rows_with_ids(con, stage, keep, special))
        # an event whose id is the new id of a duplicate of the chunk is decided too
        more = {flagged_id(*key) for key in keys.values()} - fresh
        fresh |= more
        special = more
    if fresh_ids and fresh:
        for event_id, fps in stored(pa.array(sorted(fresh), pa.string())).items():
            known.setdefault(event_id, set()).update(fps)
    return keys, known


def apply_decisions(
    lines: list[bytes],
    slow: dict[int, EnrichedEvent],
    keys: dict[int, tuple[str, str | None]],
    known: dict[str, set[str | None]],
) -> tuple[list[int], int, int]:
    """Decide (in row order) the events of ``keys``: skipped ones leave ``slow``, flagged ones
    join it under their new id; returns the rows the columnar path no longer stores and how
    many events were skipped and flagged."""
    order = sorted(keys)
    moved: list[int] = []
    skipped = flagged_count = 0
    for row, decision in zip(order, decide((keys[r] for r in order), known), strict=True):
        event_id = keys[row][0]
        if decision is None:
            skipped += 1
            if slow.pop(row, None) is None:
                moved.append(row)
        elif decision != event_id:
            flagged_count += 1
            event = slow.get(row)
            if event is None:
                decoded = decode_line(lines[row])
                assert isinstance(decoded, EnrichedEvent), "a checked row always decodes"
                event = decoded
                moved.append(row)
            slow[row] = flagged(event, decision)
    return moved, skipped, flagged_count
