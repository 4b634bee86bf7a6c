"""The embedded pipeline: collector, enrich and the DuckDB loader in one process.

``pyplow quickstart`` runs it. The three stages are joined by in-process memory streams; the
collector answers on one port (the HTTP server runs in the same event loop), enrichment and
loading run in worker threads so requests stay fast, and an event is queryable in
``<data-dir>/pyplow.duckdb`` about a second after it was sent. On SIGINT/SIGTERM the collector
stops accepting, and everything buffered is enriched and loaded before the process exits.

The dashboard (``/dashboard/``, :mod:`pyplow.pipeline.dashboard`) answers on the same port and
the data models are brought up to date every ``model_interval_seconds``.

The Snowplow-Micro-compatible test API (``/micro/...``, :mod:`pyplow.pipeline.micro`) answers
on the same port, from a store of the latest events kept in ``<data-dir>/micro.sqlite``.

Raw records also go to a durable spool (``<data-dir>/spool``, see :mod:`pyplow.pipeline.spool`)
so that a crash does not lose what the collector accepted: at the next start they are enriched
and loaded again, and deduplication keeps the events already loaded from doubling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import msgspec

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import BufferSettings, CollectorConfig
from pyplow.collector.server import packaged_sp_js
from pyplow.collector.service import Collector
from pyplow.enrich.config import EnrichConfig, build_engine, load_resolver
from pyplow.enrich.stream import run_stream
from pyplow.loaders.base import Loader
from pyplow.loaders.runner import run_load
from pyplow.pipeline.dashboard import dashboard_for, keep_models_fresh, with_dashboard
from pyplow.pipeline.micro import MicroApp, MicroStore, with_micro
from pyplow.pipeline.spool import Spool, SpoolSink
from pyplow.runtime import freeze_startup_objects
from pyplow.streams import MemoryStream

log = logging.getLogger(__name__)

__all__ = ["EmbeddedSettings", "run_embedded"]


class EmbeddedSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 9090
    data_dir: str = "./pyplow-data"
    resolver: str | None = None
    enrichments: str | None = None
    #: Required by the dashboard when set (see :func:`pyplow.pipeline.dashboard.dashboard_token`).
    dashboard_token: str | None = None
    #: Seconds between two incremental runs of the data models (0: never run them).
    model_interval_seconds: float = 30.0


def duckdb_loader(data_dir: Path, resolver: str | None = None) -> Loader:
    """The DuckDB loader writing ``<data_dir>/pyplow.duckdb``."""
    from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

    return DuckDBLoader(DuckDBConfig(path=str(data_dir / "pyplow.duckdb")), load_resolver(resolver))


async def run_embedded(
    settings: EmbeddedSettings,
    *,
    stop: asyncio.Event | None = None,
    loader: Loader | None = None,
    ready: Callable[[str], None] | None = None,
    freeze: bool = False,
) -> None:
    """Run until ``stop`` is set (or the process is signalled); drains before returning.

    ``freeze``: take the start-up objects out of the garbage collector's reach (for a
    dedicated process such as ``pyplow quickstart``; not for a process that runs it often).
    """
    import uvicorn

    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    stop = stop or asyncio.Event()
    raw, enriched, bad = MemoryStream(), MemoryStream(), MemoryStream()
    spool = Spool(data_dir / "spool")
    collector = Collector(
        CollectorConfig(
            host=settings.host,
            port=settings.port,
            # answered once spooled: a crash loses nothing the collector acknowledged
            buffer=BufferSettings(flush_interval_seconds=0.05, acknowledge_after_write=True),
        ),
        SpoolSink(spool, raw),
        bad.sink(),
        sp_js=packaged_sp_js(),
    )
    engine = build_engine(
        EnrichConfig(enrichments=settings.enrichments, resolver=settings.resolver)
    )
    store = loader or duckdb_loader(data_dir, settings.resolver)
    micro = MicroStore(data_dir / "micro.sqlite")
    # The test API validates on request with its own engine (the pipeline's runs in a thread).
    micro_engine = build_engine(
        EnrichConfig(enrichments=settings.enrichments, resolver=settings.resolver)
    )
    app = with_micro(
        CollectorApp(collector),
        MicroApp(micro, load_resolver(settings.resolver), micro_engine),
    )
    analytics = dashboard_for(store, settings.dashboard_token)
    if analytics is not None:
        app = with_dashboard(app, analytics[0])
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            lifespan="off",
            log_level="warning",
            access_log=False,
        )
    )
    stages_done = asyncio.Event()
    await spool.replay_into(raw)
    await collector.start()
    enrich_task = asyncio.create_task(
        run_stream(
            engine,
            raw.source(),
            enriched.sink(),
            bad.sink(),
            batch_records=500,
            stop=stages_done,
            offload=True,
            observe=micro.add,
        )
    )
    load_task = asyncio.create_task(
        run_load(store, enriched.source(), bad.source(), batch_records=2000, stop=stages_done)
    )
    spool_task = asyncio.create_task(spool.maintain([raw, enriched, bad], stages_done))
    models_task = (
        asyncio.create_task(
            keep_models_fresh(analytics[1], stages_done, settings.model_interval_seconds)
        )
        if analytics is not None and settings.model_interval_seconds > 0
        else asyncio.create_task(stages_done.wait())
    )
    server_task = asyncio.create_task(server.serve())
    while not server.started and not server_task.done():
        await asyncio.sleep(0.02)
    if server_task.done():  # could not bind, most likely
        stages_done.set()
        await asyncio.gather(
            enrich_task, load_task, spool_task, models_task, return_exceptions=True
        )
        if analytics is not None:
            analytics[1].close()
        store.close()
        micro.close()
        server_task.result()
        return
    if freeze:
        freeze_startup_objects()
    if ready is not None:
        ready(f"http://{settings.host}:{settings.port}")
    await stop.wait()
    server.should_exit = True
    await server_task
    await collector.stop()  # everything accepted is now in the raw stream (and the spool)
    drained = await _drained(raw, enriched, bad)
    stages_done.set()
    await asyncio.gather(enrich_task, load_task, spool_task, models_task)
    if drained:
        await spool.close_drained()
    if analytics is not None:
        analytics[1].close()
    store.close()
    micro.close()
    engine.close()


async def _drained(*streams: MemoryStream, timeout: float = 60.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while any(len(s) or s.in_flight for s in streams):
        if asyncio.get_running_loop().time() > deadline:
            log.error("stopping with records still in the pipeline; the spool keeps them")
            return False
        await asyncio.sleep(0.05)
    return True
