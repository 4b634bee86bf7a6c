"""Shared test helpers.

``require_service`` lets an integration test demand a real service (NATS, PostgreSQL, ...):

    @pytest.mark.integration
    def test_something(require_service: RequireService) -> None:
        require_service("NATS", "127.0.0.1", 4222)

When nothing listens at the address, the test is skipped locally but fails when the environment
variable ``CI`` is ``"true"``, so a continuous-integration run can never pass by skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

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


# --- throwaway servers for outage tests ---------------------------------------------------------
# Outage tests stop and restart servers; they never touch the machine's shared ones.

NATS_SERVER_BINARY = os.environ.get("NATS_SERVER_BIN") or shutil.which("nats-server")
PG_BIN = Path(os.environ.get("PYPLOW_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayNats:
    """A ``nats-server -js`` on a free local port, its store in a temporary folder (kept across
    restarts, so JetStream streams survive them)."""

    def __init__(self, binary: str, store: Path) -> None:
        self.binary = binary
        self.store = store
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        command += ["-sd", str(self.store)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"throwaway nats-server did not listen on port {self.port} within 5 s")

    def kill(self) -> None:
        """Crash the server (SIGKILL): no clean shutdown."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=5)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[ThrowawayNats]:
    """A throwaway NATS server (skipped locally without the binary, failing in CI)."""
    if NATS_SERVER_BINARY is None:
        _missing("nats-server binary not found")
    assert NATS_SERVER_BINARY is not None
    server = ThrowawayNats(NATS_SERVER_BINARY, tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()


class ThrowawayPostgres:
    """A PostgreSQL server of its own (``initdb`` into a temporary folder, run as the
    ``postgres`` user) on a free port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data),
             *args],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")


@pytest.fixture
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A throwaway PostgreSQL (needs the server binaries and root to run them as postgres)."""
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        _missing(f"needs PostgreSQL server binaries in {PG_BIN} and runuser")
    if os.geteuid() != 0:
        _missing("needs root to run a throwaway server as the postgres user")
    root = Path(tempfile.mkdtemp(prefix="pyplow-pg-"))
    shutil.chown(root, "postgres")
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(root / "data"),
         "-A", "trust", "-U", "postgres"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = ThrowawayPostgres(root)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run every integration test")
    pytest.skip(message)
