"""The time window of a read: ``[start, end)`` on ``collector_tstamp``, in UTC.

Bounds may be given as timezone-aware datetimes (converted to UTC), naive datetimes (taken as
UTC, the way pyplow's warehouses store timestamps), dates (midnight UTC) or ISO-8601 text
(``2024-03-01``, ``2024-03-01T12:00``, ``2024-03-01 12:00:00.250Z``, ``…+02:00``). Either bound
may be left open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeAlias

import msgspec

__all__ = ["Instant", "TimeWindow", "parse_instant"]

#: What a bound may be given as.
Instant: TypeAlias = datetime | date | str


def parse_instant(value: Instant) -> datetime:
    """``value`` as a timezone-aware UTC datetime; ``ValueError`` for unreadable text."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a time; expected ISO-8601 such as 2024-03-01 or "
                "2024-03-01T12:00:00Z"
            ) from None
    else:
        raise TypeError(f"expected a datetime, date or ISO-8601 string, got {type(value).__name__}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class TimeWindow(msgspec.Struct, frozen=True):
    """``start <= collector_tstamp < end`` (UTC, aware); ``None`` leaves a side open."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, start: Instant | None = None, end: Instant | None = None) -> TimeWindow:
        """The window between two bounds in any accepted form; ``ValueError`` when empty."""
        window = cls(
            None if start is None else parse_instant(start),
            None if end is None else parse_instant(end),
        )
        if window.start is not None and window.end is not None and window.start >= window.end:
            raise ValueError(
                f"the time window is empty: start {window.start.isoformat()} is not before "
                f"end {window.end.isoformat()}"
            )
        return window

    @property
    def bounded(self) -> bool:
        """Whether either side is closed."""
        return self.start is not None or self.end is not None

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware, or naive UTC) lies in the window."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if self.start is not None and moment < self.start:
            return False
        return self.end is None or moment < self.end

    def overlaps(self, begin: datetime, finish: datetime) -> bool:
        """Whether ``[begin, finish)`` (aware) shares an instant with the window."""
        if self.start is not None and finish <= self.start:
            return False
        return self.end is None or begin < self.end

    def naive(self) -> tuple[datetime | None, datetime | None]:
        """The bounds as naive UTC datetimes, for ``TIMESTAMP`` columns that hold UTC."""
        return (
            None if self.start is None else self.start.replace(tzinfo=None),
            None if self.end is None else self.end.replace(tzinfo=None),
        )
