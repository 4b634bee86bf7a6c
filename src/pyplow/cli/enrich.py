"""``pyplow enrich``: stream mode (``--config FILE``) or batch mode (``--input``/``--output``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "enrich",
        help="validate and enrich raw records into enriched events and bad rows",
        description=(
            "Stream mode: --config FILE with an [enrich] table (source, good and bad sinks; "
            "every setting also as PYPLOW_ENRICH__<SETTING>). Batch mode: --input DIR "
            "--output DIR enriches raw files on all cores."
        ),
    )
    parser.add_argument("--config", metavar="FILE", help="TOML file with an [enrich] table")
    parser.add_argument("--input", metavar="DIR", help="batch mode: folder of raw files")
    parser.add_argument("--output", metavar="DIR", help="batch mode: folder for the results")
    parser.add_argument(
        "--enrichments", metavar="DIR", help="Snowplow enrichment configs (default: built-in set)"
    )
    parser.add_argument("--resolver", metavar="FILE", help="Snowplow Iglu resolver config")
    parser.add_argument("--workers", type=int, help="batch mode: processes (default: all cores)")
    parser.add_argument("--no-progress", action="store_true", help="batch mode: no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import msgspec

    from pyplow.config import ConfigError, load
    from pyplow.enrich.config import EnrichConfig
    from pyplow.enrich.context import EnrichmentConfigError

    batch = args.input is not None or args.output is not None
    if batch and (args.input is None or args.output is None):
        print("pyplow enrich: batch mode needs both --input and --output", file=sys.stderr)
        return 2
    if not batch and args.config is None:
        print(
            "pyplow enrich: give --config FILE (stream mode) or --input/--output", file=sys.stderr
        )
        return 2
    try:
        config = load(EnrichConfig, args.config, section="enrich")
        overrides = {
            k: v for k, v in (("enrichments", args.enrichments), ("resolver", args.resolver)) if v
        }
        config = msgspec.structs.replace(config, **overrides)
        if batch:
            return _batch(args, config)
        return asyncio.run(_stream(config))
    except (ConfigError, EnrichmentConfigError) as exc:
        print(f"pyplow enrich: {exc}", file=sys.stderr)
        return 2


def _batch(args: argparse.Namespace, config: Any) -> int:
    from pyplow.enrich.batch import enrich_folder

    source = Path(args.input)
    if not source.is_dir():
        print(f"pyplow enrich: input folder {source} does not exist", file=sys.stderr)
        return 2
    counts = enrich_folder(
        source, Path(args.output), config, workers=args.workers, progress=not args.no_progress
    )
    print(
        f"{counts.files} files, {counts.records} records, {counts.events} events: "
        f"{counts.good} enriched, {counts.bad} bad rows, {counts.dropped} dropped",
        file=sys.stderr,
    )
    return 0


async def _stream(config: Any) -> int:
    from pyplow.enrich.config import build_engine
    from pyplow.enrich.stream import run_stream
    from pyplow.runtime import freeze_startup_objects
    from pyplow.streams import Framing
    from pyplow.streams.settings import build_sink, build_source

    engine = build_engine(config)
    source = await build_source(config.source, framing=Framing.BASE64, name="raw")
    good = await build_sink(config.good, framing=Framing.TEXT, name="enriched", extension="tsv")
    bad = await build_sink(config.bad, framing=Framing.TEXT, name="bad", extension="json")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    freeze_startup_objects()
    try:
        counts = await run_stream(
            engine,
            source,
            good,
            bad,
            batch_records=config.batch_records,
            stop=stop,
            retry_max_seconds=config.retry_max_seconds,
        )
    finally:
        await source.close()
        await good.close()
        await bad.close()
        engine.close()
    print(
        f"{counts.records} records, {counts.events} events: {counts.good} enriched, "
        f"{counts.bad} bad rows, {counts.dropped} dropped",
        file=sys.stderr,
    )
    return 0
