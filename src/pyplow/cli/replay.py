"""``pyplow replay``: turn bad rows back into raw records (optionally fixed) for enrich.

Reads bad rows from JSON-lines files/folders (``--input``), a DuckDB database's
``atomic.bad_rows`` (``--duckdb``) or, with ``--config FILE``, the ``[replay]`` table's
``source`` (e.g. the NATS bad stream) and ``sink``. ``--output DIR`` writes raw files (base64
lines) that ``pyplow enrich --input DIR`` reads; ``--output -`` writes them to standard output.
``--dry-run`` only reports. Exit status: 0 done, 1 the work failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import msgspec

from pyplow.streams.settings import SinkSettings, SourceSettings


class ReplayConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``[replay]`` settings (each also ``PYPLOW_REPLAY__<SETTING>``)."""

    source: SourceSettings | None = None
    sink: SinkSettings | None = None
    fix: str | None = None
    batch_records: int = 500
    #: A stream source idle this long ends the replay.
    idle_seconds: float = 2.0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="turn bad rows back into raw records, optionally fixed, for enrich",
        description=__doc__,
    )
    parser.add_argument("--input", metavar="BAD_ROWS", nargs="+", help="JSON-lines files/folders")
    parser.add_argument("--duckdb", metavar="FILE", help="read the atomic.bad_rows table")
    parser.add_argument("--fix", metavar="FILE", help="fix rules (JSON or .toml)")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    parser.add_argument("--output", metavar="DIR", help="folder of raw files ('-': stdout)")
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [replay] table")
    parser.set_defaults(handler=run)


def _usage(message: str) -> int:
    print(f"pyplow replay: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from pyplow.config import ConfigError, load
    from pyplow.replay import FixFileError, FixSet, load_fixes

    try:
        config = load(ReplayConfig, args.config, section="replay")
    except ConfigError as exc:
        return _usage(str(exc))
    inputs = sum((args.input is not None, args.duckdb is not None, config.source is not None))
    if inputs != 1:
        return _usage("give exactly one of --input, --duckdb or a [replay] source in --config")
    if args.output is not None and config.sink is not None:
        return _usage("give --output or a [replay] sink in --config, not both")
    if not args.dry_run and args.output is None and config.sink is None:
        return _usage("give --output DIR (or a [replay] sink), or --dry-run")
    for path in args.input or ():
        if not Path(path).exists():
            return _usage(f"input {path} does not exist")
    if args.duckdb is not None and not Path(args.duckdb).is_file():
        return _usage(f"DuckDB file {args.duckdb} does not exist")
    fix_path = args.fix or config.fix
    fixes = FixSet()
    if fix_path is not None:
        loaded = load_fixes(fix_path)
        if isinstance(loaded, FixFileError):
            return _usage(loaded.message)
        fixes = loaded
    return asyncio.run(_replay(args, config, fixes))


async def _replay(args: argparse.Namespace, config: ReplayConfig, fixes: Any) -> int:
    from pyplow.replay import Replayer, open_bad_row_source, run_replay
    from pyplow.streams import Framing, Sink, StreamError
    from pyplow.streams.settings import FileSinkSettings, StdoutSinkSettings, build_sink

    sink: Sink | None = None
    try:
        source = await open_bad_row_source(
            paths=args.input or (), duckdb=args.duckdb, settings=config.source
        )
    except (StreamError, OSError) as exc:
        print(f"pyplow replay: cannot open the bad rows: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # DuckDB reports a missing table with its own error types
        print(f"pyplow replay: cannot read the bad rows: {exc}", file=sys.stderr)
        return 1
    try:
        if not args.dry_run:
            settings = config.sink
            if args.output == "-":
                settings = StdoutSinkSettings()
            elif args.output is not None:
                settings = FileSinkSettings(path=args.output)
            assert settings is not None
            sink = await build_sink(settings, framing=Framing.BASE64, name="replay")
        report = await run_replay(
            source,
            sink,
            Replayer(fixes),
            batch_records=config.batch_records,
            idle_seconds=config.idle_seconds,
        )
    except (StreamError, OSError) as exc:
        print(f"pyplow replay: {exc}", file=sys.stderr)
        return 1
    finally:
        await source.close()
        if sink is not None:
            await sink.close()
    print(("dry run: " if args.dry_run else "") + report.render(), file=sys.stderr)
    return 0
