"""Loaders against the plain tools, over the same enriched TSV file.

Run: ``python benchmarks/loaders.py [rows] [--only duckdb,postgres,parquet]`` (default 1,000,000
rows; PostgreSQL at ``PYPLOW_BENCH_DSN``, default the local ``test`` database). Writes page
views with a ``web_page`` and a ``ua_parser_context`` entity as one enriched TSV file, then
times, in one run and on the same file:

- ``pyplow load --target postgres`` (atomic.events + one shredded table per entity) against
  ``psql \\copy`` of the file into a plain table of 131 text columns;
- ``pyplow load --target duckdb`` (typed atomic.events with wide-row columns) against DuckDB's
  ``read_csv`` of the file into a table;
- ``pyplow load --target parquet`` (partitioned, wide rows) against pyarrow reading the file
  and writing it as one Parquet file.

Each pyplow run is the real command, so process start-up, TSV decoding, deduplication and
schema typing are all inside its time (every target takes the columnar bulk path of
``pyplow.loaders.bulk``). Prints rows/s for each and the ratio pyplow/baseline. Target:
ratio ≥ 0.8 for each.

``--ceiling`` adds, for PostgreSQL, the time ``psql \\copy`` takes to load pyplow's own final
tables (``events`` and the shredded tables, exported after pyplow's load, into empty copies
with the same columns and keys), one after the other as one transaction per batch must: what
a loader of that layout cannot go below, whatever it does before COPY.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyplow.event import FIELD_COUNT, Contexts, EnrichedEvent, Entity, encode_tsv

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
UA = "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0"
BASE = datetime(2026, 11, 1, tzinfo=UTC)
DSN = os.environ.get("PYPLOW_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def page_view(n: int) -> EnrichedEvent:
    at = BASE + timedelta(seconds=n * 0.5)
    return EnrichedEvent(
        app_id="shop",
        platform="web",
        etl_tstamp=at + timedelta(milliseconds=40),
        collector_tstamp=at,
        dvce_created_tstamp=at - timedelta(milliseconds=120),
        event="page_view",
        event_id=str(uuid.UUID(int=n + 1)),
        name_tracker="sp",
        v_tracker="js-3.24.0",
        v_collector="ssc-3.2.0-stdout",
        v_etl="pyplow-0.1.0",
        user_ipaddress="203.0.113.0",
        domain_userid=str(uuid.UUID(int=(n % 5000) + 7)),
        domain_sessionidx=1 + n % 9,
        network_userid=str(uuid.UUID(int=(n % 5000) + 9000)),
        geo_country="FR",
        geo_city="Paris",
        page_url=f"https://shop.example.com/p/{n % 800}?utm_source=news",
        page_title=f"Product {n % 800}",
        page_urlscheme="https",
        page_urlhost="shop.example.com",
        page_urlport=443,
        page_urlpath=f"/p/{n % 800}",
        page_urlquery="utm_source=news",
        mkt_source="news",
        useragent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36",
        br_lang="fr-FR",
        br_cookies=True,
        br_viewwidth=1280,
        br_viewheight=720,
        os_timezone="Europe/Paris",
        dvce_screenwidth=1920,
        dvce_screenheight=1080,
        doc_charset="UTF-8",
        contexts=Contexts(
            data=(
                Entity(WEB_PAGE, {"id": str(uuid.UUID(int=10**9 + n))}),
                Entity(
                    UA,
                    {
                        "useragentFamily": "Chrome",
                        "useragentMajor": "120",
                        "useragentMinor": "0",
                        "useragentPatch": None,
                        "useragentVersion": "Chrome 120.0",
                        "osFamily": "Linux",
                        "osMajor": None,
                        "osMinor": None,
                        "osPatch": None,
                        "osPatchMinor": None,
                        "osVersion": "Linux",
                        "deviceFamily": "Other",
                    },
                ),
            )
        ),
        derived_tstamp=at - timedelta(milliseconds=80),
        event_vendor="com.snowplowanalytics.snowplow",
        event_name="page_view",
        event_format="jsonschema",
        event_version="1-0-0",
        event_fingerprint=f"{n:032x}",
    )


def write_rows(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            out.write(encode_tsv(page_view(n)))
            out.write("\n")


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def pyplow_load(target: str, folder: Path, *options: str) -> None:
    subprocess.run(
        [
            *(sys.executable, "-m", "pyplow.cli", "load", "--no-progress"),
            *("--target", target, "--input", str(folder), *options),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def psql(dsn: str, command: str) -> None:
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c", command],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _final_tables_copy(dsn: str, work: Path) -> float:
    """Seconds ``psql \\copy`` takes to load pyplow's final tables into empty copies."""
    listing = subprocess.run(
        ["psql", "-At", dsn, "-c", "select table_name from information_schema.tables "
         "where table_schema = 'atomic' and table_type = 'BASE TABLE'"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    tables = [t for t in listing.stdout.split() if t != "bad_rows"]
    psql(dsn, "create schema ceiling")
    for table in tables:
        psql(dsn, f"\\copy atomic.\"{table}\" to '{work / table}.txt'")
        psql(dsn, f'create table ceiling."{table}" (like atomic."{table}" including all)')
    started = time.perf_counter()
    for table in tables:
        psql(dsn, f"\\copy ceiling.\"{table}\" from '{work / table}.txt'")
    seconds = time.perf_counter() - started
    for table in tables:
        (work / f"{table}.txt").unlink()
    return seconds


def bench_postgres(
    folder: Path, tsv: Path, work: Path, ceiling: bool
) -> tuple[float, float, float | None]:
    admin = DSN
    database = f"pyplow_bench_{os.getpid()}"
    bench_dsn = DSN.rsplit("/", 1)[0] + "/" + database
    psql(admin, f"create database {database}")
    final: float | None = None
    try:
        mine = timed(lambda: pyplow_load("postgres", folder, "--dsn", bench_dsn))
        if ceiling:
            final = _final_tables_copy(bench_dsn, work)
        columns = ", ".join(f"c{i} text" for i in range(FIELD_COUNT))
        psql(bench_dsn, f"create table plain ({columns})")
        # text format: the enriched TSV uses no backslash escapes, so make them literal
        baseline = timed(
            lambda: psql(
                bench_dsn,
                f"\\copy plain from '{tsv}' with (format text, null '', delimiter E'\\t')",
            )
        )
    finally:
        psql(admin, f"drop database if exists {database} with (force)")
    return mine, baseline, final


def bench_duckdb(folder: Path, tsv: Path, work: Path) -> tuple[float, float]:
    import duckdb

    mine = timed(lambda: pyplow_load("duckdb", folder, "--path", str(work / "pyplow.duckdb")))

    def plain() -> None:
        con = duckdb.connect(str(work / "plain.duckdb"))
        con.execute(
            "create table plain as select * from read_csv(?, delim='\t', header=false, "
            "quote='', escape='', null_padding=true)",
            [str(tsv)],
        )
        con.close()

    return mine, timed(plain)


def bench_parquet(folder: Path, tsv: Path, work: Path) -> tuple[float, float]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    mine = timed(lambda: pyplow_load("parquet", folder, "--path", str(work / "pyplow-parquet")))

    def plain() -> None:
        table = pacsv.read_csv(
            tsv,
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(FIELD_COUNT)]),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        )
        pq.write_table(table, work / "plain.parquet")

    return mine, timed(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--only", default="postgres,duckdb,parquet")
    parser.add_argument("--ceiling", action="store_true", help="also PostgreSQL's ceiling")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pyplow-bench-loaders-"))
    try:
        folder = work / "enriched"
        folder.mkdir()
        tsv = folder / "events.tsv"
        started = time.perf_counter()
        write_rows(tsv, args.rows)
        size = tsv.stat().st_size / 2**20
        print(
            f"{args.rows:,} enriched rows, {size:.0f} MiB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        print(f"{'target':10} {'pyplow rows/s':>14} {'baseline rows/s':>16} {'ratio':>7}  baseline")
        names = {
            "postgres": "psql \\copy into a plain text table",
            "duckdb": "DuckDB read_csv into a table",
            "parquet": "pyarrow read_csv + write_table",
        }
        for target in args.only.split(","):
            if target == "postgres":
                if shutil.which("psql") is None:
                    print("postgres   skipped: psql is not installed")
                    continue
                mine, baseline, final = bench_postgres(folder, tsv, work, args.ceiling)
                if final is not None:
                    print(
                        f"{'ceiling':10} {args.rows / final:14,.0f} {args.rows / baseline:16,.0f} "
                        f"{baseline / final:7.2f}  psql \\copy of pyplow's final tables"
                    )
            elif target == "duckdb":
                mine, baseline = bench_duckdb(folder, tsv, work)
            elif target == "parquet":
                mine, baseline = bench_parquet(folder, tsv, work)
            else:
                raise SystemExit(f"unknown target {target!r}")
            print(
                f"{target:10} {args.rows / mine:14,.0f} {args.rows / baseline:16,.0f} "
                f"{baseline / mine:7.2f}  {names[target]}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
