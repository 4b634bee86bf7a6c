"""``pyplow quickstart``: the embedded pipeline (collector → enrich → DuckDB in one process).

Needs no server and no account. Data lives in ``--data-dir`` (``pyplow.duckdb``). ``--demo``
sends realistic traffic to the collector so there is something to query at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "quickstart", help="run the embedded pipeline (collector, enrich, DuckDB) in one process"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--data-dir", default="./pyplow-data")
    parser.add_argument("--demo", action="store_true", help="send realistic demo traffic")
    parser.add_argument("--resolver", metavar="FILE", help="Snowplow Iglu resolver config")
    parser.add_argument(
        "--enrichments", metavar="DIR", help="Snowplow enrichment configs (default: built-in)"
    )
    parser.add_argument(
        "--dashboard-token",
        default=os.environ.get("PYPLOW_DASHBOARD_TOKEN"),
        help="token the dashboard requires (default: none on loopback, a random one otherwise; "
        "also PYPLOW_DASHBOARD_TOKEN)",
    )
    parser.add_argument(
        "--model-interval",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds between two runs of the data models (0: never)",
    )
    parser.set_defaults(handler=run)


def banner(
    url: str, database: Path, with_sp_js: bool = False, dashboard_token: str | None = None
) -> str:
    host = url.split("://", 1)[1]
    dashboard = f"{url}/dashboard/" + (f"?token={dashboard_token}" if dashboard_token else "")
    pixel = f"{url}/i?e=pv&p=web&tv=no-js-0.1.0&aid=my-site&url=https%3A%2F%2Fexample.com%2F"
    lines = [
        "",
        "pyplow is running.",
        "",
        f"  dashboard    {dashboard}",
        f"  collector    {url}",
        f'  pixel        <img src="{pixel}" width="1" height="1" alt="">',
        f"  tp2 POST     {url}/com.snowplowanalytics.snowplow/tp2",
        f"  Snowplow JS  newTracker('sp', '{host}', {{ appId: 'my-site' }})",
        f"  test API     {url}/micro/all, /micro/good, /micro/bad, /micro/reset (Snowplow Micro's)",
        f"  DuckDB       {database}   (DuckDB lets one process write a file: query it once",
        f"               pyplow has stopped, e.g. duckdb -readonly {database}",
        '               "select event, count(*) from atomic.events group by 1")',
    ]
    if with_sp_js:
        lines += [
            "",
            "Browser tracker, to paste into a page:",
            f'  <script async src="{url}/sp.js"></script>',
            "  <script>window.snowplow=window.snowplow||function(){"
            "(window.snowplow.q=window.snowplow.q||[]).push(arguments)};",
            f"    snowplow('newTracker','sp','{host}',{{appId:'my-site'}});"
            "snowplow('trackPageView');</script>",
        ]
    lines += ["", "Stop with Ctrl-C: buffered events are enriched and loaded before the exit.", ""]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from pyplow.enrich.context import EnrichmentConfigError
    from pyplow.pipeline.dashboard import dashboard_token
    from pyplow.pipeline.embedded import EmbeddedSettings, run_embedded

    settings = EmbeddedSettings(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        resolver=args.resolver,
        enrichments=args.enrichments,
        dashboard_token=dashboard_token(args.host, args.dashboard_token),
        model_interval_seconds=args.model_interval,
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        started = asyncio.Event()

        def ready(url: str) -> None:
            from pyplow.collector.server import packaged_sp_js

            database = Path(args.data_dir) / "pyplow.duckdb"
            text = banner(url, database, packaged_sp_js() is not None, settings.dashboard_token)
            print(text, file=sys.stderr)
            started.set()

        pipeline = asyncio.create_task(run_embedded(settings, stop=stop, ready=ready, freeze=True))
        if args.demo:
            from pyplow.pipeline.demo import send_demo_traffic

            await asyncio.wait(
                [asyncio.create_task(started.wait()), pipeline],
                return_when=asyncio.FIRST_COMPLETED,
            )
            if started.is_set():
                sent = await send_demo_traffic(f"http://{args.host}:{args.port}")
                print(f"demo: sent {sent} events", file=sys.stderr)
        await pipeline

    try:
        asyncio.run(main())
    except EnrichmentConfigError as exc:
        print(f"pyplow quickstart: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"pyplow quickstart: {exc}", file=sys.stderr)
        return 1
    return 0
