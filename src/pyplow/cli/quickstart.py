"""``pyplow quickstart``: the embedded pipeline (collector → enrich → DuckDB in one process).

The pipeline's stages are built in later steps; until they exist this command says so
plainly and exits with status 1 instead of pretending to run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "quickstart", help="run the embedded pipeline with the dashboard (one process)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--data-dir", default="./pyplow-data")
    parser.add_argument("--demo", action="store_true", help="generate realistic demo traffic")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(
        "pyplow quickstart: the embedded pipeline (collector, enrich, DuckDB loader) is not "
        "built yet in this version; the core library (protocol, Iglu, events, bad rows) is. "
        "Try `pyplow iglu --help`.",
        file=sys.stderr,
    )
    return 1
