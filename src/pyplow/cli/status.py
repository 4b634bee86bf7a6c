"""``pyplow status``: the distributed pipeline's streams and consumers on NATS JetStream.

For every stream (``PYPLOW_*`` by default): messages and bytes held; for each of its durable
consumers (enrich workers, loaders): how many messages wait (lag), are being processed
(awaiting an ack), and have been redelivered.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import msgspec


class ConsumerStatus(msgspec.Struct, frozen=True):
    name: str
    pending: int
    ack_pending: int
    redelivered: int


class StreamStatus(msgspec.Struct, frozen=True):
    name: str
    subjects: tuple[str, ...]
    messages: int
    bytes: int
    consumers: tuple[ConsumerStatus, ...]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "status", help="stream depths and consumer lag of the distributed pipeline (NATS)"
    )
    parser.add_argument("--servers", default="nats://127.0.0.1:4222", help="NATS server URLs")
    parser.add_argument("--prefix", default="PYPLOW_", help="only streams with this prefix")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


async def collect(servers: list[str], prefix: str) -> list[StreamStatus]:
    """The status of every stream whose name starts with ``prefix``."""
    from pyplow.streams.nats import NatsConfig
    from pyplow.streams.nats.connection import open_connection

    client = await open_connection(
        NatsConfig(servers=tuple(servers), connect_timeout=2.0, max_reconnect_attempts=1)
    )
    try:
        js = client.jetstream()
        out = []
        for info in await js.streams_info():
            name = info.config.name or ""
            if not name.startswith(prefix):
                continue
            consumers = [
                ConsumerStatus(
                    name=c.name,
                    pending=c.num_pending or 0,
                    ack_pending=c.num_ack_pending or 0,
                    redelivered=c.num_redelivered or 0,
                )
                for c in await js.consumers_info(name)
            ]
            out.append(
                StreamStatus(
                    name=name,
                    subjects=tuple(info.config.subjects or ()),
                    messages=info.state.messages,
                    bytes=info.state.bytes,
                    consumers=tuple(sorted(consumers, key=lambda c: c.name)),
                )
            )
        return sorted(out, key=lambda s: s.name)
    finally:
        await client.close()


def render(streams: list[StreamStatus]) -> str:
    if not streams:
        return "no pyplow streams on this NATS server"
    lines = [f"{'stream / consumer':32} {'messages':>10} {'bytes':>12} {'lag':>8} {'in flight':>9}"]
    for stream in streams:
        lines.append(f"{stream.name:32} {stream.messages:>10} {stream.bytes:>12}")
        lines.extend(
            f"  {c.name:30} {'':>10} {'':>12} {c.pending:>8} {c.ack_pending:>9}"
            for c in stream.consumers
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        streams = asyncio.run(collect(args.servers.split(","), args.prefix))
    except Exception as exc:  # unreachable server, no JetStream: say so, exit 1
        print(f"pyplow status: cannot read NATS at {args.servers}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(msgspec.json.encode(streams).decode())
    else:
        print(render(streams))
    return 0
