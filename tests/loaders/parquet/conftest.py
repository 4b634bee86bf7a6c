"""Fixtures of the Parquet loader tests: a resolver with test schemas, event factories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from pyplow.event import Contexts, EnrichedEvent, Entity, UnstructEvent
from pyplow.iglu import DirectoryRepository, Resolver, builtin_repository

HERE = Path(__file__).parent
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
CHECKOUT = "iglu:com.acme/checkout/jsonschema/{}"
CART = "iglu:com.acme/cart/jsonschema/1-0-0"
T0 = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)

MakeEvent = Callable[..., EnrichedEvent]


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    """The embedded registry plus ``iglu/`` (com.acme checkout 1-0-0, 1-0-1 and cart)."""
    return Resolver([builtin_repository(), DirectoryRepository(HERE / "iglu", name="tests")])


def make_event(
    n: int = 0,
    *,
    tstamp: datetime = T0,
    event_id: str | None = None,
    fingerprint: str | None = "auto",
    checkout: str = "1-0-0",
    checkout_data: dict[str, Any] | None = None,
    cart: dict[str, Any] | None = None,
) -> EnrichedEvent:
    """A page view with a web_page and a checkout context (or a cart self-describing event)."""
    data = checkout_data if checkout_data is not None else {"step": n, "total": n / 2}
    unstruct = UnstructEvent(data=Entity(CART, cart)) if cart is not None else None
    return EnrichedEvent(
        app_id="shop",
        platform="web",
        collector_tstamp=tstamp,
        event="unstruct" if cart is not None else "page_view",
        event_id=event_id or str(uuid.UUID(int=n + 1)),
        v_collector="ssc-3.2.0-kinesis",
        v_etl="pyplow-0.1.0",
        domain_sessionidx=n,
        br_cookies=True,
        page_url=f"https://shop.example/p/{n}",
        event_fingerprint=f"fp-{n}" if fingerprint == "auto" else fingerprint,
        contexts=Contexts(
            data=(
                Entity(WEB_PAGE, {"id": str(uuid.UUID(int=10_000 + n))}),
                Entity(CHECKOUT.format(checkout), data),
            )
        ),
        unstruct_event=unstruct,
    )


@pytest.fixture(name="make_event")
def make_event_fixture() -> MakeEvent:
    return make_event


class FlakyFileSystem(MemoryFileSystem):  # type: ignore[misc]
    """An in-memory filesystem (``flaky://``) whose uploads fail while ``down`` is set."""

    protocol = "flaky"
    down: ClassVar[bool] = False
    uploads: ClassVar[int] = 0
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        return str(super()._strip_protocol(path.removeprefix("flaky://")))

    def put_file(self, lpath: str, rpath: str, *args: Any, **kwargs: Any) -> None:
        if FlakyFileSystem.down:
            raise ConnectionResetError("target away")
        FlakyFileSystem.uploads += 1
        super().put_file(lpath, rpath, *args, **kwargs)


@pytest.fixture
def flaky() -> Iterator[type[FlakyFileSystem]]:
    """The ``flaky://`` filesystem class, registered, empty and up."""
    fsspec.register_implementation("flaky", FlakyFileSystem, clobber=True)
    FlakyFileSystem.store.clear()
    FlakyFileSystem.pseudo_dirs[:] = [""]
    FlakyFileSystem.down = False
    FlakyFileSystem.uploads = 0
    yield FlakyFileSystem
    FlakyFileSystem.down = False
