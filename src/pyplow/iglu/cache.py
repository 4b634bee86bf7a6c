"""A small thread-safe LRU cache whose entries expire after a time-to-live.

Used by the resolver for both hits and misses. Time comes from an injected clock (a callable
returning seconds), so expiry is testable without sleeping.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TtlLruCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlLruCache(Generic[K, V]):
    """At most ``size`` entries (least recently used evicted first), each valid ``ttl`` seconds.

    ``ttl=None`` keeps entries until evicted; ``size=0`` disables caching entirely.
    """

    def __init__(self, size: int, ttl: float | None, clock: Callable[[], float]) -> None:
        if size < 0:
            raise ValueError(f"cache size must be >= 0, got {size}")
        if ttl is not None and ttl < 0:
            raise ValueError(f"cache ttl must be >= 0 seconds or None, got {ttl}")
        self._size = size
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The live value for ``key`` (marking it recently used), or None if absent/expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, stored_at = entry
            if self._ttl is not None and self._clock() - stored_at >= self._ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` (stamped now), evicting the least recently used entry if full."""
        if self._size == 0:
            return
        now = self._clock()
        with self._lock:
            self._entries[key] = (value, now)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
