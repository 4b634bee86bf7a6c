"""HTTP sending with the standard library, and the retry policy around it.

A :class:`Transport` sends one request and reports what happened as a value: the HTTP status,
or a :class:`NetworkError` (refused, reset, timed out, bad URL ...). It never raises for those.
:func:`send_with_retries` retries network errors and every non-2xx status with exponential
backoff and jitter.
"""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = [
    "Backoff",
    "Method",
    "NetworkError",
    "Outcome",
    "Transport",
    "UrllibTransport",
    "send_with_retries",
]

Method = Literal["GET", "POST"]
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class NetworkError:
    """The request got no HTTP answer; ``reason`` says why."""

    reason: str


Outcome = int | NetworkError


class Transport(Protocol):
    def send(self, method: Method, url: str, body: bytes | None) -> Outcome: ...


class UrllibTransport:
    """Sends with :mod:`urllib.request`; ``timeout`` is per request, in seconds."""

    def __init__(self, timeout: float = 5.0, user_agent: str = "pyplow-tracker") -> None:
        self.timeout = timeout
        self.user_agent = user_agent

    def send(self, method: Method, url: str, body: bytes | None) -> Outcome:
        headers = {"User-Agent": self.user_agent}
        if body is not None:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                status: int = response.status
                return status
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code
        except (OSError, ValueError) as exc:  # URLError is an OSError; ValueError: bad URL
            return NetworkError(f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Exponential backoff: attempt ``n`` (from 0) waits ``min(cap, base * 2**n)`` seconds,
    scaled by a random factor in ``[1 - jitter, 1]``. ``max_retries`` retries after the first try.
    """

    max_retries: int = 3
    base: float = 0.1
    cap: float = 10.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base < 0 or self.cap < 0 or not 0 <= self.jitter <= 1:
            raise ValueError(
                "backoff needs max_retries >= 0, base >= 0, cap >= 0 and jitter in [0, 1], got "
                f"{self.max_retries}, {self.base}, {self.cap}, {self.jitter}"
            )

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        full = min(self.cap, self.base * 2.0**attempt)
        return full * (1.0 - self.jitter * rand())


def is_success(outcome: Outcome) -> bool:
    return isinstance(outcome, int) and 200 <= outcome < 300


def send_with_retries(
    transport: Transport,
    method: Method,
    build: Callable[[], tuple[str, bytes | None]],
    backoff: Backoff,
    *,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] = lambda: False,
) -> Outcome:
    """Send until a 2xx answer or the retries are used up; returns the last outcome.

    ``build`` makes the URL and body for each attempt, so each attempt has its own ``stm``.
    """
    outcome = transport.send(method, *build())
    attempt = 0
    while not is_success(outcome) and attempt < backoff.max_retries and not should_stop():
        sleep(backoff.delay(attempt))
        attempt += 1
        outcome = transport.send(method, *build())
    return outcome
