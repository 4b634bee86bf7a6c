"""``pyplow model run``: the incremental, idempotent build of the derived tables.

A run reads the events whose ``collector_tstamp`` is at most ``lookback_hours`` older than the
newest one the previous run saw (all events on the first run), takes every session those
events belong to, and rebuilds those sessions completely — their page views from all their
events (back to ``session_lookback_days`` before the window), the sessions themselves, then
the users who own them from all their sessions. Rebuilding whole sessions is what makes a run
idempotent and lets a late page ping update its page view: running again over the same events
replaces rows with identical ones.

Each run is one transaction: the derived tables and the manifest (``<derived>.pyplow_manifest``,
the newest ``collector_tstamp`` modelled) change together or not at all. When the model
definitions change (:data:`MODEL_VERSION`), the next run rebuilds everything.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from importlib import resources
from string import Template
from typing import Final

import msgspec

from pyplow.analytics.models.database import Database
from pyplow.analytics.models.settings import ModelSettings
from pyplow.analytics.models.source import scope_select

log = logging.getLogger(__name__)

__all__ = ["MODEL_TABLES", "MODEL_VERSION", "ModelRun", "run_models"]

#: Changes whenever a definition changes the derived tables' columns or meaning.
MODEL_VERSION: Final = "4"
#: The derived tables, in build order.
MODEL_TABLES: Final = ("page_views", "sessions", "users", "user_mapping", "event_counts")
_MANIFEST_COLUMNS: Final = ("model", "version", "high_water", "load_high_water", "run_tstamp")
_TEMP: Final = ("pyplow_touched", "pyplow_scope", "pyplow_page_views", "pyplow_sessions")
_TEMP_USERS: Final = ("pyplow_users_touched", "pyplow_users")


class ModelRun(msgspec.Struct, frozen=True, kw_only=True):
    """What one run did."""

    full_refresh: bool
    #: Start of the window (``None`` on a full refresh).
    window_start: datetime | None
    #: Newest ``collector_tstamp`` modelled (``None``: there were no events).
    high_water: datetime | None
    events: int
    page_views: int
    sessions: int
    users: int
    seconds: float


def _sql(name: str) -> str:
    return resources.files("pyplow.analytics.models").joinpath("sql", f"{name}.sql").read_text()


def _literal(ts: datetime) -> str:
    return f"timestamp '{ts.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def _q(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


class _Run:
    def __init__(self, db: Database, settings: ModelSettings) -> None:
        self.db = db
        self.s = settings
        self.derived = f'"{settings.derived_schema}"'
        self.manifest = _q(settings.derived_schema, "pyplow_manifest")

    def table(self, name: str) -> str:
        return _q(self.s.derived_schema, name)

    def count(self, sql: str) -> int:
        return int(self.db.query(sql)[0][0])

    def prepare(self) -> tuple[datetime, datetime] | None:
        """The newest ``collector_tstamp`` and ``load_tstamp`` the last run modelled
        (``None``: nothing usable, rebuild everything)."""
        if not self.db.columns(self.s.events_schema, "events"):
            raise LookupError(
                f"no table {self.s.events_schema}.events: load events before running the models"
            )
        self.db.execute(f"create schema if not exists {self.derived}")
        present = self.db.columns(self.s.derived_schema, "pyplow_manifest")
        if present and present != list(_MANIFEST_COLUMNS):  # an older layout: start afresh
            self.db.execute(f"drop table {self.manifest}")
        self.db.execute(
            f"create table if not exists {self.manifest} "
            "(model varchar primary key, version varchar, high_water timestamp, "
            "load_high_water timestamp, run_tstamp timestamp)"
        )
        rows = self.db.query(
            f"select version, high_water, load_high_water from {self.manifest} where model = 'web'"
        )
        if not rows or rows[0][0] != MODEL_VERSION or rows[0][1] is None:
            return None
        return rows[0][1], rows[0][2] or rows[0][1]

    def drop_temp(self) -> None:
        for name in (*_TEMP, *_TEMP_USERS):
            self.db.execute(f"drop table if exists {name}")

    def build_scope(self, window: tuple[datetime, datetime] | None) -> None:
        events = _q(self.s.events_schema, "events")
        where = ""
        if window is not None:
            collected, loaded = (_literal(t) for t in window)

            def recent(alias: str = "") -> str:
                return f"({alias}collector_tstamp >= {collected} or {alias}load_tstamp >= {loaded})"

            self.db.execute(
                "create temp table pyplow_touched as select distinct domain_sessionid "
                f"from {events} where {recent()} and domain_sessionid is not null"
            )
            oldest = self.db.query(f"select min(collector_tstamp) from {events} where {recent()}")
            start = min(window[0], oldest[0][0] or window[0])
            earliest = start - timedelta(days=self.s.session_lookback_days)
            where = (
                f"e.collector_tstamp >= {_literal(earliest)} and ("
                "e.domain_sessionid in (select domain_sessionid from pyplow_touched) or "
                f"(e.domain_sessionid is null and {recent('e.')}))"
            )
        select = scope_select(self.db, self.s.events_schema, where)
        self.db.execute(Template(_sql("scope")).substitute(scope_select=select))
        numbers = {
            "heartbeat": str(self.s.heartbeat_seconds),
            "min_visit_length": str(self.s.min_visit_length_seconds),
        }
        self.db.execute(Template(_sql("page_views")).substitute(numbers))
        channel = Template(_sql("channel")).substitute(landing="landing")
        self.db.execute(Template(_sql("sessions")).substitute(channel=channel))

    def ensure_tables(self, rebuild: bool) -> None:
        for name, temp in (("page_views", "pyplow_page_views"), ("sessions", "pyplow_sessions")):
            if rebuild:
                self.db.execute(f"drop table if exists {self.table(name)}")
            self.db.execute(
                f"create table if not exists {self.table(name)} as select * from {temp} where 1 = 0"
            )

    def replace_sessions(self, incremental: bool) -> None:
        page_views, sessions = self.table("page_views"), self.table("sessions")
        if not incremental:
            self.db.execute(f"delete from {page_views}")
            self.db.execute(f"delete from {sessions}")
        else:
            touched = "select domain_sessionid from pyplow_touched"
            self.db.execute(
                f"delete from {page_views} where domain_sessionid in ({touched}) "
                "or (domain_sessionid is null and page_view_id in (select page_view_id "
                "from pyplow_page_views where domain_sessionid is null))"
            )
            self.db.execute(f"delete from {sessions} where domain_sessionid in ({touched})")
        self.db.execute(f"insert into {page_views} select * from pyplow_page_views")
        self.db.execute(f"insert into {sessions} select * from pyplow_sessions")

    def replace_users(self, rebuild: bool) -> None:
        users, mapping = self.table("users"), self.table("user_mapping")
        self.db.execute(
            "create temp table pyplow_users_touched as select distinct domain_userid "
            "from pyplow_sessions where domain_userid is not null"
        )
        self.db.execute(Template(_sql("users")).substitute(derived=self.derived))
        if rebuild:
            self.db.execute(f"drop table if exists {users}")
            self.db.execute(f"drop table if exists {mapping}")
        self.db.execute(
            f"create table if not exists {users} as select * from pyplow_users where 1 = 0"
        )
        self.db.execute(
            f"create table if not exists {mapping} as select domain_userid, user_id, "
            "first_seen, last_seen from pyplow_users where 1 = 0"
        )
        touched = "select domain_userid from pyplow_users_touched"
        self.db.execute(f"delete from {users} where domain_userid in ({touched})")
        self.db.execute(f"delete from {mapping} where domain_userid in ({touched})")
        self.db.execute(f"insert into {users} select * from pyplow_users")
        self.db.execute(
            f"insert into {mapping} select domain_userid, user_id, first_seen, last_seen "
            "from pyplow_users where user_id is not null"
        )
        # every session of a touched user, old ones included, takes the stitched id
        self.db.execute(
            f"update {self.table('sessions')} as s set stitched_user_id = "
            "coalesce(u.user_id, s.domain_userid) from pyplow_users u "
            "where s.domain_userid = u.domain_userid"
        )

    def replace_event_counts(self, loaded_since: datetime | None, rebuild: bool) -> None:
        """Recount the hours from the one holding ``loaded_since`` on (all hours: ``None``)."""
        counts = self.table("event_counts")
        since = "timestamp '0001-01-01 00:00:00'"
        if loaded_since is not None:
            since = _literal(loaded_since.replace(minute=0, second=0, microsecond=0))
        select = Template(_sql("event_counts")).substitute(
            events=_q(self.s.events_schema, "events"), since=since
        )
        if rebuild:
            self.db.execute(f"drop table if exists {counts}")
        self.db.execute(
            f"create table if not exists {counts} as select * from ({select}) c where 1 = 0"
        )
        self.db.execute(f"delete from {counts} where load_hour >= {since}")
        self.db.execute(f"insert into {counts} {select}")


def run_models(db: Database, settings: ModelSettings | None = None) -> ModelRun:
    """Bring the derived tables up to date with the events table; see the module notes."""
    settings = settings or ModelSettings()
    started = time.perf_counter()
    run = _Run(db, settings)
    previous = run.prepare()
    events = _q(settings.events_schema, "events")
    newest, newest_load = db.query(f"select max(collector_tstamp), max(load_tstamp) from {events}")[
        0
    ]
    lookback = timedelta(hours=settings.lookback_hours)
    window = None if previous is None else (previous[0] - lookback, previous[1] - lookback)
    window_start = None if window is None else window[0]
    rebuild = previous is None
    if newest is None:
        return ModelRun(
            full_refresh=rebuild,
            window_start=window_start,
            high_water=None if previous is None else previous[0],
            events=0,
            page_views=0,
            sessions=0,
            users=0,
            seconds=time.perf_counter() - started,
        )
    run.drop_temp()
    try:
        run.build_scope(window)
        counts = (
            run.count("select count(*) from pyplow_scope"),
            run.count("select count(*) from pyplow_page_views"),
            run.count("select count(*) from pyplow_sessions"),
        )
        with db.transaction():
            run.ensure_tables(rebuild)
            run.replace_sessions(incremental=window is not None)
            run.replace_users(rebuild)
            run.replace_event_counts(None if window is None else window[1], rebuild)
            users = run.count("select count(*) from pyplow_users")
            db.execute(f"delete from {run.manifest} where model = 'web'")
            db.execute(
                f"insert into {run.manifest} values ('web', ?, ?, ?, ?)",
                [MODEL_VERSION, newest, newest_load, datetime.now().replace(tzinfo=None)],
            )
    finally:
        run.drop_temp()
    result = ModelRun(
        full_refresh=rebuild,
        window_start=window_start,
        high_water=newest,
        events=counts[0],
        page_views=counts[1],
        sessions=counts[2],
        users=users,
        seconds=time.perf_counter() - started,
    )
    log.info("models: %s", result)
    return result
