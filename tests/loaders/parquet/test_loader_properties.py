"""Properties of ParquetLoader.load: it never raises on bad data, and every event is
accounted for exactly once (stored, skipped as a redelivery, or a loader bad row)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch
from pyplow.loaders.parquet import ParquetConfig, ParquetLoader

MakeEvent = Callable[..., EnrichedEvent]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
CHECKOUT = st.one_of(
    st.fixed_dictionaries(
        {"step": st.integers(-(2**40), 2**40)},
        optional={"total": st.none() | st.floats(allow_nan=False), "coupon": st.text(max_size=8)},
    ),
    st.dictionaries(st.sampled_from(["step", "total", "coupon", "other"]), JSON, max_size=3),
)
EVENT = st.tuples(
    st.integers(0, 30),  # n: event_id and fingerprint derive from it (collisions on purpose)
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["same", "other", None]),
    CHECKOUT,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(EVENT, max_size=12),
    st.lists(st.binary(max_size=60), max_size=3),
)
def test_load_never_raises_and_accounts_for_every_event(
    resolver: Resolver,
    make_event: MakeEvent,
    specs: list[tuple[int, datetime, Any, dict[str, Any]]],
    bad_rows: list[bytes],
) -> None:
    events = [
        make_event(
            n,
            tstamp=tstamp,
            fingerprint={"same": f"fp-{n}", "other": f"fp-{i}-x", None: None}[kind],
            checkout_data=data,
        )
        for i, (n, tstamp, kind, data) in enumerate(specs)
    ]
    with tempfile.TemporaryDirectory() as folder:
        loader = ParquetLoader(ParquetConfig(path=folder), resolver=resolver)
        result = loader.load(LoadBatch(events=events, bad_rows=bad_rows))
        loader.close()
        assert result.loaded + result.duplicates_skipped + len(result.bad) == len(events)
        assert result.bad_rows_stored == len(bad_rows)
        if result.loaded:
            ((count,),) = duckdb.sql(
                f"SELECT count(DISTINCT event_id) FROM read_parquet('{folder}/date=*/hour=*/*"
                ".parquet', union_by_name=true)"
            ).fetchall()
            assert count == result.loaded
