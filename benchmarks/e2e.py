"""End to end in embedded mode: time to queryable, sustained rate, memory.

Run: ``python benchmarks/e2e.py [seconds-per-rate]``. Starts the embedded pipeline in this
process (collector → enrich → DuckDB), sends tp2 POSTs of 10 page views at fixed rates over HTTP
on loopback, and watches ``atomic.events`` through a second DuckDB connection of the same
process. Prints, per rate: events sent and loaded (loss), time from send to queryable p50/p95,
and the process RSS; and the RSS when idle. Targets: p95 ≤ 1 s at 2,000 events/s; RSS ≤ 300 MB
idle. (The sender, up to 8 requests in flight, runs in the same process and on the same 2
cores as the pipeline.)
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from pyplow.pipeline.embedded import EmbeddedSettings, duckdb_loader, run_embedded

SCHEMA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
SENDERS = 8


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def run_rate(
    client: httpx.AsyncClient, cursor: object, rate: int, seconds: float
) -> dict[str, float]:
    sent_at: dict[str, float] = {}
    seen_at: dict[str, float] = {}
    batches = int(rate * seconds / 10)
    interval = 10 / rate
    stop_watch = asyncio.Event()

    async def watch() -> None:
        while not stop_watch.is_set() or len(seen_at) < len(sent_at):
            if stop_watch.is_set() and time.monotonic() - last_send > 10:
                break  # what has not arrived 10 s after the last send counts as lost
            rows = await asyncio.to_thread(
                lambda: cursor.execute(  # type: ignore[attr-defined]
                    "select event_id from atomic.events where app_id = ?", [f"e2e-{rate}"]
                ).fetchall()
            )
            now = time.monotonic()
            for (event_id,) in rows:
                seen_at.setdefault(event_id, now)
            await asyncio.sleep(0.05)

    last_send = time.monotonic()
    watcher = asyncio.create_task(watch())
    start = time.monotonic()
    peak_rss = rss_mb()
    posts: list[asyncio.Task[httpx.Response]] = []
    in_flight = asyncio.Semaphore(SENDERS)
    for n in range(batches):
        ids = [str(uuid.uuid4()) for _ in range(10)]
        body = {
            "schema": SCHEMA,
            "data": [
                {
                    "e": "pv",
                    "p": "web",
                    "tv": "e2e",
                    "aid": f"e2e-{rate}",
                    "eid": i,
                    "url": "https://shop.acme.test/p",
                }
                for i in ids
            ],
        }
        now = time.monotonic()
        for i in ids:
            sent_at[i] = now
        # Like a few trackers at once: up to SENDERS requests in flight.
        await in_flight.acquire()
        post = asyncio.create_task(
            client.post(
                "/com.snowplowanalytics.snowplow/tp2",
                content=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
        )
        post.add_done_callback(lambda _: in_flight.release())
        posts.append(post)
        last_send = time.monotonic()
        delay = start + (n + 1) * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if n % 50 == 0:
            peak_rss = max(peak_rss, rss_mb())
    answers = await asyncio.gather(*posts, return_exceptions=True)
    achieved = len(sent_at) / (time.monotonic() - start)
    refused = sum(1 for r in answers if not isinstance(r, httpx.Response) or r.status_code != 200)
    if refused:
        print(f"  {refused} of {len(answers)} POSTs at {rate}/s were not answered 200")
    stop_watch.set()
    await watcher
    latencies = sorted(seen_at[i] - sent_at[i] for i in seen_at if i in sent_at)
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [float("nan")] * 19
    return {
        "rate": rate,
        "achieved": achieved,
        "sent": len(sent_at),
        "loaded": len(seen_at),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": q[18],
        "rss": peak_rss,
    }


async def main(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        loader = duckdb_loader(data)
        cursor = loader.connection.cursor()  # type: ignore[attr-defined]
        stop = asyncio.Event()
        urls: list[str] = []
        settings = EmbeddedSettings(port=free_port(), data_dir=str(data))
        task = asyncio.create_task(
            run_embedded(settings, stop=stop, loader=loader, ready=urls.append)
        )
        while not urls:
            await asyncio.sleep(0.05)
        await asyncio.sleep(2)
        idle = rss_mb()
        async with httpx.AsyncClient(base_url=urls[0], timeout=30) as client:
            results = [
                await run_rate(client, cursor, rate, seconds) for rate in (500, 1000, 2000, 4000)
            ]
        stop.set()
        await task
    print(f"embedded pipeline, {seconds:.0f} s per rate, batches of 10 events per POST")
    print(f"RSS idle: {idle:.0f} MB")
    print(
        f"{'target/s':>9} {'achieved/s':>11} {'sent':>7} {'loaded':>7} {'p50 s':>7} "
        f"{'p95 s':>7} {'RSS MB':>7}"
    )
    for r in results:
        print(
            f"{r['rate']:>9.0f} {r['achieved']:>11.0f} {r['sent']:>7.0f} {r['loaded']:>7.0f} "
            f"{r['p50']:>7.2f} {r['p95']:>7.2f} {r['rss']:>7.0f}"
        )


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0))
