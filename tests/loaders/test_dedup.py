"""Deduplication: redeliveries skipped, reused event ids flagged and re-keyed."""

from __future__ import annotations

from pyplow.event import EnrichedEvent
from pyplow.loaders.dedup import DUPLICATE_SCHEMA, deduplicate


def ev(event_id: str, fingerprint: str | None, name: str = "page_view") -> EnrichedEvent:
    return EnrichedEvent(event_id=event_id, event_fingerprint=fingerprint, event=name)


def test_redelivery_is_skipped_and_reused_ids_are_flagged() -> None:
    ids = iter(["new-1", "new-2"])
    result = deduplicate(
        [
            ev("a", "f1"),  # stored already with f1: a redelivery
            ev("b", "f2"),  # new
            ev("b", "f2"),  # the same event twice in the batch
            ev("b", "f3", "struct"),  # b reused by another event
            ev("c", None),  # stored already, but no fingerprint to compare: flagged
        ],
        stored={"a": {"f1"}, "c": {None}},
        new_id=lambda: next(ids),
    )
    assert (result.skipped, result.flagged) == (2, 2)
    assert [e.event_id for e in result.events] == ["b", "new-1", "new-2"]
    flagged = result.events[1]
    assert flagged.event == "struct"
    assert flagged.derived_contexts is not None
    (marker,) = flagged.derived_contexts.data
    assert marker.schema == DUPLICATE_SCHEMA
    assert marker.data == {"originalEventId": "b"}


def test_nothing_stored_keeps_everything() -> None:
    events = [ev("a", "1"), ev("b", "2")]
    result = deduplicate(events, stored={})
    assert result.events == events
    assert (result.skipped, result.flagged) == (0, 0)
