"""Shared test helpers.

``require_service`` lets an integration test demand a real service (NATS, PostgreSQL, ...):

    @pytest.mark.integration
    def test_something(require_service: RequireService) -> None:
        require_service("NATS", "127.0.0.1", 4222)

When nothing listens at the address, the test is skipped locally but fails when the environment
variable ``CI`` is ``"true"``, so a continuous-integration run can never pass by skipping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import pytest

RequireService = Callable[[str, str, int], None]

CONNECT_TIMEOUT_SECONDS = 0.5


def require_service(name: str, host: str, port: int) -> None:
    """Skip (locally) or fail (in CI) unless a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            return
    except OSError as exc:
        message = f"{name} not reachable at {host}:{port}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} ({exc}); CI must run every integration test")
        pytest.skip(message)


@pytest.fixture(name="require_service")
def require_service_fixture() -> RequireService:
    """The ``require_service`` function, for tests that take it as a fixture."""
    return require_service
