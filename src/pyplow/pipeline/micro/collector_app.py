"""The Micro-compatible API on a distributed collector (``[collector] micro = true``).

For testing tracking against a real deployment: each record the collector writes to its good
sink is also enriched in the collector process (default enrichments, the configured resolver)
and kept in a Micro store (``micro_store``, a SQLite file shared by the worker processes), and
``/micro/...`` is answered on the collector's port. The pipeline's own enrich and loaders are
not affected: the tap only reads what the sink already accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.server import build_collector, load_config
from pyplow.collector.service import Collector
from pyplow.enrich.config import EnrichConfig, build_engine, load_resolver
from pyplow.enrich.engine import Engine
from pyplow.pipeline.micro.app import MicroApp
from pyplow.pipeline.micro.dispatch import ASGIApp, with_micro
from pyplow.pipeline.micro.store import MicroStore
from pyplow.streams import Sink

__all__ = ["MicroTap", "create_app"]


class MicroTap(Sink):
    """A sink that writes to ``inner``, then enriches the records into a Micro store."""

    def __init__(self, inner: Sink, engine: Engine, store: MicroStore) -> None:
        super().__init__()
        self.inner = inner
        self.engine = engine
        self.store = store
        self.max_record_bytes = inner.max_record_bytes

    async def write(self, records: Sequence[bytes]) -> None:
        await self.inner.write(records)
        outcomes = await asyncio.to_thread(lambda: [self.engine.process(r) for r in records])
        self.store.add(
            [row for o in outcomes for row in o.good], [row for o in outcomes for row in o.bad]
        )

    async def healthy(self) -> bool:
        return await self.inner.healthy()

    async def close(self) -> None:
        await self.inner.close()
        self.store.close()


def create_app() -> ASGIApp:
    """The worker factory when ``micro`` is on: the collector app plus ``/micro/...``."""
    config = load_config()
    store = MicroStore(Path(config.micro_store))
    engine = build_engine(EnrichConfig(resolver=config.micro_resolver))
    resolver = load_resolver(config.micro_resolver)

    async def build() -> Collector:
        collector = await build_collector(config)
        tapped = MicroTap(collector.good.sink, engine, store)
        collector.good.sink = tapped
        return collector

    return with_micro(CollectorApp(builder=build), MicroApp(store, resolver, engine))
