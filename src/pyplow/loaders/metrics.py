"""A loader's counts as Prometheus metrics, served on ``/metrics`` when it runs as a service."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, start_http_server

from pyplow.loaders.runner import LoadCounts

__all__ = ["LoadMetrics"]


class LoadMetrics:
    """Counters mirroring ``LoadCounts``; ``update`` adds what a run did since the last call."""

    def __init__(self, target: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._last = LoadCounts()
        labels = ["target"]
        self._counters = {
            name: Counter(
                f"pyplow_loader_{name}", help_text, labels, registry=self.registry
            ).labels(target)
            for name, help_text in (
                ("rows", "Input rows read"),
                ("loaded", "Events stored"),
                ("duplicates_skipped", "Redelivered events not stored again"),
                ("duplicates_flagged", "Events stored under a new id (reused event_id)"),
                ("bad_rows", "Bad rows stored"),
                ("parsing_errors", "Rows that were not enriched events"),
                ("batches", "Batches committed"),
            )
        }

    def update(self, counts: LoadCounts) -> None:
        for name, counter in self._counters.items():
            delta = getattr(counts, name) - getattr(self._last, name)
            if delta:
                counter.inc(delta)
        self._last = LoadCounts(**{n: getattr(counts, n) for n in self._counters})

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` on ``host:port`` from a background thread."""
        start_http_server(port, addr=host, registry=self.registry)
