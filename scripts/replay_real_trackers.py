"""Replay the captured real-tracker traffic against pyplow's collector and check each record.

Reads ``../shared/fixtures/real-trackers/*.jsonl`` beside the repository when it exists (it is
not part of the repository); exits 0 with a message when it does not. Every captured request is
sent, as recorded (method, target, headers, body), to a collector with in-memory sinks through
its ASGI app. Each non-OPTIONS request must be answered 200 and give exactly one raw record
whose fields match the request: path, raw query, body, user agent, referer, lower-cased content
type, host, the network user id of the ``sp`` cookie (or the all-zero id for ``SP-Anonymous``),
and every header. OPTIONS preflights must get the CORS answer and no record.

Exit status 1 when anything does not match.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from pyplow.collector.asgi import CollectorApp
from pyplow.collector.config import BufferSettings, CollectorConfig
from pyplow.collector.cookies import ANONYMOUS_NUID, parse_cookie_header
from pyplow.collector.service import Collector
from pyplow.protocol import CollectorPayload, decode_collector_payload
from pyplow.streams import MemoryStream

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT.parent / "shared" / "fixtures" / "real-trackers"


def _expected_nuid(headers: dict[str, str]) -> str | None:
    if "sp-anonymous" in headers:
        return ANONYMOUS_NUID
    return parse_cookie_header(headers.get("cookie")).get("sp")


def _problems(line: dict[str, Any], record: CollectorPayload) -> list[str]:
    headers = {k.lower(): v for k, v in line["headers"]}
    body = base64.b64decode(line["body_b64"]).decode() if line["body_b64"] else None
    content_type = headers.get("content-type")
    expected: dict[str, Any] = {
        "path": line["path"],
        "querystring": line["query"] or None,
        "body": body if line["method"] == "POST" else None,
        "user_agent": headers.get("user-agent"),
        "referer_uri": headers.get("referer"),
        "content_type": content_type.lower() if content_type and line["method"] == "POST" else None,
        "hostname": headers["host"].rsplit(":", 1)[0],
    }
    nuid = _expected_nuid(headers)
    if nuid is not None:
        expected["network_user_id"] = nuid
    problems = [
        f"{field}: {getattr(record, field)!r} != {value!r}"
        for field, value in expected.items()
        if getattr(record, field) != value
    ]
    recorded = {h.split(": ", 1)[0].lower() for h in record.headers or () if ": " in h}
    dropped = {"cookie", "x-forwarded-for", "x-real-ip"} if "sp-anonymous" in headers else set()
    missing = set(headers) - recorded - dropped - {"content-length"}
    if missing:
        problems.append(f"headers not recorded: {sorted(missing)}")
    return problems


async def replay(path: Path) -> int:
    good = MemoryStream(capacity=10_000)
    collector = Collector(
        CollectorConfig(buffer=BufferSettings(flush_interval_seconds=0.01)),
        good.sink(),
        MemoryStream().sink(),
    )
    await collector.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=CollectorApp(collector), client=("127.0.0.1", 40000)),
        base_url="http://collector",
    )
    lines = [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines()]
    problems = 0
    tracked = []
    for line in lines:
        headers = [(k, v) for k, v in line["headers"] if k.lower() != "content-length"]
        body = base64.b64decode(line["body_b64"]) if line["body_b64"] else None
        response = await client.request(
            line["method"], line["target"], headers=headers, content=body
        )
        if line["method"] == "OPTIONS":
            if response.headers.get("access-control-allow-headers") != "Content-Type, SP-Anonymous":
                problems += 1
                print(f"  {path.name} seq {line['seq']}: preflight answered {response.headers}")
            continue
        if response.status_code != 200:
            problems += 1
            print(f"  {path.name} seq {line['seq']}: status {response.status_code}")
        tracked.append(line)
    await collector.stop()
    records = []
    source = good.source()
    while (batch := await source.next_batch(10_000, timeout=0.05)) is not None:
        records.extend(batch.records)
        await batch.ack()
    if len(records) != len(tracked):
        problems += 1
        print(f"  {path.name}: {len(records)} records for {len(tracked)} requests")
    for line, record in zip(tracked, records, strict=False):
        payload = decode_collector_payload(record)
        if not isinstance(payload, CollectorPayload):
            problems += 1
            print(f"  {path.name} seq {line['seq']}: {payload}")
            continue
        for problem in _problems(line, payload):
            problems += 1
            print(f"  {path.name} seq {line['seq']}: {problem}")
    print(f"{path.name}: {len(lines)} requests, {len(records)} records, {problems} problems")
    await client.aclose()
    return problems


def main() -> int:
    if not CAPTURES.is_dir():
        print(f"no captures at {CAPTURES}; nothing to replay")
        return 0
    total = sum(asyncio.run(replay(path)) for path in sorted(CAPTURES.glob("*.jsonl")))
    print("OK" if total == 0 else f"{total} problem(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
