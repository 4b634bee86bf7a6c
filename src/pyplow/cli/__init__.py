"""The ``pyplow`` command: one module per subcommand.

Each subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` to a function taking the parsed namespace and returning an exit status:
0 on success, 1 when the work failed, 2 on bad usage or configuration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pyplow import __version__
from pyplow.cli import (
    collector,
    dashboard,
    enrich,
    export,
    iglu,
    load,
    model,
    pixel,
    quickstart,
    replay,
    status,
)

_SUBCOMMANDS = (
    quickstart,
    collector,
    enrich,
    load,
    model,
    dashboard,
    export,
    replay,
    status,
    pixel,
    iglu,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyplow",
        description="A behavioural-data pipeline that speaks Snowplow's formats end to end.",
    )
    parser.add_argument("--version", action="version", version=f"pyplow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    status: int = handler(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
