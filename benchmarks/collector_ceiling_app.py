"""Two RSGI applications that bound what any Python collector can reach under granian.

``nothing`` answers the GIF and does nothing else; ``record`` also does the least a collector
must do for each request: build a ``CollectorPayload`` from it, Thrift-encode it and keep the
bytes (no cookie, no metrics, no sink). ``benchmarks/collector_ceiling.sh`` runs them next to
nginx with the settings of ``benchmarks/collector.sh``.
"""

from __future__ import annotations

import time
from typing import Any

from pyplow.collector.responses import PIXEL as GIF
from pyplow.protocol import CollectorPayload, encode_collector_payload

HEADERS = [("content-type", "image/gif"), ("cache-control", "no-cache, no-store")]
_KEPT: list[bytes] = []


async def nothing(scope: Any, protocol: Any) -> None:
    protocol.response_bytes(200, HEADERS, GIF)


async def record(scope: Any, protocol: Any) -> None:
    payload = CollectorPayload(
        ip_address=scope.client.rsplit(":", 1)[0],
        timestamp=int(time.time() * 1000),
        encoding="UTF-8",
        collector="pyplow-ceiling",
        path=scope.path,
        querystring=scope.query_string,
        headers=[f"{name}: {value}" for name, value in scope.headers.items()],
    )
    _KEPT.append(encode_collector_payload(payload))
    if len(_KEPT) >= 10_000:
        _KEPT.clear()
    protocol.response_bytes(200, HEADERS, GIF)
