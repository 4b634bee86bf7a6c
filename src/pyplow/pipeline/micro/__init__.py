"""The Snowplow-Micro-compatible test API of the embedded pipeline.

- :mod:`~pyplow.pipeline.micro.store`: ``MicroStore``, good and bad rows in SQLite (bounded);
- :mod:`~pyplow.pipeline.micro.shapes`: Micro's GoodEvent / BadEvent JSON from pyplow rows;
- :mod:`~pyplow.pipeline.micro.app`: ``MicroApp``, the ``/micro/...`` REST API (ASGI);
- :mod:`~pyplow.pipeline.micro.validate`: the synchronous ``/micro/validate`` route;
- :mod:`~pyplow.pipeline.micro.dispatch`: ``with_micro``, Micro and the collector on one port.
"""

from pyplow.pipeline.micro.app import MicroApp
from pyplow.pipeline.micro.dispatch import ASGIApp, is_micro_path, with_micro
from pyplow.pipeline.micro.shapes import bad_event_json, good_event_json
from pyplow.pipeline.micro.store import (
    DEFAULT_MAX_EVENTS,
    BadQuery,
    BadRecord,
    GoodQuery,
    GoodRecord,
    MicroCounts,
    MicroStore,
)
from pyplow.pipeline.micro.validate import validate, validation_payload

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "ASGIApp",
    "BadQuery",
    "BadRecord",
    "GoodQuery",
    "GoodRecord",
    "MicroApp",
    "MicroCounts",
    "MicroStore",
    "bad_event_json",
    "good_event_json",
    "is_micro_path",
    "validate",
    "validation_payload",
    "with_micro",
]
