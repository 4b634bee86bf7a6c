"""Data models and dashboard queries over synthetic web traffic in DuckDB.

Run: ``python benchmarks/models.py [--sizes 1000000,10000000] [--repeat 20]``. For each size,
builds ``atomic.events`` as the DuckDB loader lays it out (the table is created by loading two
real events, so the types are the loader's), fills it with synthetic sessions by SQL — 25
events a session (5 page views, each followed by 4 page pings), 3 sessions a visitor, spread
over 30 days, with web page and UA parser entities, referrers, campaigns and countries — then
prints:

- the time of a full ``run_models`` and of an incremental run right after it (the lookback
  window only);
- the p50/p95 of every dashboard query (a 30-day range: everything) next to the p50/p95 of a
  plain ``SELECT event_name, COUNT(*) ... GROUP BY`` over the same table in the same run,
  and their ratio.

Target (issue #8): every dashboard query p95 < 200 ms at 10M events.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.analytics.models.dataset import first_batch, load

from pyplow.analytics.dashboard import QUERIES, Range, Schemas
from pyplow.analytics.models import DuckDBDatabase, run_models
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

START = datetime(2024, 1, 1)
PLAIN = "select event_name, count(*) from atomic.events group by event_name"
DAYS = 30

_FILL = """
insert into atomic.events by name
with base as (
  select i,
    i // 25 as session,
    i // 75 as visitor,
    (i % 25) // 5 as page_number,
    i % 5 as step
  from range({n}) t(i)
),
timed as (
  select *,
    timestamp '{start}' + to_microseconds(
      cast(session * ({seconds} / ({n} // 25 + 1)) * 1000000 as bigint)
    ) + to_seconds(cast(page_number * 50 + step * 10 as bigint)) as ts
  from base
)
select
  printf('%08x-0000-4000-8000-%012x', i // 4294967296, i % 4294967296) as event_id,
  'shop' as app_id,
  'web' as platform,
  ts as collector_tstamp,
  ts as dvce_created_tstamp,
  ts as derived_tstamp,
  ts as etl_tstamp,
  ts + interval 2 second as load_tstamp,
  case when step = 0 then 'page_view' else 'page_ping' end as event,
  'com.snowplowanalytics.snowplow' as event_vendor,
  case when step = 0 then 'page_view' else 'page_ping' end as event_name,
  'jsonschema' as event_format,
  '1-0-0' as event_version,
  'ssc-3.0.0' as v_collector,
  'pyplow-bench' as v_etl,
  printf('%016x', visitor) as domain_userid,
  printf('%016x', session) as domain_sessionid,
  cast(session % 3 + 1 as integer) as domain_sessionidx,
  case when visitor % 4 = 0 then 'user-' || visitor end as user_id,
  'https://shop.test/p/' || ((session * 7 + page_number * 13) % 50) as page_url,
  'shop.test' as page_urlhost,
  '/p/' || ((session * 7 + page_number * 13) % 50) as page_urlpath,
  'Page ' || ((session * 7 + page_number * 13) % 50) as page_title,
  case when page_number = 0 then
    (['www.google.com', 'm.facebook.com', 'news.example', null])[session % 4 + 1] end
    as refr_urlhost,
  case when page_number = 0 then (['search', 'social', 'unknown', null])[session % 4 + 1]
    else 'internal' end as refr_medium,
  case when page_number = 0 and session % 10 = 0 then 'cpc' end as mkt_medium,
  case when page_number = 0 and session % 10 = 0 then 'google' end as mkt_source,
  case when page_number = 0 and session % 10 = 0 then 'winter-' || (session % 5) end
    as mkt_campaign,
  (['US', 'GB', 'FR', 'DE', 'JP', 'BR', 'IN', 'NL'])[visitor % 8 + 1] as geo_country,
  (['Springfield', 'London', 'Paris', 'Berlin', 'Tokyo', 'Recife', 'Pune', 'Delft'])
    [visitor % 8 + 1] as geo_city,
  'Mozilla/5.0 bench' as useragent,
  cast(1280 as integer) as br_viewwidth,
  cast(800 as integer) as br_viewheight,
  cast(1280 as integer) as doc_width,
  cast(3000 as integer) as doc_height,
  case when step > 0 then cast(0 as integer) end as pp_xoffset_min,
  case when step > 0 then cast(0 as integer) end as pp_xoffset_max,
  case when step > 0 then cast(0 as integer) end as pp_yoffset_min,
  case when step > 0 then cast(step * 400 as integer) end as pp_yoffset_max,
  [struct_pack(_schema_version := '1-0-0',
    id := printf('%08x-0000-4000-9000-%012x', session, page_number))]
    as contexts_com_snowplowanalytics_snowplow_web_page_1,
  [struct_pack(
    _schema_version := '1-0-0',
    device_family := (['Mac', 'iPhone', 'Other'])[visitor % 3 + 1],
    os_family := (['Mac OS X', 'iOS', 'Windows'])[visitor % 3 + 1],
    os_major := null, os_minor := null, os_patch := null, os_patch_minor := null,
    os_version := null,
    useragent_family := (['Chrome', 'Mobile Safari', 'Firefox'])[visitor % 3 + 1],
    useragent_major := null, useragent_minor := null, useragent_patch := null,
    useragent_version := null)] as contexts_com_snowplowanalytics_snowplow_ua_parser_context_1
from timed
"""


def build(path: Path, n: int) -> DuckDBDatabase:
    loader = DuckDBLoader(DuckDBConfig(path=str(path)), Resolver([builtin_repository()]))
    load(
        loader, first_batch()[:2]
    )  # creates the tables and entity columns as the loader types them
    con = loader.connection
    con.execute("delete from atomic.events")
    con.execute(_FILL.format(n=n, start=START.isoformat(sep=" "), seconds=DAYS * 86400))
    loader.close()
    return DuckDBDatabase(str(path))


def timings(run: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        out.append(time.perf_counter() - started)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    everything = Range(START, START + timedelta(days=DAYS + 1))
    now = START + timedelta(days=DAYS)
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            db = build(Path(tmp) / "bench.duckdb", n)
            print(f"\n{n:,} events ({time.perf_counter() - started:.1f} s to generate)")
            full = run_models(db)
            print(
                f"  model run, full:        {full.seconds:7.2f} s  "
                f"({full.page_views:,} page views, {full.sessions:,} sessions, "
                f"{full.users:,} users)"
            )
            incremental = run_models(db)
            print(
                f"  model run, incremental: {incremental.seconds:7.2f} s  "
                f"({incremental.sessions:,} sessions in the lookback window)"
            )
            baseline = timings(lambda d=db: d.query(PLAIN), args.repeat)  # type: ignore[misc]
            base95 = p(baseline, 95)
            print(f"  {'query':<12} {'p50 ms':>8} {'p95 ms':>8}  p95 / COUNT(*) GROUP BY p95")
            print(f"  {'(baseline)':<12} {p(baseline, 50):8.1f} {base95:8.1f}")
            worst = 0.0
            for name, query in QUERIES.items():
                cursor = db.cursor()
                times = timings(
                    lambda q=query, c=cursor: q(c, Schemas(), everything, now), args.repeat
                )  # type: ignore[misc]
                cursor.close()
                p95 = p(times, 95)
                worst = max(worst, p95)
                print(f"  {name:<12} {p(times, 50):8.1f} {p95:8.1f}  {p95 / base95:6.2f}x")
            verdict = "met" if worst < 200 else "NOT met"
            print(f"  slowest dashboard p95: {worst:.1f} ms (target < 200 ms: {verdict})")
            db.close()


if __name__ == "__main__":
    main()
