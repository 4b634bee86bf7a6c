"""``pyplow export``: events of a DuckDB, PostgreSQL, Parquet or TSV source into one CSV or
Parquet file, for BI tools and spreadsheets (see ``pyplow.analytics.export``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, cast

_FORMATS = ("csv", "parquet")
_KINDS = ("duckdb", "postgres", "parquet", "tsv")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write events from DuckDB, PostgreSQL, Parquet or TSV to a CSV or Parquet file",
        description=(
            "Read the events of a source in [--start, --end) of collector_tstamp and write "
            "them to one CSV or Parquet file. Exit status: 0 written, 1 reading or writing "
            "failed, 2 bad usage."
        ),
    )
    parser.add_argument(
        "--source",
        required=True,
        metavar="SOURCE",
        help="a DuckDB file (*.duckdb, duckdb:///path), a postgresql:// DSN, a Parquet "
        "dataset (folder or fsspec URL) or enriched TSV (file or folder)",
    )
    parser.add_argument(
        "--format",
        choices=_FORMATS,
        help="output format (default: from the --output suffix)",
    )
    parser.add_argument(
        "--output", required=True, metavar="PATH", help="file to write ('-': CSV to stdout)"
    )
    parser.add_argument("--start", metavar="TIME", help="first collector_tstamp (ISO-8601, UTC)")
    parser.add_argument("--end", metavar="TIME", help="collector_tstamp before this (ISO-8601)")
    parser.add_argument(
        "--columns", metavar="A,B,…", help="comma-separated columns to write (default: all)"
    )
    parser.add_argument("--kind", choices=_KINDS, help="the kind of source, when not guessed")
    parser.add_argument("--schema", default="atomic", help="DuckDB/PostgreSQL schema (atomic)")
    parser.add_argument("--table", default="events", help="DuckDB/PostgreSQL table (events)")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="skip TSV lines that are not valid events"
    )
    parser.set_defaults(handler=run)


def _format(args: argparse.Namespace) -> str | None:
    if args.format is not None:
        return str(args.format)
    suffix = str(args.output).lower().rsplit(".", 1)[-1]
    return suffix if suffix in _FORMATS else None


def run(args: argparse.Namespace) -> int:
    from pyplow.analytics.columns import Selection
    from pyplow.analytics.export import ExportFormat, export_events
    from pyplow.analytics.sources import SourceError, SourceKind, detect
    from pyplow.analytics.window import TimeWindow

    fmt = _format(args)
    if fmt is None:
        print(
            f"pyplow export: cannot tell the format of {args.output!r}; "
            "give --format csv or --format parquet",
            file=sys.stderr,
        )
        return 2
    columns = None
    if args.columns is not None:
        columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    kind = cast("SourceKind | None", args.kind)
    try:  # usage first: nothing is read before the arguments are known to make sense
        TimeWindow.of(args.start, args.end)
        Selection.of(columns)
        detect(args.source, kind)
        if args.output == "-" and fmt != "csv":
            raise ValueError("only CSV can be written to standard output")
    except ValueError as exc:
        print(f"pyplow export: {exc}", file=sys.stderr)
        return 2
    try:
        count = export_events(
            args.source,
            args.output,
            cast(ExportFormat, fmt),
            args.start,
            args.end,
            columns=columns,
            kind=kind,
            schema=args.schema,
            table=args.table,
            on_error="skip" if args.skip_invalid else "raise",
        )
    except (SourceError, OSError, ValueError, ImportError) as exc:
        print(f"pyplow export: {exc}", file=sys.stderr)
        return 1
    where = "standard output" if args.output == "-" else args.output
    print(f"pyplow export: {count} events written to {where} ({fmt})", file=sys.stderr)
    return 0
