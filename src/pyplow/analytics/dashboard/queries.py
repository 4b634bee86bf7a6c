"""The dashboard's questions, each one function over a :class:`Database` returning plain data.

Every query is read-only SQL in the dialect DuckDB and PostgreSQL share, over ``atomic.events``,
``atomic.bad_rows`` and the derived tables of :mod:`pyplow.analytics.models`. Date ranges are
half-open ``[start, end)`` on naive UTC timestamps; the page figures (overview, pages,
acquisition, geography, technology) count page views by ``start_tstamp`` and sessions by
their ``start_tstamp``; realtime and data quality read the events table directly, so they
work before any model has run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import msgspec

from pyplow.analytics.models.database import Database
from pyplow.badrows.messages import row_failure_messages

__all__ = ["QUERIES", "Query", "Range", "Schemas"]


class Range(msgspec.Struct, frozen=True):
    """``[start, end)`` in naive UTC."""

    start: datetime
    end: datetime


class Schemas(msgspec.Struct, frozen=True, kw_only=True):
    events: str = "atomic"
    derived: str = "derived"


Row = dict[str, Any]
Query = Callable[[Database, Schemas, Range, datetime], Row]

REALTIME_MINUTES: Final = 5
_BUCKET_SECONDS: Final = 10


def _rows(db: Database, sql: str, params: list[Any], names: tuple[str, ...]) -> list[Row]:
    return [dict(zip(names, r, strict=True)) for r in db.query(sql, params)]


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _modelled(db: Database, s: Schemas) -> bool:
    return bool(db.columns(s.derived, "sessions")) and bool(db.columns(s.derived, "page_views"))


_NOT_MODELLED: Final = "the derived tables are not built yet: run `pyplow model run`"


def _on_models(query: Query) -> Query:
    """``query`` reads the derived tables: when they are missing it answers with a notice
    (checked only after a failure, so that a working query pays nothing for it)."""

    def guarded(db: Database, s: Schemas, r: Range, now: datetime) -> Row:
        try:
            return query(db, s, r, now)
        except Exception:
            if not _modelled(db, s):
                return {"notice": _NOT_MODELLED}
            raise

    guarded.__doc__ = query.__doc__
    return guarded


def realtime(db: Database, s: Schemas, _r: Range, now: datetime) -> Row:
    """Visitors and events in the last five minutes, and events per second in 10 s steps."""
    since = now - timedelta(minutes=REALTIME_MINUTES)
    window = [since, now]
    events = f'"{s.events}".events'
    recent = "collector_tstamp >= ? and collector_tstamp <= ?"
    visitors, count = db.query(
        "select count(distinct coalesce(domain_userid, network_userid)), count(*) "
        f"from {events} where {recent}",
        window,
    )[0]
    buckets = db.query(
        f"select floor(extract(epoch from collector_tstamp) / {_BUCKET_SECONDS}), count(*) "
        f"from {events} where {recent} group by 1 order by 1",
        window,
    )
    per_bucket = {int(b): int(n) for b, n in buckets}
    first = int((since - datetime(1970, 1, 1)).total_seconds()) // _BUCKET_SECONDS
    last = int((now - datetime(1970, 1, 1)).total_seconds()) // _BUCKET_SECONDS
    series = [
        [
            (datetime(1970, 1, 1) + timedelta(seconds=b * _BUCKET_SECONDS)).isoformat(),
            per_bucket.get(b, 0) / _BUCKET_SECONDS,
        ]
        for b in range(first, last + 1)
    ]
    return {
        "minutes": REALTIME_MINUTES,
        "visitors": int(visitors),
        "events": int(count),
        "events_per_second": round(int(count) / (REALTIME_MINUTES * 60), 3),
        "series": series,
    }


def overview(db: Database, s: Schemas, r: Range, _now: datetime) -> Row:
    """Page views, sessions, users, bounce rate and engaged time in the range, and per day."""
    sessions, pages = f'"{s.derived}".sessions', f'"{s.derived}".page_views'
    where = "start_tstamp >= ? and start_tstamp < ?"
    n_sessions, users, bounces, engaged = db.query(
        "select count(*), count(distinct coalesce(stitched_user_id, domain_userid)), "
        "sum(case when is_bounce then 1 else 0 end), sum(engaged_time_s) "
        f"from {sessions} where {where}",
        [r.start, r.end],
    )[0]
    n_views = db.query(f"select count(*) from {pages} where {where}", [r.start, r.end])[0][0]
    daily_sessions = dict(
        db.query(
            f"select cast(start_tstamp as date), count(*) from {sessions} where {where} group by 1",
            [r.start, r.end],
        )
    )
    daily_views = dict(
        db.query(
            f"select cast(start_tstamp as date), count(*) from {pages} where {where} group by 1",
            [r.start, r.end],
        )
    )
    days = sorted(set(daily_sessions) | set(daily_views))
    n_sessions = int(n_sessions)
    return {
        "page_views": int(n_views),
        "sessions": n_sessions,
        "users": int(users),
        "bounce_rate": round(_number(bounces) / n_sessions, 4) if n_sessions else 0.0,
        "engaged_time_s": int(_number(engaged)),
        "avg_engaged_time_s": round(_number(engaged) / n_sessions, 1) if n_sessions else 0.0,
        "daily": [
            [d.isoformat(), int(daily_views.get(d, 0)), int(daily_sessions.get(d, 0))] for d in days
        ],
    }


def pages(db: Database, s: Schemas, r: Range, _now: datetime) -> Row:
    """The 25 most viewed pages, with their sessions (those whose first view of the page
    falls in the range), engaged time and scroll depth."""
    names = ("host", "path", "page_views", "sessions", "avg_engaged_time_s", "avg_scroll_pct")
    rows = _rows(
        db,
        "select page_urlhost, page_urlpath, count(*), "
        "sum(case when first_view_in_session then 1 else 0 end), "
        "cast(avg(engaged_time_s) as double precision), "
        "cast(avg(vertical_pct_scrolled) as double precision) "
        f'from "{s.derived}".page_views where start_tstamp >= ? and start_tstamp < ? '
        "group by 1, 2 order by 3 desc, 1, 2 limit 25",
        [r.start, r.end],
        names,
    )
    for row in rows:
        row["avg_engaged_time_s"] = round(_number(row["avg_engaged_time_s"]), 1)
        scroll = row["avg_scroll_pct"]
        row["avg_scroll_pct"] = None if scroll is None else round(float(scroll), 1)
    return {"pages": rows}


def _session_breakdown(
    db: Database, s: Schemas, r: Range, column: str, *, where: str = "", limit: int = 25
) -> list[Row]:
    """Sessions by ``column``: the 25 values with most sessions. (Distinct users per value
    would need a distinct count over every session of the range: too slow at 10M events.)"""
    extra = f" and {where}" if where else ""
    return _rows(
        db,
        f"select {column}, count(*) "
        f'from "{s.derived}".sessions where start_tstamp >= ? and start_tstamp < ?{extra} '
        f"group by 1 order by 2 desc, 1 limit {limit}",
        [r.start, r.end],
        ("name", "sessions"),
    )


def acquisition(db: Database, s: Schemas, r: Range, _now: datetime) -> Row:
    """Sessions by marketing channel, referring host and campaign."""
    return {
        "channels": _session_breakdown(db, s, r, "marketing_channel"),
        "referrers": _session_breakdown(
            db,
            s,
            r,
            "refr_urlhost",
            where="refr_urlhost is not null and coalesce(refr_medium, '') <> 'internal'",
        ),
        "campaigns": _session_breakdown(
            db,
            s,
            r,
            "mkt_campaign || ' (' || coalesce(mkt_source, '?') || ' / ' "
            "|| coalesce(mkt_medium, '?') || ')'",
            where="mkt_campaign is not null",
        ),
    }


def geography(db: Database, s: Schemas, r: Range, _now: datetime) -> Row:
    """Sessions by country and by city."""
    return {
        "countries": _session_breakdown(db, s, r, "coalesce(geo_country, '(unknown)')"),
        "cities": _session_breakdown(
            db,
            s,
            r,
            "geo_city || ', ' || coalesce(geo_country, '?')",
            where="geo_city is not null",
        ),
    }


def technology(db: Database, s: Schemas, r: Range, _now: datetime) -> Row:
    """Sessions by device category, browser and operating system."""
    return {
        "devices": _session_breakdown(db, s, r, "device_category"),
        "browsers": _session_breakdown(db, s, r, "coalesce(browser_family, '(unknown)')"),
        "systems": _session_breakdown(db, s, r, "coalesce(os_family, '(unknown)')"),
    }


def _bad_rows_table(db: Database, s: Schemas) -> tuple[str, str] | None:
    """The bad-rows table and the column holding each whole bad row (DuckDB: ``row``,
    PostgreSQL: ``data``); ``None`` when there is no table yet."""
    columns = db.columns(s.events, "bad_rows")
    if not columns:
        return None
    document = '"row"' if "row" in columns else "data"
    return f'"{s.events}".bad_rows', f"cast({document} as varchar)"


def explorer(db: Database, s: Schemas, _r: Range, _now: datetime) -> Row:
    """The 50 latest events and the 50 latest bad rows, with their failure messages."""
    events = f'"{s.events}".events'
    names = ("collector_tstamp", "event_name", "app_id", "page_url", "domain_userid", "event_id")
    newest = db.query(f"select max(collector_tstamp) from {events}")[0][0]
    latest: list[Row] = []
    if newest is not None:
        # look back an hour first: a top-N over the recent rows only is far cheaper
        for since in (newest - timedelta(hours=1), datetime(1, 1, 1)):
            latest = _rows(
                db,
                f"select collector_tstamp, event_name, app_id, page_url, domain_userid, "
                f"cast(event_id as varchar) from {events} where collector_tstamp >= ? "
                "order by collector_tstamp desc, 6 limit 50",
                [since],
                names,
            )
            if len(latest) == 50:
                break
    bad: list[Row] = []
    table = _bad_rows_table(db, s)
    if table is not None:
        for schema, loaded, document in db.query(
            f"select schema, load_tstamp, {table[1]} from {table[0]} "
            "order by load_tstamp desc limit 50"
        ):
            bad.append(
                {
                    "load_tstamp": loaded,
                    "type": str(schema).split("/")[1] if "/" in str(schema) else schema,
                    "messages": row_failure_messages(document)[:3],
                }
            )
    return {"events": latest, "bad_rows": bad}


def quality(db: Database, s: Schemas, r: Range, now: datetime) -> Row:
    """Good events and bad rows per hour loaded, by schema; and how fresh the data is."""
    events = f'"{s.events}".events'
    # hours the models have counted come from derived.event_counts; later hours (and all of
    # them before the first model run) are counted from the events table
    counted = "timestamp '0001-01-01 00:00:00'"
    sources = []
    try:
        top = db.query(f'select max(load_hour) from "{s.derived}".event_counts')[0][0]
    except Exception:  # not modelled yet
        top = None
    if top is not None:
        counted = f"timestamp '{top:%Y-%m-%d %H:%M:%S}'"
        sources.append(
            "select load_hour, event_vendor, event_name, event_version, events "
            f'from "{s.derived}".event_counts where load_hour < {counted} '
            "and load_hour >= ? and load_hour < ?"
        )
    sources.append(
        "select date_trunc('hour', load_tstamp), event_vendor, event_name, event_version, "
        f"count(*) from {events} where load_tstamp >= {counted} "
        "and load_tstamp >= ? and load_tstamp < ? group by 1, 2, 3, 4"
    )
    good = _rows(
        db,
        " union all ".join(sources) + " order by 1, 2, 3, 4",
        [r.start, r.end] * len(sources),
        ("hour", "vendor", "name", "version", "count"),
    )
    for row in good:
        vendor, name, version = row.pop("vendor"), row.pop("name"), row.pop("version")
        row["schema"] = f"{vendor}/{name}/{version}" if vendor and name else name or "(none)"
    bad: list[Row] = []
    table = _bad_rows_table(db, s)
    if table is not None:
        bad = _rows(
            db,
            f"select date_trunc('hour', load_tstamp), schema, count(*) from {table[0]} "
            "where load_tstamp >= ? and load_tstamp < ? group by 1, 2 order by 1, 2",
            [r.start, r.end],
            ("hour", "schema", "count"),
        )
    newest_collected, newest_loaded = db.query(
        f"select max(collector_tstamp), max(load_tstamp) from {events}"
    )[0]
    latency = db.query(
        "select cast(avg(extract(epoch from (load_tstamp - collector_tstamp))) as double "
        f"precision) from {events} where load_tstamp >= ?",
        [now - timedelta(hours=1)],
    )[0][0]
    total_good = sum(int(row["count"]) for row in good)
    total_bad = sum(int(row["count"]) for row in bad)
    return {
        "good": good,
        "bad": bad,
        "good_total": total_good,
        "bad_total": total_bad,
        "newest_collector_tstamp": newest_collected,
        "newest_load_tstamp": newest_loaded,
        "seconds_since_last_load": (
            None if newest_loaded is None else round((now - newest_loaded).total_seconds(), 1)
        ),
        "avg_load_latency_s_last_hour": None if latency is None else round(latency, 3),
    }


#: The dashboard's API, by page name.
QUERIES: Final[dict[str, Query]] = {
    "realtime": realtime,
    "overview": _on_models(overview),
    "pages": _on_models(pages),
    "acquisition": _on_models(acquisition),
    "geography": _on_models(geography),
    "technology": _on_models(technology),
    "explorer": explorer,
    "quality": quality,
}
