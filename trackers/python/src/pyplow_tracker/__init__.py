"""pyplow-tracker: send Snowplow tracker-protocol events from Python (standard library only).

from pyplow_tracker import BackgroundEmitter, EmitterConfig, Subject, Tracker

emitter = BackgroundEmitter(EmitterConfig(endpoint="http://localhost:9090"))
tracker = Tracker(emitter, namespace="web", app_id="shop", subject=Subject(platform="srv"))
tracker.track_page_view("https://shop.example/", page_title="Home")
"""

from pyplow_tracker.emitters import (
    AsyncEmitter,
    BackgroundEmitter,
    Emitter,
    EmitterConfig,
    EventSink,
    FailureCallback,
    SuccessCallback,
)
from pyplow_tracker.payload import Event, SelfDescribingJson, get_query, post_body
from pyplow_tracker.queue import EventQueue, MemoryQueue, OverflowPolicy, SqliteQueue
from pyplow_tracker.subject import Platform, Subject
from pyplow_tracker.tracker import TRACKER_VERSION, EcommerceItem, Tracker
from pyplow_tracker.transport import Backoff, NetworkError, Transport, UrllibTransport

__version__ = "0.1.0"

__all__ = [
    "TRACKER_VERSION",
    "AsyncEmitter",
    "BackgroundEmitter",
    "Backoff",
    "EcommerceItem",
    "Emitter",
    "EmitterConfig",
    "Event",
    "EventQueue",
    "EventSink",
    "FailureCallback",
    "MemoryQueue",
    "NetworkError",
    "OverflowPolicy",
    "Platform",
    "SelfDescribingJson",
    "SqliteQueue",
    "Subject",
    "SuccessCallback",
    "Tracker",
    "Transport",
    "UrllibTransport",
    "__version__",
    "get_query",
    "post_body",
]
