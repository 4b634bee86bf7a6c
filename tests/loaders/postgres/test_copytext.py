"""COPY text encoding of rows, and the two-step id lookup (no database needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from pyplow.event.values import WholeSecondTimestamp
from pyplow.loaders.dedup import deduplicate, flagged_id, lookup_ids
from pyplow.loaders.postgres.atomic import event_row
from pyplow.loaders.postgres.atomic_text import event_line
from pyplow.loaders.postgres.copytext import escape, row_text, text_of
from pyplow.loaders.postgres.stored import array_literal, flagged_ids_needed

from .events import page_view, tricky_page_view

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def test_escape_only_touches_backslash_tab_lf_cr() -> None:
    assert escape("plain é 漢字") == "plain é 漢字"
    assert escape("a\\b\tc\nd\re\x08f") == "a\\\\b\\tc\\nd\\re\x08f"
    assert escape("\\N") == "\\\\N"


def test_row_text_of_each_kind_of_value() -> None:
    row = (
        None,
        "",
        "\\N",
        "tab\there",
        "é",
        True,
        False,
        -7,
        1.5,
        1e-07,
        Decimal("12.50"),
        Decimal("1E+3"),
        datetime(2024, 5, 1, 10, 0, 1, 512000, tzinfo=UTC),
        WholeSecondTimestamp(2024, 5, 1, 10, 0, 1, tzinfo=UTC),
        datetime(2024, 5, 1, 10, 0, 1, 5),
        date(2024, 1, 2),
    )
    assert row_text(row) == "\t".join(
        [
            "\\N",
            "",
            "\\\\N",
            "tab\\there",
            "é",
            "t",
            "f",
            "-7",
            "1.5",
            "1e-07",
            "12.50",
            "1E+3",
            "2024-05-01T10:00:01.512000Z",
            "2024-05-01 10:00:01+00:00",
            "2024-05-01T10:00:01.000005",
            "2024-01-02",
        ]
    )


def test_values_without_text_are_left_to_psycopg() -> None:
    class Tagged(str):
        pass

    assert row_text(("a", Decimal("NaN"))) is None
    assert row_text(("a", object())) is None
    assert row_text((Tagged("a"),)) is None
    assert text_of(None) == "\\N"


def test_event_line_is_the_row_value_by_value() -> None:
    for event in (page_view(1), page_view(2, page_title="plain"), tricky_page_view(3)):
        line = event_line(event, NOW, text_of(NOW))
        assert line == row_text(event_row(event, NOW))
        assert line is not None
        assert line.count("\t") == 128
        assert "\n" not in line


def test_event_line_leaves_odd_values_to_psycopg() -> None:
    assert event_line(page_view(1, tr_total=Decimal("NaN")), NOW, text_of(NOW)) is None
    assert event_line(page_view(1, page_urlport="443"), NOW, text_of(NOW)) is not None
    assert event_line(page_view(1, app_id=object()), NOW, text_of(NOW)) is None
    # psycopg would send an int's digits to a text column too
    assert str(event_line(page_view(1, app_id=7), NOW, text_of(NOW))).startswith("7\tweb\t")


def test_array_literal() -> None:
    ids = [str(uuid.UUID(int=1)), "odd,id {x}"]
    assert array_literal(ids) == '{"' + ids[0] + '","odd,id {x}"}'
    assert array_literal(['say "hi"', "x"]) == ['say "hi"', "x"]
    assert array_literal(["back\\slash"]) == ["back\\slash"]
    assert array_literal(["x"]) == '{"x"}'
    assert array_literal(['"']) == ['"']


_IDS = st.sampled_from(["a", "b", "c", "", flagged_id("a", "f1"), flagged_id("a", None)])
_PRINTS = st.sampled_from(["f1", "f2", None])


@given(
    keys=st.lists(st.tuples(_IDS, _PRINTS), max_size=8),
    stored_pairs=st.lists(st.tuples(st.integers(0, 30), _PRINTS), max_size=6),
)
def test_two_step_lookup_decides_as_the_full_lookup(
    keys: list[tuple[str, str | None]], stored_pairs: list[tuple[int, str | None]]
) -> None:
    events = [
        msgspec.structs.replace(page_view(0), event_id=i or None, event_fingerprint=f)
        for i, f in keys
    ]
    wanted = lookup_ids(events)  # what the target is asked for in one step
    # the target holds some of those ids (batch ids and flagged ids alike)
    everything: dict[str, set[str | None]] = {}
    for index, fingerprint in stored_pairs:
        if wanted:
            everything.setdefault(wanted[index % len(wanted)], set()).add(fingerprint)
    full = {k: v for k, v in everything.items() if k in wanted and k}
    ids = {e.event_id or "" for e in events} - {""}
    first = {k: v for k, v in everything.items() if k in ids}
    needed = flagged_ids_needed(events, first)
    second = {**first, **{k: v for k, v in everything.items() if k in needed - ids}}
    expected = deduplicate(events, full)
    got = deduplicate(events, second)
    assert _summary(got) == _summary(expected)


def _summary(result: Any) -> tuple[Any, ...]:
    return (
        result.skipped,
        result.flagged,
        [(e.event_id, e.event_fingerprint) for e in result.events],
    )
