"""What the adapters read off a collector request (a ``CollectorPayload``).

``parse_api`` derives the vendor/version pair from the recorded path the way Enrich does,
``parse_network_user_id`` checks the collector's id, and ``raw_event`` cuts one event out of a
request: its tracker parameters plus the request context every per-event bad row carries.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from pyplow.protocol.collector_payload import CollectorPayload
from pyplow.protocol.raw_event import RawEvent
from pyplow.protocol.violations import CollectorPayloadInputData

__all__ = [
    "IGLU",
    "REDIRECT",
    "SNOWPLOW_VENDOR",
    "TP1",
    "TP2",
    "Api",
    "parse_api",
    "parse_network_user_id",
    "raw_event",
]

SNOWPLOW_VENDOR: Final = "com.snowplowanalytics.snowplow"


class Api(msgspec.Struct, frozen=True):
    """The ``vendor``/``version`` pair selecting an adapter."""

    vendor: str
    version: str


TP1: Final = Api(SNOWPLOW_VENDOR, "tp1")
TP2: Final = Api(SNOWPLOW_VENDOR, "tp2")
REDIRECT: Final = Api("r", "tp2")
IGLU: Final = Api("com.snowplowanalytics.iglu", "v1")

# Optional leading slash, one segment, slash, one segment, optional trailing slash.
_API_PATH: Final = re.compile(r"/?([^/]+)/([^/]+)/?")


def parse_api(path: str | None) -> Api | CollectorPayloadInputData:
    """Vendor/version from a collector path: ``/{vendor}/{version}``, or the legacy ``/i``,
    ``/i?…`` and ``/ice.png…`` pixel paths (= ``com.snowplowanalytics.snowplow/tp1``)."""
    if path is None:
        return CollectorPayloadInputData("path", None, "request does not contain a path")
    match = _API_PATH.fullmatch(path)
    if match is not None:
        return Api(match[1], match[2])
    if path == "/i" or path.startswith(("/i?", "/ice.png")):
        return TP1
    return CollectorPayloadInputData(
        "path", path, "path does not match (/)vendor/version(/) nor is a legacy /i(ce.png) request"
    )


_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def parse_network_user_id(value: str | None) -> str | CollectorPayloadInputData | None:
    """The collector's network user id must be a UUID; returned lower-cased (canonical)."""
    if value is None:
        return None
    if _UUID.fullmatch(value):
        return value.lower()
    return CollectorPayloadInputData("networkUserId", value, "not valid UUID")


def raw_event(payload: CollectorPayload, api: Api, parameters: dict[str, str | None]) -> RawEvent:
    """A raw event carrying ``parameters`` and the context of the request that carried it."""
    return RawEvent(
        vendor=api.vendor,
        version=api.version,
        parameters=parameters,
        content_type=payload.content_type,
        loader_name=payload.collector or "",
        encoding=payload.encoding or "UTF-8",
        hostname=payload.hostname,
        timestamp=payload.timestamp,
        ip_address=payload.ip_address,
        useragent=payload.user_agent,
        referer_uri=payload.referer_uri,
        headers=payload.headers or (),
        user_id=payload.network_user_id,
    )
