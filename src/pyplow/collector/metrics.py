"""The collector's Prometheus metrics, served on ``/metrics``.

Counters: requests by route and status, bytes received, records and bad rows written, 503
rejections, requests dropped by design (do-not-track cookie), sink write failures; a histogram
of sink write latency; gauges of buffer depth (records and bytes) and sink health.

Each ``Collector`` owns its registry, so several can live in one process (tests, the embedded
pipeline). With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` (the server does) and
``/metrics`` sums every worker's values.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class CollectorMetrics:
    """The metric families of one collector."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "pyplow_collector_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=r,
        )
        self.bytes_received = Counter(
            "pyplow_collector_request_bytes",
            "Bytes of request bodies and query strings",
            registry=r,
        )
        self.records = Counter(
            "pyplow_collector_records", "Records accepted into a sink buffer", ["sink"], registry=r
        )
        self.rejected = Counter(
            "pyplow_collector_rejected_requests",
            "Requests answered 503 because a sink buffer was full",
            registry=r,
        )
        self.dropped = Counter(
            "pyplow_collector_dropped_requests",
            "Requests answered but stored nowhere, by design",
            ["reason"],
            registry=r,
        )
        self.size_violations = Counter(
            "pyplow_collector_size_violations", "Oversized records sent as bad rows", registry=r
        )
        self.sink_errors = Counter(
            "pyplow_collector_sink_errors", "Failed sink writes (retried)", ["sink"], registry=r
        )
        self.sink_latency = Histogram(
            "pyplow_collector_sink_write_seconds",
            "Time to write one batch to a sink",
            ["sink"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.buffer_records = Gauge(
            "pyplow_collector_buffer_records",
            "Records waiting in a sink buffer",
            ["sink"],
            multiprocess_mode="livesum",
            registry=r,
        )
        self.buffer_bytes = Gauge(
            "pyplow_collector_buffer_bytes",
            "Bytes waiting in a sink buffer",
            ["sink"],
            multiprocess_mode="livesum",
            registry=r,
        )
        self.sink_healthy = Gauge(
            "pyplow_collector_sink_healthy",
            "1 while the sink accepts writes, 0 while writes fail",
            ["sink"],
            multiprocess_mode="livemin",
            registry=r,
        )

    def render(self) -> bytes:
        """The text exposition (all workers' values when running multi-process)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)
