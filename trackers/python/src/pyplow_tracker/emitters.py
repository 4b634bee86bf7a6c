"""Emitters: they buffer events and send them to a collector.

Three kinds share one configuration (:class:`EmitterConfig`) and one sending core:

- :class:`Emitter` sends in the calling thread when a batch is due (simple; ``track`` may block);
- :class:`BackgroundEmitter` sends from its own thread (``track`` never blocks on the network);
- :class:`AsyncEmitter` sends from an asyncio task (the blocking HTTP call runs in a worker
  thread through :func:`asyncio.to_thread`).

A batch is due when ``batch_size`` events wait, or when they add up to ``max_bytes`` (the POST
body limit), or — for the background and async emitters — every ``flush_interval`` seconds.
GET sends one request per event (to ``/i``); POST sends ``payload_data`` bodies of up to
``batch_size`` events and ``max_bytes`` bytes. Failed requests are retried (see
:class:`~pyplow_tracker.transport.Backoff`). Whatever waits at interpreter exit is sent by an
:mod:`atexit` hook. ``on_success(events)`` and ``on_failure(events, reason)`` are called from the
sending thread; an exception in a callback is logged, never propagated.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pyplow_tracker.payload import Event, get_query, post_body
from pyplow_tracker.queue import Batch, EventQueue, MemoryQueue
from pyplow_tracker.transport import (
    Backoff,
    Method,
    NetworkError,
    Outcome,
    Transport,
    UrllibTransport,
    is_success,
    send_with_retries,
)

__all__ = [
    "AsyncEmitter",
    "BackgroundEmitter",
    "Emitter",
    "EmitterConfig",
    "EventSink",
    "FailureCallback",
    "SuccessCallback",
]

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Sequence[Event]], None]
FailureCallback = Callable[[Sequence[Event], str], None]


class EventSink(Protocol):
    """What a tracker needs from an emitter."""

    def input(self, event: Event) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class EmitterConfig:
    """``endpoint`` is the collector's base URL, e.g. ``http://localhost:9090``."""

    endpoint: str
    method: Method = "POST"
    batch_size: int = 10
    max_bytes: int = 40_000
    flush_interval: float = 1.0
    backoff: Backoff = field(default_factory=Backoff)
    timeout: float = 5.0
    get_path: str = "/i"
    post_path: str = "/com.snowplowanalytics.snowplow/tp2"

    def __post_init__(self) -> None:
        if not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(
                f"endpoint {self.endpoint!r} must start with http:// or https://, "
                "e.g. 'http://localhost:9090'"
            )
        if self.method not in ("GET", "POST"):
            raise ValueError(f"method must be 'GET' or 'POST', got {self.method!r}")
        if self.batch_size < 1 or self.max_bytes < 1 or self.flush_interval <= 0:
            raise ValueError(
                "batch_size and max_bytes must be at least 1 and flush_interval positive, got "
                f"{self.batch_size}, {self.max_bytes}, {self.flush_interval}"
            )

    @property
    def url(self) -> str:
        path = self.get_path if self.method == "GET" else self.post_path
        return self.endpoint.rstrip("/") + path


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _describe(outcome: Outcome, attempts: int) -> str:
    what = outcome.reason if isinstance(outcome, NetworkError) else f"HTTP status {outcome}"
    return f"{what} (expected a 2xx answer) after {attempts} attempt(s)"


class _Core:
    """Buffering and sending, shared by the emitters."""

    def __init__(
        self,
        config: EmitterConfig,
        *,
        queue: EventQueue | None = None,
        transport: Transport | None = None,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        flush_at_exit: bool = True,
    ) -> None:
        self.config = config
        self.queue: EventQueue = queue if queue is not None else MemoryQueue()
        self.transport: Transport = transport or UrllibTransport(timeout=config.timeout)
        self.on_success = on_success
        self.on_failure = on_failure
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self._send_lock = threading.Lock()
        self._stopping = False
        self._closed = False
        if flush_at_exit:
            atexit.register(self._at_exit)

    def _enqueue(self, event: Event) -> bool:
        """Buffer ``event``; True when a batch is due."""
        dropped = self.queue.put(event)
        if dropped is not None:
            self.dropped += 1
            self._callback_failure([dropped], "buffer full: event dropped (overflow policy)")
        return (
            len(self.queue) >= self.config.batch_size
            or self.queue.waiting_bytes >= self.config.max_bytes
        )

    def _drain(self) -> None:
        """Send everything waiting now (blocking)."""
        with self._send_lock:
            while len(self.queue):
                batch = self.queue.take(self.config.batch_size, self.config.max_bytes)
                if not batch.events:
                    break
                if self.config.method == "POST":
                    self._send(batch)
                else:
                    for i, event in enumerate(batch.events):
                        self._send(Batch((event,), batch.keys[i : i + 1]))

    def _send(self, batch: Batch) -> None:
        url = self.config.url
        attempts = 0

        def build() -> tuple[str, bytes | None]:
            nonlocal attempts
            attempts += 1
            if self.config.method == "POST":
                return url, post_body(batch.events, _now_ms())
            return f"{url}?{get_query(batch.events[0], _now_ms())}", None

        outcome = send_with_retries(
            self.transport,
            self.config.method,
            build,
            self.config.backoff,
            should_stop=lambda: self._closed,
        )
        if is_success(outcome):
            self.queue.ack(batch)
            self.sent += len(batch.events)
            if self.on_success is not None:
                self._guard(self.on_success, batch.events)
        else:
            self.queue.fail(batch)
            self.failed += len(batch.events)
            self._callback_failure(batch.events, _describe(outcome, attempts))

    def _callback_failure(self, events: Sequence[Event], reason: str) -> None:
        log.warning("pyplow-tracker: %d event(s) not sent: %s", len(events), reason)
        if self.on_failure is not None:
            self._guard(self.on_failure, events, reason)

    @staticmethod
    def _guard(callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("pyplow-tracker: an emitter callback raised")

    def _at_exit(self) -> None:
        if not self._closed:
            self._drain()
            self.queue.close()
            self._closed = True

    def _unregister(self) -> None:
        atexit.unregister(self._at_exit)


class Emitter(_Core):
    """Sends in the calling thread as soon as a batch is due."""

    def input(self, event: Event) -> None:
        if self._enqueue(event):
            self._drain()

    def flush(self) -> None:
        """Send everything waiting (blocking)."""
        self._drain()

    def close(self) -> None:
        """Flush, then release the queue; the emitter must not be used afterwards."""
        if not self._closed:
            self._drain()
            self.queue.close()
            self._closed = True
            self._unregister()


class BackgroundEmitter(_Core):
    """Sends from a daemon thread; :meth:`input` only buffers and wakes the thread."""

    def __init__(
        self,
        config: EmitterConfig,
        *,
        queue: EventQueue | None = None,
        transport: Transport | None = None,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        flush_at_exit: bool = True,
    ) -> None:
        super().__init__(
            config,
            queue=queue,
            transport=transport,
            on_success=on_success,
            on_failure=on_failure,
            flush_at_exit=flush_at_exit,
        )
        self._cond = threading.Condition()
        self._wake = False
        self._requested = 0  # flush generations asked for
        self._done = 0  # flush generations completed
        self._thread = threading.Thread(
            target=self._run, name="pyplow-tracker-emitter", daemon=True
        )
        self._thread.start()

    def input(self, event: Event) -> None:
        if self._enqueue(event):
            with self._cond:
                self._wake = True
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Send everything waiting now; blocks until sent. False if ``timeout`` ran out."""
        with self._cond:
            self._requested += 1
            target = self._requested
            self._wake = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: self._done >= target, timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush, stop the thread and release the queue."""
        if self._closed:
            return
        with self._cond:
            self._stopping = True
            self._wake = True
            self._cond.notify_all()
        self._thread.join(timeout)
        self.queue.close()
        self._closed = True
        self._unregister()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._wake:
                    self._cond.wait(self.config.flush_interval)
                self._wake = False
                generation = self._requested
                stopping = self._stopping
            try:
                self._drain()
            except Exception:  # a bug must not silently kill the sender
                log.exception("pyplow-tracker: the background emitter failed to send")
            with self._cond:
                self._done = max(self._done, generation)
                self._cond.notify_all()
            if stopping:
                return

    def _at_exit(self) -> None:
        self.close()


class AsyncEmitter(_Core):
    """Sends from asyncio: :meth:`input` buffers and, when a batch is due, starts a send task.

    Inside a running event loop a timer task also flushes every ``flush_interval`` seconds.
    Call ``await emitter.aclose()`` before the loop ends; otherwise the :mod:`atexit` hook sends
    what is left, blocking.
    """

    def __init__(
        self,
        config: EmitterConfig,
        *,
        queue: EventQueue | None = None,
        transport: Transport | None = None,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        flush_at_exit: bool = True,
    ) -> None:
        super().__init__(
            config,
            queue=queue,
            transport=transport,
            on_success=on_success,
            on_failure=on_failure,
            flush_at_exit=flush_at_exit,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.Task[None] | None = None

    def input(self, event: Event) -> None:
        due = self._enqueue(event)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: sent by the next flush or at exit
        if self._timer is None or self._timer.done():
            self._timer = loop.create_task(self._tick())
        if due:
            task = loop.create_task(self.flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Send everything waiting; the HTTP calls run in a worker thread."""
        await asyncio.to_thread(self._drain)

    async def aclose(self) -> None:
        """Stop the timer, wait for running sends, send the rest, release the queue."""
        if self._closed:
            return
        if self._timer is not None:
            self._timer.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.flush()
        self.queue.close()
        self._closed = True
        self._unregister()

    async def _tick(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.config.flush_interval)
            if len(self.queue):
                await self.flush()
