"""The contract every source keeps: the same columns, types and values for the same events,
and the same half-open window."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.analytics import read_arrow, read_events
from pyplow.analytics.columns import ATOMIC_NAMES

from ..sdk_data import COUNT, STEP, event, stamp

KINDS = ("tsv", "duckdb", "parquet")


def test_every_source_gives_the_same_table(sdk_sources: dict[str, str]) -> None:
    tables = {kind: read_arrow(sdk_sources[kind]) for kind in KINDS}
    reference = tables["duckdb"]
    assert reference.num_rows == COUNT
    assert reference.column_names[: len(ATOMIC_NAMES)] == list(ATOMIC_NAMES)
    for kind, table in tables.items():
        assert table.schema == reference.schema, kind
        assert str(table.schema) == str(reference.schema), kind  # list item names too
        without_load = [n for n in table.column_names if n != "load_tstamp"]
        assert table.select(without_load).to_pylist() == reference.select(without_load).to_pylist()
    assert tables["tsv"].column("load_tstamp").null_count == COUNT
    assert tables["parquet"].column("load_tstamp") == reference.column("load_tstamp")


def test_polars_and_pandas_frames(sdk_sources: dict[str, str]) -> None:
    frame = read_events(sdk_sources["parquet"])
    assert isinstance(frame, pl.DataFrame)
    assert frame.height == COUNT
    assert frame.schema["collector_tstamp"] == pl.Datetime("us", "UTC")
    assert frame.schema["page_urlport"] == pl.Int32
    assert frame.schema["tr_total"] == pl.Decimal(18, 2)
    assert frame.schema["br_cookies"] == pl.Boolean
    products = frame.schema["contexts_com_acme_product_1"]
    assert isinstance(products, pl.List)
    per_visitor = (
        frame.group_by("domain_userid").agg(pl.len().alias("events")).sort("domain_userid")
    )
    assert per_visitor["events"].to_list() == [4, 4, 4]

    pandas_frame = read_events(sdk_sources["tsv"], engine="pandas")
    assert str(pandas_frame["collector_tstamp"].dtype) == "datetime64[us, UTC]"
    assert str(pandas_frame["page_urlport"].dtype) == "Int32"
    assert str(pandas_frame["dvce_ismobile"].dtype) == "boolean"
    assert pandas_frame["event_id"].tolist() == [event(n).event_id for n in range(COUNT)]
    assert pandas_frame["load_tstamp"].isna().all()


def test_engine_and_argument_errors(sdk_sources: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        read_events(sdk_sources["duckdb"], engine="spark")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="unknown column"):
        read_events(sdk_sources["duckdb"], columns=["nope"])
    with pytest.raises(ValueError, match="empty"):
        read_events(sdk_sources["duckdb"], "2024-03-02", "2024-03-01")


bounds = st.one_of(st.none(), st.integers(min_value=-3, max_value=COUNT * 17 + 3))
zones = st.sampled_from([UTC, timezone(timedelta(hours=-5)), None])
forms = st.sampled_from(["datetime", "text"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=bounds, end=bounds, zone=zones, form=forms, kind=st.sampled_from(KINDS))
def test_the_window_is_half_open_in_every_source(
    sdk_sources: dict[str, str],
    start: int | None,
    end: int | None,
    zone: timezone | None,
    form: str,
    kind: str,
) -> None:
    """Bounds are minutes from the first event; events are 17 minutes apart (so bounds often
    fall exactly on an event)."""
    minute = timedelta(minutes=1)

    def bound(offset: int | None) -> object:
        if offset is None:
            return None
        moment = stamp(0) + offset * minute
        moment = moment.replace(tzinfo=None) if zone is None else moment.astimezone(zone)
        return moment.isoformat() if form == "text" else moment

    if start is not None and end is not None and start >= end:
        with pytest.raises(ValueError, match="empty"):
            read_arrow(sdk_sources[kind], bound(start), bound(end))
        return
    table = read_arrow(sdk_sources[kind], bound(start), bound(end), columns=["event_id"])
    expected = [
        event(n).event_id
        for n in range(COUNT)
        if (start is None or stamp(0) + start * minute <= stamp(n))
        and (end is None or stamp(n) < stamp(0) + end * minute)
    ]
    assert table.column("event_id").to_pylist() == expected
    assert 17 * minute == STEP
