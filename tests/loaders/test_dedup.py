"""Deduplication: redeliveries skipped, reused event ids flagged and re-keyed."""

from __future__ import annotations

from pyplow.event import EnrichedEvent
from pyplow.loaders.dedup import DUPLICATE_SCHEMA, deduplicate, flagged_id, lookup_ids


def ev(event_id: str, fingerprint: str | None, name: str = "page_view") -> EnrichedEvent:
    return EnrichedEvent(event_id=event_id, event_fingerprint=fingerprint, event=name)


def test_redelivery_is_skipped_and_reused_ids_are_flagged() -> None:
    result = deduplicate(
        [
            ev("a", "f1"),  # stored already with f1: a redelivery
            ev("b", "f2"),  # new
            ev("b", "f2"),  # the same event twice in the batch
            ev("b", "f3", "struct"),  # b reused by another event
            ev("c", None),  # stored already, but no fingerprint to compare: flagged
        ],
        stored={"a": {"f1"}, "c": {None}},
    )
    assert (result.skipped, result.flagged) == (2, 2)
    assert [e.event_id for e in result.events] == [
        "b",
        flagged_id("b", "f3"),
        flagged_id("c", None),
    ]
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


def test_a_redelivered_flagged_event_is_recognised() -> None:
    first = deduplicate([ev("a", "f2")], stored={"a": {"f1"}})
    (flagged,) = first.events
    assert flagged.event_id == flagged_id("a", "f2")
    assert flagged.event_id in lookup_ids([ev("a", "f2")])
    # The loader now holds both; the same batch arrives again.
    again = deduplicate([ev("a", "f2")], stored={"a": {"f1"}, flagged.event_id: {"f2"}})
    assert again.events == []
    assert again.skipped == 1


def test_memory_loader_keeps_a_reused_id_batch_once_when_redelivered() -> None:
    from pyplow.loaders.base import LoadBatch
    from pyplow.loaders.memory import MemoryLoader

    loader = MemoryLoader()
    loader.load(LoadBatch(events=[ev("a", "f1")]))
    batch = LoadBatch(events=[ev("a", "f2"), ev("b", "f3")])
    first = loader.load(batch)
    second = loader.load(batch)  # redelivered after a crash before the ack
    assert (first.loaded, first.duplicates_flagged) == (2, 1)
    assert (second.loaded, second.duplicates_skipped) == (0, 2)
    assert len(loader.events) == 3
