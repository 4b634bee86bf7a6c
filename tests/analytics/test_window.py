"""The ``[start, end)`` window on ``collector_tstamp``: bound forms, checks, membership."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyplow.analytics.window import TimeWindow, parse_instant

PARIS_WINTER = timezone(timedelta(hours=1))
NOON = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (NOON, NOON),
        (datetime(2024, 3, 1, 13, 0, tzinfo=PARIS_WINTER), NOON),
        (datetime(2024, 3, 1, 12, 0), NOON),  # naive: UTC
        (date(2024, 3, 1), datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T12:00", NOON),
        ("2024-03-01 12:00:00.250Z", NOON.replace(microsecond=250000)),
        ("2024-03-01T14:00:00+02:00", NOON),
        (" 2024-03-01T12:00:00z ", NOON),
    ],
)
def test_bounds_in_every_form_become_utc(given_value: object, expected: datetime) -> None:
    parsed = parse_instant(given_value)  # type: ignore[arg-type]
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_unreadable_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="not a time; expected ISO-8601"):
        parse_instant("yesterday")
    with pytest.raises(TypeError, match="expected a datetime"):
        parse_instant(1709294400)  # type: ignore[arg-type]


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="the time window is empty"):
        TimeWindow.of("2024-03-02", "2024-03-01")
    with pytest.raises(ValueError, match="the time window is empty"):
        TimeWindow.of(NOON, NOON)


def test_open_sides() -> None:
    assert not TimeWindow.of().bounded
    assert TimeWindow.of(start=NOON).bounded
    assert TimeWindow.of(end=NOON).contains(NOON - timedelta(microseconds=1))
    assert not TimeWindow.of(end=NOON).contains(NOON)
    assert TimeWindow.of(start=NOON).contains(NOON)
    assert TimeWindow.of().naive() == (None, None)
    assert TimeWindow.of(NOON, "2024-03-02").naive() == (
        datetime(2024, 3, 1, 12),
        datetime(2024, 3, 2),
    )


def test_hours_overlapping_the_window() -> None:
    window = TimeWindow.of("2024-03-01T12:30", "2024-03-01T14:00")
    hour = timedelta(hours=1)
    starts = [NOON + n * hour for n in range(-1, 4)]
    assert [window.overlaps(s, s + hour) for s in starts] == [False, True, True, False, False]


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
offsets = st.sampled_from([timedelta(0), timedelta(hours=-7), timedelta(hours=5, minutes=30)])


@given(instants, st.one_of(st.none(), instants), st.one_of(st.none(), instants), offsets)
def test_membership_is_half_open_whatever_the_form(
    moment: datetime, start: datetime | None, end: datetime | None, offset: timedelta
) -> None:
    if start is not None and end is not None and start >= end:
        with pytest.raises(ValueError, match="empty"):
            TimeWindow.of(start, end)
        return
    zone = timezone(offset)
    as_text = TimeWindow.of(
        None if start is None else start.astimezone(zone).isoformat(),
        None if end is None else end.astimezone(zone).isoformat(),
    )
    as_naive = TimeWindow.of(
        None if start is None else start.replace(tzinfo=None),
        None if end is None else end.replace(tzinfo=None),
    )
    expected = (start is None or start <= moment) and (end is None or moment < end)
    assert as_text.contains(moment) is expected
    assert as_naive.contains(moment.replace(tzinfo=None)) is expected
    assert as_text == as_naive
