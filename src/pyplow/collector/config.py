"""Collector settings: every field can be set in ``[collector]`` of a TOML file or as
``PYPLOW_COLLECTOR__…`` environment variables (see ``pyplow.config``).

Defaults follow Snowplow's collector where it has one. Sink settings (``pyplow.streams.settings``)
are a tagged union on ``type`` (``memory``, ``file``, ``stdout``, ``nats``), one for good records
and one for bad rows.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from pyplow.collector.cookies import CookieConfig, DoNotTrackConfig
from pyplow.streams.settings import (
    FileSinkSettings,
    MemorySinkSettings,
    NatsSinkSettings,
    SinkSettings,
    StdoutSinkSettings,
)

__all__ = [
    "BufferSettings",
    "CollectorConfig",
    "CrossDomainSettings",
    "FileSinkSettings",
    "HstsSettings",
    "MemorySinkSettings",
    "NatsSinkSettings",
    "RedirectSettings",
    "RootResponseSettings",
    "SinkSettings",
    "StdoutSinkSettings",
]

DEFAULT_PATHS = ("/com.snowplowanalytics.snowplow/tp2", "/r/tp2", "/com.snowplowanalytics.iglu/v1")


class BufferSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The bounded in-memory buffer between requests and a sink.

    A request is answered once its record is in the buffer; the buffer is written to the sink
    at least every ``flush_interval_seconds``, in batches of up to ``batch_records`` /
    ``batch_bytes``. When it holds ``max_records`` or ``max_bytes`` the collector answers 503
    with ``Retry-After: retry_after_seconds``. A failing sink is retried with exponential
    backoff from ``retry_initial_seconds`` to ``retry_max_seconds``.

    With ``acknowledge_after_write`` a request is answered only once its records are written
    to the sink (writes start at once, and requests arriving meanwhile share the next write);
    one not written within ``acknowledge_timeout_seconds`` gets 503, and the tracker retries.
    """

    max_records: int = 100_000
    max_bytes: int = 256 * 1024 * 1024
    batch_records: int = 500
    batch_bytes: int = 3 * 1024 * 1024
    flush_interval_seconds: float = 0.2
    retry_initial_seconds: float = 0.1
    retry_max_seconds: float = 10.0
    retry_after_seconds: int = 5
    drain_timeout_seconds: float = 30.0
    acknowledge_after_write: bool = False
    acknowledge_timeout_seconds: float = 10.0
    #: Where records still buffered when a drain times out are written (base64 lines, one
    #: file per sink and process) so they can be replayed; unset: they are logged as lost.
    spill_dir: str | None = None


class RedirectSettings(msgspec.Struct, frozen=True, kw_only=True):
    """``GET /r/tp2?u=…`` click redirects: off by default. When on, only to ``http(s)`` URLs
    whose host is one of ``domains``; ``allow_any_domain`` lifts that restriction (Snowplow's
    behaviour with an empty list — an open redirect, so it must be asked for explicitly)."""

    enabled: bool = False
    domains: tuple[str, ...] = ()
    allow_any_domain: bool = False


class CrossDomainSettings(msgspec.Struct, frozen=True, kw_only=True):
    """``/crossdomain.xml`` (Flash-era policy file), off by default."""

    enabled: bool = False
    domains: tuple[str, ...] = ("*",)
    secure: bool = True


class RootResponseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What ``GET /`` answers (404 unless enabled)."""

    enabled: bool = False
    status: int = 302
    headers: dict[str, str] = {}
    body: str = ""


class HstsSettings(msgspec.Struct, frozen=True, kw_only=True):
    enabled: bool = False
    max_age_seconds: int = 365 * 24 * 3600


class CollectorConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the collector needs; see ``docs/collector.md`` for each setting."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    server: Literal["granian", "uvicorn"] = "granian"
    #: Custom two-segment paths mapped to one of the default tracker paths.
    paths: dict[str, str] = {}
    cookie: CookieConfig = CookieConfig()
    do_not_track: DoNotTrackConfig = DoNotTrackConfig()
    trust_forwarded_for: bool = False
    redirect: RedirectSettings = RedirectSettings()
    cors_max_age_seconds: int = 3600
    cross_domain: CrossDomainSettings = CrossDomainSettings()
    root_response: RootResponseSettings = RootResponseSettings()
    hsts: HstsSettings = HstsSettings()
    #: Records larger than this become size_violation bad rows (Snowplow's maxPayloadSize).
    max_payload_bytes: int = 1_048_576
    #: Request bodies larger than this are refused with 413 (Snowplow's dropPayloadSize).
    max_body_bytes: int = 2_097_152
    max_header_bytes: int = 40_960
    #: A client must send its request headers within this time (slow clients are cut off).
    header_read_timeout_seconds: float = 30.0
    #: ...and each part of its body within this time, else it is answered 408.
    body_read_timeout_seconds: float = 25.0
    idle_timeout_seconds: float = 610.0
    #: Requests handled at once per worker; more wait in the listen queue.
    max_concurrent_requests: int = 1024
    good: SinkSettings = StdoutSinkSettings()
    bad: SinkSettings = StdoutSinkSettings()
    buffer: BufferSettings = BufferSettings()
    #: Where the browser tracker's ``sp.js`` is served from (the packaged build by default).
    sp_js_path: str | None = None
    #: Serve the Snowplow-Micro-compatible test API on this collector too (records are also
    #: enriched in the collector process into ``micro_store``; for test deployments).
    micro: bool = False
    micro_store: str = "./pyplow-micro.sqlite"
    micro_resolver: str | None = None

    def __post_init__(self) -> None:
        for source, target in self.paths.items():
            if target not in DEFAULT_PATHS:
                raise ValueError(
                    f"paths: {source!r} maps to {target!r}; expected one of {list(DEFAULT_PATHS)}"
                )
            if len(source.strip("/").split("/")) != 2:
                raise ValueError(f"paths: {source!r} is not a /vendor/version path")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
