"""Every dashboard query on the known event set, on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.analytics.models.conftest import Warehouse
from tests.analytics.models.dataset import first_batch, late_batch, load, uid

from pyplow.analytics.dashboard import QUERIES, Range, Schemas
from pyplow.analytics.models import run_models
from pyplow.loaders.base import LoadBatch

ALL = Range(datetime(2024, 3, 1), datetime(2024, 3, 3))
DAY_ONE = Range(datetime(2024, 3, 1), datetime(2024, 3, 2))
NOW = datetime(2024, 3, 2, 9, 3, 0)

BAD_ROW = json.dumps(
    {
        "schema": "iglu:com.snowplowanalytics.snowplow.badrows/generic_error/jsonschema/1-0-0",
        "data": {
            "processor": {"artifact": "pyplow-enrich", "version": "0.1.0"},
            "failure": {"timestamp": "2024-03-01T10:00:00Z", "errors": ["no schema for it"]},
            "payload": "x",
        },
    }
).encode()


def modelled(w: Warehouse) -> Schemas:
    load(w.loader, first_batch())
    w.loader.load(LoadBatch(bad_rows=[BAD_ROW]))
    run_models(w.db, w.settings)
    return Schemas(events=w.settings.events_schema, derived=w.settings.derived_schema)


def ask(w: Warehouse, s: Schemas, name: str, r: Range = ALL, now: datetime = NOW) -> Any:
    return QUERIES[name](w.db, s, r, now)


def test_overview(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    o = ask(warehouse, s, "overview")
    assert (o["page_views"], o["sessions"], o["users"]) == (8, 5, 4)
    assert o["bounce_rate"] == 0.4  # s2 and s4 of five
    assert (o["engaged_time_s"], o["avg_engaged_time_s"]) == (70, 14.0)
    assert o["daily"] == [["2024-03-01", 6, 4], ["2024-03-02", 2, 1]]
    one = ask(warehouse, s, "overview", DAY_ONE)
    assert (one["page_views"], one["sessions"]) == (6, 4)


def test_pages(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    pages = ask(warehouse, s, "pages")["pages"]
    assert len(pages) == 8
    home = next(p for p in pages if p["path"] == "/home")
    assert home == {
        "host": "shop.test",
        "path": "/home",
        "page_views": 1,
        "sessions": 1,
        "avg_engaged_time_s": 25.0,
        "avg_scroll_pct": 90.0,
    }


def test_acquisition_geography_technology(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    a = ask(warehouse, s, "acquisition")
    channels = {c["name"]: c["sessions"] for c in a["channels"]}
    # plain integers on both databases (a PostgreSQL numeric would reach JSON as a string)
    assert {type(c["sessions"]) for c in a["referrers"] + a["channels"]} == {int}
    assert channels == {"Direct": 2, "Organic Search": 1, "Paid Search": 1, "Email": 1}
    assert a["referrers"] == [{"name": "www.google.com", "sessions": 1}]
    assert a["campaigns"] == [{"name": "spring (google / cpc)", "sessions": 1}]
    g = ask(warehouse, s, "geography")
    assert g["countries"] == [{"name": "(unknown)", "sessions": 4}, {"name": "FR", "sessions": 1}]
    assert g["cities"] == [{"name": "Paris, FR", "sessions": 1}]
    t = ask(warehouse, s, "technology")
    assert {d["name"]: d["sessions"] for d in t["devices"]} == {"Desktop": 4, "Mobile": 1}
    assert {b["name"]: b["sessions"] for b in t["browsers"]} == {"Chrome": 4, "Mobile Safari": 1}


def test_realtime_counts_the_last_five_minutes(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    r = ask(warehouse, s, "realtime")  # 09:03: only v3, collected at 09:00:01
    assert (r["visitors"], r["events"]) == (1, 1)
    assert r["events_per_second"] == round(1 / 300, 3)
    assert len(r["series"]) == 31  # 10 s steps over 5 minutes, both ends
    assert sum(v for _, v in r["series"]) == 0.1
    assert ["2024-03-02T09:00:00", 0.1] in r["series"]


def test_explorer_lists_latest_events_and_bad_rows_with_reasons(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    e = ask(warehouse, s, "explorer")
    assert len(e["events"]) == 20
    assert e["events"][0]["event_id"] == uid("v3")  # the newest
    stamps = [row["collector_tstamp"] for row in e["events"]]
    assert stamps == sorted(stamps, reverse=True)
    assert e["bad_rows"] == [
        {
            "load_tstamp": e["bad_rows"][0]["load_tstamp"],
            "type": "generic_error",
            "messages": ["no schema for it"],
        }
    ]


def test_quality_by_schema_and_hour(warehouse: Warehouse) -> None:
    s = modelled(warehouse)
    now = datetime.now(UTC).replace(tzinfo=None)  # load_tstamp is the load time, naive UTC
    q = ask(warehouse, s, "quality", Range(now - timedelta(days=1), now + timedelta(hours=1)), now)
    assert (q["good_total"], q["bad_total"]) == (20, 1)
    schemas = {row["schema"] for row in q["good"]}
    assert schemas == {
        "com.snowplowanalytics.snowplow/page_view/1-0-0",
        "com.snowplowanalytics.snowplow/page_ping/1-0-0",
        "com.snowplowanalytics.snowplow/event/1-0-0",
    }
    assert q["bad"][0]["schema"].endswith("generic_error/jsonschema/1-0-0")
    assert q["seconds_since_last_load"] is not None
    assert 0 <= q["seconds_since_last_load"] < 600


def test_pages_before_the_models_ran_say_so(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    s = Schemas(events=warehouse.settings.events_schema, derived=warehouse.settings.derived_schema)
    assert "pyplow model run" in ask(warehouse, s, "overview")["notice"]
    assert ask(warehouse, s, "realtime")["events"] == 1  # from the events table alone


def test_quality_reads_counted_hours_and_counts_the_newer_ones(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    s = Schemas(events=warehouse.settings.events_schema, derived=warehouse.settings.derived_schema)
    events = f'"{s.events}".events'
    warehouse.db.execute(f"update {events} set load_tstamp = collector_tstamp")
    run_models(warehouse.db, warehouse.settings)
    counted = warehouse.db.query(f'select sum(events) from "{s.derived}".event_counts')
    assert counted[0][0] == 20
    # rows the models have not counted yet, loaded (as if) after the newest counted hour
    load(warehouse.loader, late_batch())
    warehouse.db.execute(
        f"update {events} set load_tstamp = timestamp '2024-03-02 12:30:00' "
        "where load_tstamp > timestamp '2025-01-01 00:00:00'"
    )
    q = ask(warehouse, s, "quality", Range(datetime(2024, 3, 1), datetime(2024, 3, 3)))
    assert q["good_total"] == 23
    hours = {row["hour"]: 0 for row in q["good"]}
    for row in q["good"]:
        hours[row["hour"]] += row["count"]
    expected = dict(
        warehouse.db.query(
            f"select date_trunc('hour', load_tstamp), count(*) from {events} group by 1"
        )
    )
    assert hours == expected
