"""``pyplow dashboard``: the dashboard on its own, over PostgreSQL or a DuckDB file.

For the distributed pipeline (``pyplow load --target postgres``), or a DuckDB file no other
process has open (DuckDB lets one process write a file; ``pyplow quickstart`` serves the
dashboard itself). With ``--model-interval`` the data models are brought up to date in the
background, on a connection of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="serve the dashboard over PostgreSQL or a DuckDB file"
    )
    parser.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--path", help="DuckDB database file")
    parser.add_argument("--dsn", help="PostgreSQL connection string")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9091)
    parser.add_argument(
        "--token",
        default=os.environ.get("PYPLOW_DASHBOARD_TOKEN"),
        help="token to require (default: none on loopback, a random one otherwise; "
        "also PYPLOW_DASHBOARD_TOKEN)",
    )
    parser.add_argument(
        "--model-interval",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="also run the data models every SECONDS (default: never)",
    )
    parser.add_argument("--events-schema", default="atomic")
    parser.add_argument("--derived-schema", default="derived")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pyplow.analytics.dashboard import DashboardApp, Schemas, connector
    from pyplow.analytics.models import ModelSettings, open_database
    from pyplow.pipeline.dashboard import dashboard_token, keep_models_fresh

    try:
        settings = ModelSettings(
            events_schema=args.events_schema, derived_schema=args.derived_schema
        )
        db = open_database(args.target, path=args.path, dsn=args.dsn)
    except ValueError as exc:
        print(f"pyplow dashboard: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"pyplow dashboard: cannot open the {args.target} database: {exc}", file=sys.stderr)
        return 1
    token = dashboard_token(args.host, args.token)
    schemas = Schemas(events=settings.events_schema, derived=settings.derived_schema)
    app = DashboardApp(connector(db), token=token, schemas=schemas)

    async def main() -> None:
        import uvicorn

        config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning")
        server = uvicorn.Server(config)
        stop = asyncio.Event()
        tasks = []
        if args.model_interval > 0:
            models_db = db if args.target == "duckdb" else open_database("postgres", dsn=args.dsn)
            tasks.append(
                asyncio.create_task(
                    keep_models_fresh(models_db, stop, args.model_interval, settings)
                )
            )
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        if server.started:
            link = f"http://{args.host}:{args.port}/dashboard/"
            print(f"pyplow dashboard: {link}{f'?token={token}' if token else ''}", file=sys.stderr)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: setattr(server, "should_exit", True))
        try:
            await serving
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"pyplow dashboard: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    return 0
