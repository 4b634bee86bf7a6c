"""ParquetLoader on S3 (s3fs) against moto's S3 server on loopback, including an outage."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, TransientLoadError
from pyplow.loaders.parquet import ParquetConfig, ParquetLoader, arrowio

boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")
duckdb = pytest.importorskip("duckdb")
ds = pytest.importorskip("pyarrow.dataset")

MakeEvent = Callable[..., EnrichedEvent]
BUCKET = "lake"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoS3:
    """moto's S3 server on 127.0.0.1, stoppable and restartable on the same port (its data
    lives in the process, so it survives a restart)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server: Any = None

    def start(self) -> None:
        self._server = moto_server.ThreadedMotoServer(
            ip_address="127.0.0.1", port=self.port, verbose=False
        )
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def options(self) -> dict[str, Any]:
        return {
            "key": "testing",
            "secret": "testing",
            "endpoint_url": self.endpoint,
            "client_kwargs": {"region_name": "us-east-1"},
            "config_kwargs": {
                "retries": {"max_attempts": 1},
                "connect_timeout": 1,
                "read_timeout": 5,
            },
            "skip_instance_cache": True,
        }


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoS3]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    server = MotoS3()
    server.start()
    # moto keeps its data in the process: start each test from an empty S3
    reset = urllib.request.Request(f"{server.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


def _loader(s3: MotoS3, spool: Path, resolver: Resolver, **options: Any) -> ParquetLoader:
    config = ParquetConfig(
        path=f"s3://{BUCKET}/events",
        storage_options=s3.options(),
        spool_dir=str(spool),
        **options,
    )
    return ParquetLoader(config, resolver=resolver)


def _fs(s3: MotoS3) -> Any:
    return s3fs.S3FileSystem(**s3.options())


def test_load_to_s3_and_read_back(
    s3: MotoS3, tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    loader = _loader(s3, tmp_path / "spool", resolver)
    assert loader.target.object_store
    loader.load(LoadBatch(events=[make_event(n) for n in range(4)], bad_rows=[b'{"x": 1}']))
    loader.close()
    fs = _fs(s3)
    (key,) = fs.glob(f"{BUCKET}/events/date=*/hour=*/*.parquet")
    assert key.startswith(f"{BUCKET}/events/date=2024-05-01/hour=10/part-")
    assert len(fs.glob(f"{BUCKET}/events/_bad_rows/date=*/hour=*/*.parquet")) == 1
    assert not list((tmp_path / "spool" / "scratch").iterdir())

    table = ds.dataset(f"{BUCKET}/events", filesystem=fs, partitioning="hive").to_table()
    assert sorted(table.column("domain_sessionidx").to_pylist()) == [0, 1, 2, 3]
    assert set(map(str, table.column("date").to_pylist())) == {"2024-05-01"}

    db = duckdb.connect()
    db.register_filesystem(fs)
    rows = db.sql(
        f"SELECT hour, count(*) FROM read_parquet('s3://{BUCKET}/events/date=*/hour=*/*.parquet',"
        " hive_partitioning=true, union_by_name=true) GROUP BY hour"
    ).fetchall()
    assert rows == [(10, 4)]


def test_s3_outage_mid_load_then_retry_stores_every_row_once(
    s3: MotoS3,
    tmp_path: Path,
    resolver: Resolver,
    make_event: MakeEvent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loader = _loader(s3, tmp_path / "spool", resolver, max_file_seconds=0)
    batches = [LoadBatch(events=[make_event(n) for n in range(k, k + 5)]) for k in (0, 5, 10)]
    assert loader.load(batches[0]).loaded == 5

    # S3 goes away while the second batch's file is being written (after it is staged)
    real_write = arrowio.write_parquet

    def write_then_outage(table: Any, sink: Any, config: Any) -> None:
        real_write(table, sink, config)
        s3.stop()

    monkeypatch.setattr(arrowio, "write_parquet", write_then_outage)
    assert loader.load(batches[1]).loaded == 5  # durable in the spool; the upload failed
    monkeypatch.setattr(arrowio, "write_parquet", real_write)
    with pytest.raises(TransientLoadError, match="Could not connect"):
        loader.load(batches[2])  # S3 still down: nothing of this batch is taken

    s3.start()
    fs = _fs(s3)
    assert len(fs.glob(f"{BUCKET}/events/date=*/hour=*/*.parquet")) == 1  # nothing half-visible
    assert loader.load(batches[2]).loaded == 5  # the runner's retry
    # a redelivery of a batch that was acknowledged anyway changes nothing
    assert loader.load(batches[1]).duplicates_skipped == 5
    loader.close()

    fs.invalidate_cache()
    keys = fs.glob(f"{BUCKET}/events/date=*/hour=*/*.parquet")
    assert len(keys) == 3
    table = ds.dataset(keys, filesystem=fs, format="parquet").to_table()
    ids = table.column("event_id").to_pylist()
    assert len(ids) == len(set(ids)) == 15
    assert sorted(table.column("domain_sessionidx").to_pylist()) == list(range(15))
