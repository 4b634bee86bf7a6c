"""``pyplow model run``: build or update the derived page view, session and user tables.

Reads ``atomic.events`` in DuckDB (``--path``, the embedded pipeline's ``pyplow.duckdb``) or
PostgreSQL (``--dsn``) and writes ``derived.page_views``, ``derived.sessions``,
``derived.users`` and ``derived.user_mapping`` next to it. Settings come from the options,
a ``[model]`` table of ``--config FILE``, or ``PYPLOW_MODEL__<SETTING>`` variables.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec


class ModelConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``[model]`` settings (each also ``PYPLOW_MODEL__<SETTING>``)."""

    target: str = "duckdb"
    path: str | None = None
    dsn: str | None = None
    events_schema: str = "atomic"
    derived_schema: str = "derived"
    heartbeat_seconds: int = 10
    min_visit_length_seconds: int = 5
    lookback_hours: float = 6.0
    session_lookback_days: float = 3.0


_SETTINGS = (
    "heartbeat_seconds",
    "min_visit_length_seconds",
    "lookback_hours",
    "session_lookback_days",
    "events_schema",
    "derived_schema",
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("model", help="build the derived page view/session/user tables")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    run_parser = actions.add_parser(
        "run",
        help="bring derived.page_views, sessions and users up to date (incremental)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run_parser.add_argument("--target", choices=("duckdb", "postgres"))
    run_parser.add_argument("--path", help="DuckDB database file")
    run_parser.add_argument("--dsn", help="PostgreSQL connection string")
    run_parser.add_argument("--config", metavar="FILE", help="TOML file with a [model] table")
    run_parser.add_argument("--heartbeat-seconds", type=int, help="page ping interval (10)")
    run_parser.add_argument(
        "--min-visit-length-seconds", type=int, help="delay of the first page ping (5)"
    )
    run_parser.add_argument("--lookback-hours", type=float, help="re-model window (6)")
    run_parser.add_argument("--session-lookback-days", type=float, help="session reach (3)")
    run_parser.add_argument("--events-schema", help="schema of the events table (atomic)")
    run_parser.add_argument("--derived-schema", help="schema of the derived tables (derived)")
    run_parser.add_argument(
        "--full-refresh", action="store_true", help="drop the derived tables and rebuild them"
    )
    run_parser.set_defaults(handler=run)
    parser.set_defaults(handler=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from pyplow.analytics.models import ModelSettings, open_database, run_models
    from pyplow.config import ConfigError, load

    try:
        config = load(ModelConfig, args.config, section="model")
    except ConfigError as exc:
        print(f"pyplow model: {exc}", file=sys.stderr)
        return 2
    names = ("target", "path", "dsn", *_SETTINGS)
    overrides = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    config = msgspec.structs.replace(config, **overrides)
    try:
        settings = ModelSettings(**{n: getattr(config, n) for n in _SETTINGS})
        db = open_database(config.target, path=config.path, dsn=config.dsn)
    except (ValueError, TypeError) as exc:
        print(f"pyplow model: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the database could not be opened
        print(f"pyplow model: cannot open the {config.target} database: {exc}", file=sys.stderr)
        return 1
    try:
        if args.full_refresh:
            _forget(db, settings.derived_schema)
        result = run_models(db, settings)
    except LookupError as exc:
        print(f"pyplow model: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"pyplow model: the run failed: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    kind = "full rebuild" if result.full_refresh else f"from {result.window_start:%Y-%m-%d %H:%M}"
    print(
        f"pyplow model: {kind}: {result.events} events → {result.page_views} page views, "
        f"{result.sessions} sessions, {result.users} users in {result.seconds:.2f} s"
    )
    return 0


def _forget(db: Any, derived_schema: str) -> None:
    """Make the next run a full rebuild (the manifest is the only state a run keeps)."""
    if db.columns(derived_schema, "pyplow_manifest"):
        db.execute(f'delete from "{derived_schema}".pyplow_manifest')
