"""``pyplow collector --config FILE``: run the HTTP collector.

Settings come from the ``[collector]`` table of the TOML file and ``PYPLOW_COLLECTOR__…``
environment variables (see ``docs/collector.md`` and ``examples/collector.toml``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pyplow.config import ConfigError


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "collector",
        help="run the HTTP collector (tracker requests → raw records on a stream)",
        description=(
            "Run the collector. Every setting of the [collector] table can also be given as "
            "PYPLOW_COLLECTOR__<SETTING> (nested: PYPLOW_COLLECTOR__COOKIE__NAME)."
        ),
    )
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [collector] table")
    parser.add_argument("--host", help="interface to listen on (overrides the config)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides the config)")
    parser.add_argument("--workers", type=int, help="worker processes (overrides the config)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import msgspec

    from pyplow.collector.server import load_config, serve

    try:
        config = load_config(args.config)
        overrides = {
            k: v
            for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers))
            if v is not None
        }
        if overrides:
            config = msgspec.structs.replace(config, **overrides)
            config.__post_init__()
    except (ConfigError, ValueError) as exc:
        print(f"pyplow collector: {exc}", file=sys.stderr)
        return 2
    print(
        f"pyplow collector listening on http://{config.host}:{config.port} "
        f"({config.workers} worker{'s' if config.workers > 1 else ''}, {config.server})",
        file=sys.stderr,
    )
    serve(config, args.config)
    return 0
