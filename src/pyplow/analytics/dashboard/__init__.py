"""The built-in dashboard: realtime, overview, pages, acquisition, geography, technology,
events explorer and data quality, served next to the collector (see docs/analytics.md)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, closing, nullcontext

from pyplow.analytics.dashboard.app import DashboardApp, is_dashboard_path
from pyplow.analytics.dashboard.queries import QUERIES, Range, Schemas
from pyplow.analytics.models.database import Database, DuckDBDatabase

__all__ = ["QUERIES", "DashboardApp", "Range", "Schemas", "connector", "is_dashboard_path"]


def connector(db: Database) -> Callable[[], AbstractContextManager[Database]]:
    """What :class:`DashboardApp` calls per request: a fresh DuckDB cursor (queries then run
    side by side with the loader), or the shared PostgreSQL connection (one at a time)."""
    if isinstance(db, DuckDBDatabase):
        return lambda: closing(db.cursor())
    return lambda: nullcontext(db)
