"""The PostgreSQL loader against the local server (each test in its own schema)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, TransientLoadError
from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

from .database import query
from .events import CHECKOUT, page_view
from .events import checkout as checkout_event

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg")


def test_events_and_entities_are_stored_typed(loader: Any, pg_dsn: str, pg_schema: str) -> None:
    result = loader.load(LoadBatch(events=[page_view(i) for i in range(3)]))
    assert (result.loaded, result.duplicates_skipped, result.bad) == (3, 0, [])
    rows = query(
        pg_dsn,
        f"SELECT event_id, collector_tstamp, page_title, tr_total, geo_latitude, br_cookies,"
        f' page_urlport, load_tstamp FROM "{pg_schema}".events ORDER BY event_id',
    )
    assert rows[1] == (
        str(uuid.UUID(int=2)),
        datetime(2024, 3, 1, 12, 0, 1, 250000),
        "Product \t page \\ with \n odd characters",
        Decimal("12.50"),
        48.8582,
        False,
        443,
        datetime(2024, 5, 1, 8, 30),
    )
    pages = query(
        pg_dsn,
        f"SELECT root_id, root_tstamp, ref_tree, id FROM"
        f' "{pg_schema}".com_snowplowanalytics_snowplow_web_page_1 ORDER BY root_id',
    )
    assert pages[0] == (
        str(uuid.UUID(int=1)),
        datetime(2024, 3, 1, 12, 0, 0, 250000),
        "events.web_page",
        str(uuid.UUID(int=10**6)),
    )
    users = query(
        pg_dsn, f'SELECT user_tier, logged_in, visits FROM "{pg_schema}".com_acme_user_context_1'
    )
    assert sorted(users) == [("pro", True, 0), ("pro", True, 1), ("pro", True, 2)]
    types = dict(
        query(
            pg_dsn,
            "SELECT column_name, data_type FROM information_schema.columns"
            f" WHERE table_schema = '{pg_schema}' AND table_name = 'events'",
        )
    )
    assert len(types) == 129
    assert types["collector_tstamp"] == "timestamp without time zone"
    assert types["br_cookies"] == "boolean"
    assert types["tr_total"] == "numeric"
    assert types["event_id"] == "character"


def test_redelivery_is_skipped_and_reused_ids_are_flagged(
    loader: Any, pg_dsn: str, pg_schema: str
) -> None:
    loader.load(LoadBatch(events=[page_view(i) for i in range(3)]))
    again = loader.load(LoadBatch(events=[page_view(i) for i in range(3)]))
    assert (again.loaded, again.duplicates_skipped, again.duplicates_flagged) == (0, 3, 0)
    reused = page_view(1, event_fingerprint="another")
    flagged = loader.load(LoadBatch(events=[reused]))
    assert (flagged.loaded, flagged.duplicates_flagged) == (1, 1)
    assert query(pg_dsn, f'SELECT count(*) FROM "{pg_schema}".events') == [(4,)]
    marks = query(
        pg_dsn,
        f'SELECT original_event_id FROM "{pg_schema}".com_snowplowanalytics_snowplow_duplicate_1',
    )
    assert marks == [(uuid.UUID(int=2),)]
    # every entity row belongs to a stored event, none doubled
    assert query(
        pg_dsn, f'SELECT count(*) FROM "{pg_schema}".com_snowplowanalytics_snowplow_web_page_1'
    ) == [(4,)]


def test_migrations_add_columns_and_reject_incompatible_changes(
    loader: Any, pg_dsn: str, pg_schema: str
) -> None:
    base = {"orderId": "A1", "total": 3.5, "shipping": {"city": "Paris", "express": True}}
    first = loader.load(LoadBatch(events=[checkout_event("1-0-0", base, 1)]))
    assert first.loaded == 1
    table = f'"{pg_schema}".com_acme_checkout_1'
    comment = f"SELECT obj_description('{table}'::regclass)"
    assert query(pg_dsn, comment) == [(CHECKOUT.format("1-0-0"),)]

    with_coupon = {**base, "orderId": "A2", "couponCode": "SPRING"}
    incompatible = {"orderId": "A3", "total": "3.50", "shipping": {"city": "Lyon"}}
    result = loader.load(
        LoadBatch(
            events=[
                checkout_event("1-0-1", with_coupon, 2),
                checkout_event("1-1-0", incompatible, 3),
                page_view(4),
            ]
        )
    )
    assert result.loaded == 2
    assert len(result.bad) == 1
    bad = json.loads(result.bad[0])
    assert bad["schema"].endswith("/loader_iglu_error/jsonschema/2-0-1")
    failure = bad["data"]["failure"][0]
    assert failure["schemaKey"] == CHECKOUT.format("1-1-0")
    assert "column total" in failure["message"]
    assert "double precision" in failure["message"]
    assert bad["data"]["payload"]["event_id"] == str(uuid.UUID(int=4))
    assert query(pg_dsn, comment) == [(CHECKOUT.format("1-0-1"),)]
    rows = query(pg_dsn, f"SELECT order_id, coupon_code, shipping_express FROM {table} ORDER BY 1")
    assert rows == [("A1", None, True), ("A2", "SPRING", True)]
    assert query(pg_dsn, f'SELECT count(*) FROM "{pg_schema}".events') == [(3,)]

    model2 = checkout_event("2-0-0", {"orderId": str(uuid.UUID(int=7)), "total": "1"}, 5)
    assert loader.load(LoadBatch(events=[model2])).loaded == 1
    assert query(pg_dsn, f'SELECT total FROM "{pg_schema}".com_acme_checkout_2') == [("1",)]


def test_unknown_schema_and_bad_values_become_bad_rows(
    loader: Any, pg_dsn: str, pg_schema: str
) -> None:
    unknown = checkout_event("9-0-0", {"x": 1}, 1)
    too_long = checkout_event(
        "1-0-0", {"orderId": "X" * 40, "total": 1, "shipping": {"city": "A"}}, 2
    )
    result = loader.load(LoadBatch(events=[unknown, too_long, page_view(3)]))
    assert result.loaded == 1
    failures = [json.loads(b)["data"]["failure"][0] for b in result.bad]
    assert failures[0]["error"]["error"] == "ResolutionError"
    assert failures[1] == {
        "schemaKey": CHECKOUT.format("1-0-0"),
        "value": "X" * 40,
        "expected": "orderId: a string of at most 32 characters",
    }


def test_atomic_values_postgres_refuses_become_runtime_bad_rows(
    loader: Any, pg_dsn: str, pg_schema: str
) -> None:
    events = [
        page_view(1),
        page_view(2, tr_total=Decimal("1e20")),
        page_view(3, app_id="nul\x00byte"),
        page_view(4, v_etl=None),
    ]
    result = loader.load(LoadBatch(events=events))
    assert result.loaded == 1
    messages = [json.loads(b)["data"]["failure"] for b in result.bad]
    assert messages == [
        "tr_total: 1E+20 does not fit dec(18,2) (at most 16 integer digits)",
        "app_id: 'nul\\x00byte' contains a NUL character, which PostgreSQL rejects",
        "v_etl: missing, the column is NOT NULL",
    ]
    # entities of refused events are not stored either
    assert query(
        pg_dsn, f'SELECT count(*) FROM "{pg_schema}".com_snowplowanalytics_snowplow_web_page_1'
    ) == [(1,)]


def test_bad_rows_are_stored_once(loader: Any, pg_dsn: str, pg_schema: str) -> None:
    schema = b"iglu:com.snowplowanalytics.snowplow.badrows/x/jsonschema/1-0-0"
    rows = [b'{"schema":"' + schema + b'","data":{}}', b"not json at all", b'{"nul":"\\u0000"}']
    assert loader.load(LoadBatch(bad_rows=rows)).bad_rows_stored == 3
    assert loader.load(LoadBatch(bad_rows=rows)).bad_rows_stored == 0
    stored = query(pg_dsn, f'SELECT schema, data FROM "{pg_schema}".bad_rows ORDER BY schema')
    assert stored == [
        ("iglu:com.snowplowanalytics.snowplow.badrows/x/jsonschema/1-0-0",
         {"schema": "iglu:com.snowplowanalytics.snowplow.badrows/x/jsonschema/1-0-0", "data": {}}),
        ("unknown", "not json at all"),
        ("unknown", '{"nul":"\\u0000"}'),
    ]  # fmt: skip


def test_unreachable_database_is_transient(pg_schema: str, resolver: Resolver) -> None:
    config = PostgresConfig(dsn="postgresql://postgres@127.0.0.1:1/test", connect_timeout=2)
    loader = PostgresLoader(config, resolver)
    with pytest.raises(TransientLoadError, match="PostgreSQL unavailable"):
        loader.load(LoadBatch(events=[page_view(1)]))


def test_killed_connection_is_transient_then_reconnects(
    loader: Any, pg_dsn: str, pg_schema: str
) -> None:
    loader.load(LoadBatch(events=[page_view(1)]))
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(
            b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            b" WHERE application_name = %s AND pid <> pg_backend_pid()",
            (pg_schema,),
        )
    with pytest.raises(TransientLoadError):
        loader.load(LoadBatch(events=[page_view(2)]))
    assert loader.load(LoadBatch(events=[page_view(2)])).loaded == 1
    assert query(pg_dsn, f'SELECT count(*) FROM "{pg_schema}".events') == [(2,)]


def test_redshift_config_is_refused_by_the_loader() -> None:
    with pytest.raises(ValueError, match="Redshift"):
        PostgresLoader(PostgresConfig(dsn="", redshift=True))


def test_result_bad_rows_decode(loader: Any) -> None:
    from pyplow import badrows

    result = loader.load(LoadBatch(events=[checkout_event("9-9-9", {}, 1)]))
    decoded = badrows.decode(result.bad[0])
    assert isinstance(decoded, badrows.SelfDescribingBadRow)
    assert isinstance(decoded.data, badrows.LoaderIgluError)
    assert msgspec.to_builtins(decoded.data.processor) == {
        "artifact": "pyplow-loader-postgres",
        "version": decoded.data.processor.version,
    }
