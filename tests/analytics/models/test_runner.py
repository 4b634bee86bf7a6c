"""The data models on the known event set, on DuckDB and PostgreSQL: exact answers,
incremental runs, idempotence, late events, duplicates and user stitching."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from tests.analytics.models.conftest import Warehouse
from tests.analytics.models.dataset import first_batch, late_batch, load, uid

from pyplow.analytics.models import MODEL_TABLES, ModelSettings, run_models

ORDER = {
    "page_views": "page_view_id",
    "sessions": "domain_sessionid",
    "users": "domain_userid",
    "user_mapping": "domain_userid",
    "event_counts": "load_hour, event_name",
}


def by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def snapshot(w: Warehouse) -> dict[str, list[dict[str, Any]]]:
    return {t: w.rows(t, ORDER[t]) for t in MODEL_TABLES}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_page_views_have_engaged_time_scroll_depth_and_attributes(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    run = run_models(warehouse.db, warehouse.settings)
    assert run.full_refresh
    assert run.events == 20
    views = by(warehouse.rows("page_views", "page_view_id"), "page_view_id")
    assert len(views) == 8  # v5 and its resend share one page view id
    v1 = views[uid("v1")]
    assert (v1["engaged_time_s"], v1["vertical_pct_scrolled"], v1["absolute_time_s"]) == (
        25,
        90,
        25,
    )
    assert v1["end_tstamp"] == ts("2024-03-01 10:00:25")
    assert (v1["refr_medium"], v1["refr_source"], v1["page_view_in_session_index"]) == (
        "search", "Google", 1,
    )  # fmt: skip
    assert (v1["browser_family"], v1["os_family"], v1["device_category"]) == (
        "Chrome", "Mac OS X", "Desktop",
    )  # fmt: skip
    v2 = views[uid("v2")]
    assert (v2["engaged_time_s"], v2["page_view_in_session_index"]) == (0, 2)
    # across midnight; the duplicated ping falls in a heartbeat window already counted
    v4 = views[uid("v4")]
    assert (v4["engaged_time_s"], v4["vertical_pct_scrolled"], v4["device_category"]) == (
        25, 60, "Mobile",
    )  # fmt: skip
    assert (v4["geo_country"], v4["browser_family"], v4["os_family"]) == (
        "FR", "Mobile Safari", "iOS",
    )  # fmt: skip
    assert views[uid("v5")]["event_id"] == uid("v5")
    # no web page entity: the page view id is the event id, pings join the page before them
    assert views[uid("v7")]["engaged_time_s"] == 5
    assert views[uid("v8")]["engaged_time_s"] == 15
    assert views[uid("v8")]["vertical_pct_scrolled"] == 40
    assert views[uid("v6")]["vertical_pct_scrolled"] is None  # no document size sent


def test_sessions_channels_bounces_and_midnight(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    run_models(warehouse.db, warehouse.settings)
    sessions = by(warehouse.rows("sessions", "domain_sessionid"), "domain_sessionid")
    assert len(sessions) == 5
    s1 = sessions[uid("s1")]
    assert (s1["page_views"], s1["engaged_time_s"], s1["events"], s1["is_bounce"]) == (
        2, 25, 6, False,
    )  # fmt: skip
    assert (s1["landing_page_urlpath"], s1["exit_page_urlpath"]) == ("/home", "/pricing")
    assert s1["marketing_channel"] == "Organic Search"
    assert (s1["start_tstamp"], s1["end_tstamp"]) == (
        ts("2024-03-01 10:00:00"), ts("2024-03-01 10:01:00"),
    )  # fmt: skip
    s2 = sessions[uid("s2")]
    assert (s2["marketing_channel"], s2["is_bounce"], s2["user_id"]) == (
        "Paid Search", True, "alice",
    )  # fmt: skip
    s3 = sessions[uid("s3")]  # one session across midnight
    assert (s3["page_views"], s3["engaged_time_s"], s3["events"], s3["is_bounce"]) == (
        2, 25, 7, False,
    )  # fmt: skip
    assert (s3["start_tstamp"], s3["end_tstamp"]) == (
        ts("2024-03-01 23:59:50"), ts("2024-03-02 00:01:00"),
    )  # fmt: skip
    assert (s3["marketing_channel"], s3["device_category"], s3["geo_city"]) == (
        "Direct", "Mobile", "Paris",
    )  # fmt: skip
    s4 = sessions[uid("s4")]
    assert (s4["marketing_channel"], s4["is_bounce"], s4["page_views"]) == ("Direct", True, 1)
    s5 = sessions[uid("s5")]
    assert (s5["marketing_channel"], s5["engaged_time_s"], s5["page_views"]) == ("Email", 20, 2)


def test_users_are_stitched_to_their_user_id(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    run_models(warehouse.db, warehouse.settings)
    users = by(warehouse.rows("users", "domain_userid"), "domain_userid")
    assert len(users) == 4
    u1 = users[uid("u1")]
    assert (u1["user_id"], u1["sessions"], u1["page_views"], u1["engaged_time_s"]) == (
        "alice", 2, 3, 25,
    )  # fmt: skip
    assert (u1["first_seen"], u1["last_seen"]) == (
        ts("2024-03-01 10:00:00"), ts("2024-03-02 09:00:00"),
    )  # fmt: skip
    assert u1["first_marketing_channel"] == "Organic Search"
    assert u1["first_session_id"] == uid("s1")
    assert users[uid("u2")]["user_id"] is None
    sessions = by(warehouse.rows("sessions", "domain_sessionid"), "domain_sessionid")
    # the anonymous first session takes the id u1 signed in with later
    assert sessions[uid("s1")]["stitched_user_id"] == "alice"
    assert sessions[uid("s1")]["user_id"] is None
    assert sessions[uid("s4")]["stitched_user_id"] == uid("u3")
    mapping = warehouse.rows("user_mapping", "domain_userid")
    assert [(m["domain_userid"], m["user_id"]) for m in mapping] == [(uid("u1"), "alice")]


def test_a_second_run_without_new_events_changes_nothing(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    run_models(warehouse.db, warehouse.settings)
    before = snapshot(warehouse)
    again = run_models(warehouse.db, warehouse.settings)
    assert not again.full_refresh
    assert again.window_start is not None
    assert again.sessions > 0  # the lookback window was modelled again...
    assert snapshot(warehouse) == before  # ...to identical rows


def test_incremental_run_takes_late_events_and_equals_a_full_rebuild(
    warehouse: Warehouse,
) -> None:
    load(warehouse.loader, first_batch())
    run_models(warehouse.db, warehouse.settings)
    load(warehouse.loader, late_batch())
    run = run_models(warehouse.db, warehouse.settings)
    assert not run.full_refresh
    incremental = snapshot(warehouse)
    sessions = by(incremental["sessions"], "domain_sessionid")
    s1 = sessions[uid("s1")]  # the late ping landed on /pricing
    assert (s1["engaged_time_s"], s1["end_tstamp"], s1["events"]) == (
        30, ts("2024-03-01 10:01:06"), 7,
    )  # fmt: skip
    # the redelivered ping is old by collector_tstamp but newly loaded: s3 is rebuilt with it
    assert sessions[uid("s3")]["events"] == 8
    v2 = by(incremental["page_views"], "page_view_id")[uid("v2")]
    assert (v2["engaged_time_s"], v2["vertical_pct_scrolled"]) == (5, 100)
    assert sessions[uid("s3")]["engaged_time_s"] == 25  # the redelivered ping adds nothing
    assert sessions[uid("s6")]["marketing_channel"] == "Organic Social"
    # u2 signed in as bob in s6: the earlier s3 is stitched too
    assert sessions[uid("s3")]["stitched_user_id"] == "bob"
    users = by(incremental["users"], "domain_userid")
    assert (users[uid("u2")]["user_id"], users[uid("u2")]["sessions"]) == ("bob", 2)
    assert users[uid("u1")]["engaged_time_s"] == 30
    # dropping the manifest forces a rebuild from scratch: the same tables
    schema = warehouse.settings.derived_schema
    warehouse.db.execute(f'delete from "{schema}".pyplow_manifest')
    assert run_models(warehouse.db, warehouse.settings).full_refresh
    assert snapshot(warehouse) == incremental


def test_sessions_outside_the_window_are_left_alone(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    events = f'"{warehouse.settings.events_schema}".events'
    # as if the first batch had been loaded long ago, when it was collected
    warehouse.db.execute(f"update {events} set load_tstamp = collector_tstamp")
    settings = ModelSettings(
        events_schema=warehouse.settings.events_schema,
        derived_schema=warehouse.settings.derived_schema,
        lookback_hours=1,
    )
    run_models(warehouse.db, settings)
    load(warehouse.loader, late_batch())
    run = run_models(warehouse.db, settings)
    # rebuilt: s2 (collected within the hour before the last run's newest event), and the
    # sessions of the newly loaded events: s1 (late ping), s3 (redelivered ping), s6 (new)
    assert run.sessions == 4
    assert len(warehouse.rows("sessions", "domain_sessionid")) == 6


def test_no_events_table_is_a_clear_error(warehouse: Warehouse) -> None:
    settings = ModelSettings(events_schema="nowhere", derived_schema="nowhere_derived")
    with pytest.raises(LookupError, match="load events"):
        run_models(warehouse.db, settings)


def test_empty_events_table_is_a_no_op(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch()[:1])
    warehouse.db.execute(f'delete from "{warehouse.settings.events_schema}".events')
    run = run_models(warehouse.db, warehouse.settings)
    assert (run.events, run.high_water) == (0, None)


def test_a_manifest_of_an_older_layout_means_a_rebuild(warehouse: Warehouse) -> None:
    load(warehouse.loader, first_batch())
    schema = warehouse.settings.derived_schema
    warehouse.db.execute(f'create schema "{schema}"')
    warehouse.db.execute(f'create table "{schema}".pyplow_manifest (model varchar)')
    warehouse.db.execute(f"insert into \"{schema}\".pyplow_manifest values ('web')")
    assert run_models(warehouse.db, warehouse.settings).full_refresh
    assert not run_models(warehouse.db, warehouse.settings).full_refresh
