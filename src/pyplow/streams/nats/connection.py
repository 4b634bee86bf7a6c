"""Opening a NATS connection and making sure the JetStream stream exists.

``nats-py`` is an optional dependency (the ``pyplow[nats]`` extra): it is imported here, inside
functions, so that ``import pyplow.streams`` works without it.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from types import ModuleType
from typing import TYPE_CHECKING

from pyplow.streams.base import TerminalStreamError, TransientStreamError
from pyplow.streams.nats.config import NatsConfig

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext

log = logging.getLogger("pyplow.streams.nats")

#: Bytes of ``max_payload`` kept for message headers (expected stream, message id).
HEADER_ROOM = 1024


def import_nats() -> ModuleType:
    """The ``nats`` package, or a ``TerminalStreamError`` telling how to install it."""
    try:
        return importlib.import_module("nats")
    except ImportError as exc:
        raise TerminalStreamError(
            "the NATS backend needs the nats-py client, which is not installed: "
            "install it with `pip install 'pyplow[nats]'`"
        ) from exc


def describe(exc: BaseException) -> str:
    """A one-line description of a client error (many nats-py errors have an empty message)."""
    text = str(exc).strip()
    name = type(exc).__name__
    if not text or text == name:
        return name
    return text if name in text else f"{name}: {text}"


async def open_connection(config: NatsConfig) -> Client:
    """A connected client, or a ``StreamError`` saying which servers failed and why.

    The first connection is bounded by ``connect_timeout`` × number of servers, even when
    ``max_reconnect_attempts`` is -1 (which makes the client retry forever afterwards).
    """
    import_nats()
    from nats.aio.client import Client
    from nats.errors import AuthorizationError

    last_error: list[BaseException] = []

    async def on_error(exc: Exception) -> None:
        last_error[:] = [exc]
        log.warning("NATS %s: %s", ",".join(config.servers), describe(exc))

    async def on_disconnect() -> None:
        if client.is_closed:  # our own close(), not a lost connection
            return
        log.warning("NATS connection to %s lost; reconnecting", ",".join(config.servers))

    async def on_reconnect() -> None:
        log.info("NATS connection to %s restored", ",".join(config.servers))

    client = Client()
    budget = config.connect_timeout * len(config.servers)
    try:
        await asyncio.wait_for(
            client.connect(
                servers=list(config.servers),
                name=config.client_name,
                connect_timeout=config.connect_timeout,  # type: ignore[arg-type]
                reconnect_time_wait=config.reconnect_time_wait,  # type: ignore[arg-type]
                max_reconnect_attempts=config.max_reconnect_attempts,
                allow_reconnect=True,
                user=config.user,
                password=config.password,
                token=config.token,
                user_credentials=config.creds_file,
                error_cb=on_error,
                disconnected_cb=on_disconnect,
                reconnected_cb=on_reconnect,
            ),
            budget,
        )
    except Exception as exc:  # whatever stopped the first connect, reported below
        await _quietly_close(client)
        cause = last_error[0] if last_error else exc
        servers = ", ".join(config.servers)
        if isinstance(cause, AuthorizationError):
            raise TerminalStreamError(
                f"NATS at {servers} refused the credentials: {describe(cause)}"
            ) from exc
        if isinstance(cause, TimeoutError) and not last_error:
            reason = "no answer"
        else:
            reason = describe(cause)
        raise TransientStreamError(
            f"cannot connect to NATS at {servers} within {budget:g} s: {reason}"
        ) from exc
    return client


async def ensure_stream(client: Client, js: JetStreamContext, config: NatsConfig) -> None:
    """Check that ``config.stream`` stores ``config.subject``; create or extend it if allowed.

    Raises ``TerminalStreamError`` when the stream is missing and ``create_stream`` is off, and
    ``TransientStreamError`` when the JetStream API does not answer.
    """
    from nats.errors import Error as NatsError
    from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import APIError, NotFoundError

    try:
        try:
            info = await js.stream_info(config.stream)
        except NotFoundError:
            if not config.create_stream:
                raise TerminalStreamError(
                    f"JetStream stream {config.stream!r} does not exist and create_stream is off"
                ) from None
            wanted = StreamConfig(
                name=config.stream,
                subjects=[config.subject],
                retention=RetentionPolicy.LIMITS,
                discard=DiscardPolicy.OLD,
                storage=StorageType.FILE,
                max_age=config.retention_max_age_seconds,
                max_bytes=config.retention_max_bytes,
                num_replicas=config.replicas,
                duplicate_window=config.duplicate_window_seconds,
            )
            try:
                await js.add_stream(wanted)
                log.info("created JetStream stream %s for %s", config.stream, config.subject)
                return
            except APIError as refused:  # perhaps another process created it first
                try:
                    info = await js.stream_info(config.stream)
                except NotFoundError:
                    raise refused from None
        subjects = list(info.config.subjects or [])
        if config.subject in subjects:
            return
        if not config.create_stream:
            raise TerminalStreamError(
                f"JetStream stream {config.stream!r} stores subjects {subjects}, "
                f"not {config.subject!r}, and create_stream is off"
            )
        await js.update_stream(info.config.evolve(subjects=[*subjects, config.subject]))
        log.info("added subject %s to JetStream stream %s", config.subject, config.stream)
    except APIError as exc:
        raise TerminalStreamError(
            f"JetStream refused stream {config.stream!r} for subject {config.subject!r}: "
            f"{describe(exc)}"
        ) from exc
    except (TimeoutError, NatsError) as exc:
        raise TransientStreamError(
            f"JetStream on {', '.join(config.servers)} did not answer about stream "
            f"{config.stream!r}: {describe(exc)} (is JetStream enabled on the server?)"
        ) from exc


async def _quietly_close(client: Client) -> None:
    try:
        await client.close()
    except Exception as exc:  # closing a half-open client; nothing left to save
        log.debug("closing NATS client: %s", describe(exc))
