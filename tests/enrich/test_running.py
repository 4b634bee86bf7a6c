"""Enrich in stream mode (memory, files, NATS) and batch mode (a folder, all cores)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pyplow.enrich.batch import enrich_folder
from pyplow.enrich.config import EnrichConfig, build_engine
from pyplow.enrich.stream import run_stream
from pyplow.event import EnrichedEvent, decode_tsv
from pyplow.protocol import CollectorPayload, encode_line
from pyplow.streams import FileSource, Framing, MemoryStream, Sink, TransientStreamError

from .test_engine import payload


def records(n: int, bad_every: int = 5) -> list[bytes]:
    out = []
    for i in range(n):
        if i % bad_every == 0:
            out.append(payload(querystring=f"e=pv&p=web&vid=oops{i}"))  # a parse error
        else:
            out.append(payload(querystring=f"e=pv&p=web&page=p{i}&url=https%3A%2F%2Fa.test%2F{i}"))
    return out


def test_stream_mode_over_memory_streams_counts_every_event() -> None:
    async def scenario() -> None:
        raw, good, bad = MemoryStream(), MemoryStream(), MemoryStream()
        await raw.sink().write(records(23))
        engine = build_engine(EnrichConfig())
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_stream(engine, raw.source(), good.sink(), bad.sink(), batch_records=5, stop=stop)
        )
        for _ in range(200):
            if len(good) + len(bad) == 23:
                break
            await asyncio.sleep(0.01)
        stop.set()
        counts = await task
        assert (counts.records, counts.events, counts.good, counts.bad) == (23, 23, 18, 5)
        assert raw.in_flight == 0  # every batch acknowledged
        rows = [decode_tsv(r.decode()) for r in good._ready]
        assert all(isinstance(r, EnrichedEvent) for r in rows)

    asyncio.run(scenario())


class Flaky(Sink):
    def __init__(self, stream: MemoryStream, failures: int) -> None:
        super().__init__()
        self.inner = stream.sink()
        self.failures = failures

    async def write(self, records: list[bytes]) -> None:  # type: ignore[override]
        if self.failures:
            self.failures -= 1
            raise TransientStreamError("down for a moment")
        await self.inner.write(records)


def test_a_failing_sink_is_retried_and_the_batch_acked_only_after() -> None:
    async def scenario() -> None:
        raw, good, bad = MemoryStream(), MemoryStream(), MemoryStream()
        await raw.sink().write(records(4, bad_every=100))
        sink = Flaky(good, failures=2)
        source = raw.source()
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_stream(build_engine(EnrichConfig()), source, sink, bad.sink(), stop=stop)
        )
        await asyncio.sleep(0.05)
        assert raw.in_flight == 4  # not acknowledged while the sink fails
        for _ in range(100):
            if len(good) == 3:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task
        assert (len(good), len(bad)) == (3, 1)  # record 0 carries a parse error
        assert raw.in_flight == 0

    asyncio.run(scenario())


def test_stream_mode_from_files_finishes_at_the_end(tmp_path: Path) -> None:
    raw = tmp_path / "raw-1.lines"
    raw.write_text("".join(encode_line(_decode(r)) + "\n" for r in records(7)) + "not base64!\n")

    async def scenario() -> None:
        good, bad = MemoryStream(), MemoryStream()
        counts = await run_stream(
            build_engine(EnrichConfig()),
            FileSource([raw], Framing.BASE64),
            good.sink(),
            bad.sink(),
        )
        assert counts.records == 8
        assert (counts.good, counts.bad) == (5, 3)  # 2 parse errors + the unreadable line
        kinds = {json.loads(r)["schema"].split("/")[1] for r in bad._ready}
        assert kinds == {"schema_violations", "collector_payload_format_violation"}

    asyncio.run(scenario())


def _decode(record: bytes) -> CollectorPayload:
    from pyplow.protocol import decode_collector_payload

    result = decode_collector_payload(record)
    assert isinstance(result, CollectorPayload)
    return result


def test_batch_mode_on_two_workers(tmp_path: Path) -> None:
    source = tmp_path / "raw"
    source.mkdir()
    for f in range(3):
        lines = [encode_line(_decode(r)) for r in records(700)]
        (source / f"raw-{f}.lines").write_text("\n".join(lines) + "\n")
    (source / "raw-9.lines.inprogress").write_text("ignored\n")
    counts = enrich_folder(source, tmp_path / "out", EnrichConfig(), workers=2, progress=False)
    assert (counts.files, counts.records, counts.events) == (3, 2100, 2100)
    assert (counts.good, counts.bad) == (1680, 420)
    tsv = list((tmp_path / "out" / "enriched").glob("*.tsv"))
    bad = list((tmp_path / "out" / "bad").glob("*.json"))
    assert sum(len(p.read_text().splitlines()) for p in tsv) == 1680
    assert sum(len(p.read_text().splitlines()) for p in bad) == 420


def test_cli_batch_mode_and_usage_errors(tmp_path: Path) -> None:
    source = tmp_path / "raw"
    source.mkdir()
    (source / "raw-1.lines").write_text(encode_line(_decode(records(2)[1])) + "\n")
    run = [sys.executable, "-m", "pyplow.cli", "enrich"]
    ok = subprocess.run(
        [
            *run,
            "--input",
            str(source),
            "--output",
            str(tmp_path / "out"),
            "--no-progress",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "1 enriched, 0 bad rows" in ok.stderr
    usage = subprocess.run([*run, "--input", str(source)], capture_output=True, text=True)
    assert usage.returncode == 2
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "anon_ip.json").write_text(
        '{"schema": "iglu:com.snowplowanalytics.snowplow/anon_ip/jsonschema/1-0-0",'
        ' "data": {"vendor": "com.snowplowanalytics.snowplow", "name": "anon_ip",'
        ' "enabled": true, "parameters": {"anonOctets": 9}}}'
    )
    bad_config = subprocess.run(
        [
            *run,
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o2"),
            "--enrichments",
            str(tmp_path / "conf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad_config.returncode == 2
    assert "anon_ip.json" in bad_config.stderr


@pytest.mark.integration
def test_two_workers_share_one_nats_consumer(require_service: object) -> None:
    require_service("NATS", "127.0.0.1", 4222)  # type: ignore[operator]
    from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource

    tag = uuid.uuid4().hex[:10]
    raw_config = NatsConfig(
        subject=f"pyplow.test.raw.{tag}", stream=f"PT_RAW_{tag}", durable="enrich"
    )

    async def scenario() -> None:
        sink = await NatsSink.connect(raw_config)
        await sink.write(records(60))
        await sink.close()
        good, bad = MemoryStream(), MemoryStream()
        engine = build_engine(EnrichConfig())
        stop = asyncio.Event()
        sources = [await NatsSource.connect(raw_config) for _ in range(2)]
        tasks = [
            asyncio.create_task(
                run_stream(engine, s, good.sink(), bad.sink(), batch_records=7, stop=stop)
            )
            for s in sources
        ]
        for _ in range(200):
            if len(good) + len(bad) >= 60:
                break
            await asyncio.sleep(0.05)
        stop.set()
        counts = await asyncio.gather(*tasks)
        for s in sources:
            await s.close()
        assert sum(c.records for c in counts) == 60
        assert all(c.records > 0 for c in counts)  # both workers got batches
        assert (len(good), len(bad)) == (48, 12)
        import nats

        client = await nats.connect("nats://127.0.0.1:4222")
        await client.jetstream().delete_stream(raw_config.stream)
        await client.close()

    asyncio.run(scenario())
