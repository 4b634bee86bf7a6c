"""Running the collector: an ASGI server with one or more worker processes.

``serve`` starts the configured server (granian by default, measured fastest with this app in
``benchmarks/collector.sh``; uvicorn with uvloop and httptools as the alternative); each
worker process imports ``create_app``, which reads the same settings (the config file path is
passed in ``PYPLOW_COLLECTOR_CONFIG_FILE``, and ``PYPLOW_COLLECTOR__…`` variables apply), builds
its own sinks at startup and drains its buffers at shutdown (SIGTERM/SIGINT). With several
workers, ``/metrics`` sums all of them through a shared multiprocess directory.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import CollectorConfig
from pyplow.collector.service import Collector
from pyplow.config import load
from pyplow.streams import Framing
from pyplow.streams.settings import build_sink

CONFIG_FILE_ENV = "PYPLOW_COLLECTOR_CONFIG_FILE"
_TARGET = "pyplow.collector.server:create_app"
#: With ``micro`` on, workers build the app with the Micro API (composed above the collector).
_MICRO_TARGET = "pyplow.pipeline.micro.collector_app:create_app"


def load_config(path: str | None = None) -> CollectorConfig:
    """The collector settings from ``path`` (or the file named in the environment)."""
    return load(
        CollectorConfig, path or os.environ.get(CONFIG_FILE_ENV) or None, section="collector"
    )


def packaged_sp_js() -> bytes | None:
    """The browser tracker built into this pyplow (``collector/static/sp.js``), if any."""
    resource = resources.files("pyplow.collector").joinpath("static/sp.js")
    return resource.read_bytes() if resource.is_file() else None


async def build_collector(config: CollectorConfig) -> Collector:
    """A collector with its sinks connected."""
    good = await build_sink(config.good, framing=Framing.BASE64, name="raw", extension="lines")
    bad = await build_sink(
        config.bad, framing=Framing.TEXT, name="bad", extension="json", stderr=True
    )
    sp_js = Path(config.sp_js_path).read_bytes() if config.sp_js_path else packaged_sp_js()
    return Collector(config, good, bad, sp_js=sp_js)


def create_app() -> CollectorApp:
    """The ASGI application factory each worker process calls."""
    config = load_config()
    return CollectorApp(builder=lambda: build_collector(config))


def serve(config: CollectorConfig, config_path: str | None) -> None:
    """Run the collector until it is stopped (blocks)."""
    if config_path:
        os.environ[CONFIG_FILE_ENV] = str(Path(config_path).resolve())
    if config.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="pyplow-metrics-")
    if config.server == "granian":
        _serve_granian(config)
    else:
        _serve_uvicorn(config)


def _serve_uvicorn(config: CollectorConfig) -> None:
    import uvicorn

    uvicorn.run(
        _MICRO_TARGET if config.micro else _TARGET,
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=int(config.idle_timeout_seconds),
        timeout_graceful_shutdown=int(config.buffer.drain_timeout_seconds) + 5,
        h11_max_incomplete_event_size=config.max_header_bytes,
    )


def _serve_granian(config: CollectorConfig) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    Granian(
        _MICRO_TARGET if config.micro else _TARGET,
        address=config.host,
        port=config.port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        workers=config.workers,
        factory=True,
        log_access=False,
        log_level=LogLevels.warning,
        backpressure=config.max_concurrent_requests,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(config.header_read_timeout_seconds * 1000),
            max_buffer_size=max(config.max_header_bytes, 8192),
        ),
        workers_kill_timeout=int(config.buffer.drain_timeout_seconds) + 5,
        respawn_failed_workers=True,
    ).serve()
