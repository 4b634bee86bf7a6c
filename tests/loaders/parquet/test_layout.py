"""The partition layout: date and hour of collector_tstamp in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.loaders.parquet.layout import (
    BAD_ROWS,
    EVENTS,
    file_name,
    parse_partition,
    partition_of,
    target_dir,
    temp_name,
)


def test_partition_is_utc_date_and_two_digit_hour() -> None:
    assert partition_of(datetime(2024, 5, 1, 7, 59, 59, tzinfo=UTC)) == "date=2024-05-01/hour=07"
    # 00:30 at UTC+02:00 is 22:30 the day before in UTC
    plus_two = timezone(timedelta(hours=2))
    assert partition_of(datetime(2024, 5, 1, 0, 30, tzinfo=plus_two)) == "date=2024-04-30/hour=22"
    assert partition_of(datetime(2024, 12, 31, 23, 0)) == "date=2024-12-31/hour=23"


@settings(max_examples=200)
@given(st.datetimes(timezones=st.just(UTC)))
def test_partition_round_trips_to_the_start_of_the_hour(instant: datetime) -> None:
    start = parse_partition(partition_of(instant))
    assert start == instant.replace(minute=0, second=0, microsecond=0)


@pytest.mark.parametrize(
    "text", ["date=2024-13-01/hour=00", "date=2024-01-01/hour=24", "hour=01", "", "date=x/hour=1"]
)
def test_foreign_partitions_are_not_parsed(text: str) -> None:
    assert parse_partition(text) is None


def test_paths_and_names() -> None:
    part = "date=2024-05-01/hour=10"
    assert target_dir("bkt/lake/", EVENTS, part, "_bad_rows") == f"bkt/lake/{part}"
    assert target_dir("bkt/lake", BAD_ROWS, part, "_bad_rows") == f"bkt/lake/_bad_rows/{part}"
    assert file_name("abc", 0) == "part-abc.parquet"
    assert file_name("abc", 2) == "part-abc-2.parquet"
    assert temp_name("part-abc.parquet") == ".part-abc.parquet.tmp"
    assert not temp_name("x.parquet").endswith(".parquet")
