"""The embedded pipeline's analytics side: the dashboard on the collector's port, and the data
models kept up to date in the background.

The dashboard reads the pipeline's own DuckDB database through cursors of the loader's
connection (DuckDB lets one process write a file, so nothing else could open it). Every
``model_interval_seconds`` an incremental ``pyplow model run`` brings ``derived.*`` up to date;
a failed run is logged and tried again at the next interval.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from typing import Any

from pyplow.analytics.dashboard import DashboardApp, connector, is_dashboard_path
from pyplow.analytics.models import Database, DuckDBDatabase, ModelSettings, run_models
from pyplow.pipeline.micro.app import Receive, Scope, Send
from pyplow.pipeline.micro.dispatch import ASGIApp

log = logging.getLogger(__name__)

__all__ = ["dashboard_for", "dashboard_token", "keep_models_fresh", "with_dashboard"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dashboard_token(host: str, configured: str | None) -> str | None:
    """The token the dashboard requires: ``configured`` when given; otherwise none on a
    loopback address and a fresh random one on any other."""
    if configured:
        return configured
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def dashboard_for(loader: Any, token: str | None) -> tuple[DashboardApp, DuckDBDatabase] | None:
    """The dashboard over the DuckDB loader's database (``None`` for other loaders)."""
    connection = getattr(loader, "connection", None)
    if connection is None or not hasattr(connection, "cursor"):
        return None
    db = DuckDBDatabase(connection=connection)
    return DashboardApp(connector(db), token=token), db


def with_dashboard(app: ASGIApp, dashboard: ASGIApp) -> ASGIApp:
    """``/dashboard/...`` to the dashboard (and ``/`` redirected there), the rest to ``app``."""

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if is_dashboard_path(path):
                await dashboard(scope, receive, send)
                return
            if path == "/" and scope.get("method") in ("GET", "HEAD"):
                headers = [(b"location", b"/dashboard/"), (b"content-length", b"0")]
                await send({"type": "http.response.start", "status": 302, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    return routed


async def keep_models_fresh(
    db: Database, stop: asyncio.Event, interval: float, settings: ModelSettings | None = None
) -> None:
    """Run the models now and then every ``interval`` seconds until ``stop`` is set (on a
    cursor of their own when ``db`` is DuckDB, else on ``db`` itself)."""
    while True:
        try:
            run = await asyncio.to_thread(_run_once, db, settings or ModelSettings())
            if run is not None and run.sessions:
                log.info("models: %d sessions updated in %.2f s", run.sessions, run.seconds)
        except Exception as exc:  # logged; the next interval tries again
            log.warning("the data models could not run: %s", exc)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
            return
        except TimeoutError:
            continue


def _run_once(db: Database, settings: ModelSettings) -> Any:
    cursor = db.cursor() if isinstance(db, DuckDBDatabase) else db
    try:
        if not cursor.columns(settings.events_schema, "events"):
            return None  # nothing loaded yet
        return run_models(cursor, settings)
    finally:
        if cursor is not db:
            cursor.close()
