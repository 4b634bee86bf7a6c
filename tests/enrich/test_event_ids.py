"""Ids for events sent without one: name-based UUIDs of the raw record and the position."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from pyplow.enrich.event_ids import derived_event_id, pii_transformation_id


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=10_000))
def test_an_id_is_a_version_5_uuid_that_depends_only_on_its_inputs(record: bytes, i: int) -> None:
    event_id = derived_event_id(record, i)
    parsed = uuid.UUID(event_id)
    assert (parsed.version, parsed.variant) == (5, uuid.RFC_4122)
    assert str(parsed) == event_id  # canonical lower-case form
    assert derived_event_id(bytes(record), i) == event_id


@given(st.binary(max_size=100), st.binary(max_size=100), st.integers(0, 50), st.integers(0, 50))
def test_other_records_or_positions_give_other_ids(a: bytes, b: bytes, i: int, j: int) -> None:
    # The position is written after the record's last byte, in digits: names never collide.
    if (a, i) != (b, j):
        assert derived_event_id(a, i) != derived_event_id(b, j)


def test_the_pii_transformation_id_follows_its_parent() -> None:
    parent = "7cad8054-c5b7-400a-bdca-3cce63c0f6b7"
    assert pii_transformation_id(parent) == pii_transformation_id(parent)
    assert pii_transformation_id(parent) != pii_transformation_id(parent.replace("7", "8"))
    assert uuid.UUID(pii_transformation_id(None)).version == 5
