"""The Parquet loader's dataset as a source: partition pruning, evolving files, fsspec."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pyplow.analytics import SourceError, TimeWindow, read_arrow
from pyplow.analytics.sources.parquet import dataset_files
from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver

from ..sdk_data import event, events, load_parquet, stamp


def test_only_overlapping_hours_are_listed(sdk_sources: dict[str, str]) -> None:
    fs = fsspec.filesystem("file")
    root = sdk_sources["parquet"]
    every = dataset_files(fs, root, TimeWindow())
    hours = sorted({p.split("/date=")[1].rsplit("/", 1)[0] for p in every})
    assert hours == [
        "2024-03-01/hour=22",
        "2024-03-01/hour=23",
        "2024-03-02/hour=00",
        "2024-03-02/hour=01",
    ]
    window = TimeWindow.of(stamp(4) - timedelta(minutes=1), stamp(5))  # 23:12 to 23:30
    chosen = dataset_files(fs, root, window)
    assert [p.split("/date=")[1].rsplit("/", 1)[0] for p in chosen] == ["2024-03-01/hour=23"]
    assert all("_spool" not in p and "_bad_rows" not in p for p in every)


def test_rows_within_the_window(sdk_sources: dict[str, str]) -> None:
    table = read_arrow(sdk_sources["parquet"], stamp(4), stamp(6))
    assert table.column("event_id").to_pylist() == [event(4).event_id, event(5).event_id]
    assert table.column_names[-3:] == [
        "contexts_com_acme_product_1",
        "contexts_com_snowplowanalytics_snowplow_web_page_1",
        "unstruct_event_com_snowplowanalytics_snowplow_link_click_1",
    ]
    assert "date" not in table.column_names
    assert "hour" not in table.column_names


def test_files_with_different_wide_columns_are_unioned(
    tmp_path: Path, sdk_resolver: Resolver
) -> None:
    first, later = events(2), [event(2)]  # only the later one has a link click
    load_parquet(tmp_path / "lake", first, sdk_resolver)
    load_parquet(tmp_path / "lake", later, sdk_resolver)
    table = read_arrow(tmp_path / "lake")
    assert table.num_rows == 3
    clicks = table.column("unstruct_event_com_snowplowanalytics_snowplow_link_click_1")
    assert [c and c["target_url"] for c in clicks.to_pylist()] == [
        None,
        None,
        "https://example.org/2",
    ]


def test_a_plain_folder_of_parquet_files(tmp_path: Path, sdk_events: list[EnrichedEvent]) -> None:
    table = pa.table({"event_id": ["x"], "collector_tstamp": pa.array([stamp(0)])})
    pq.write_table(table, tmp_path / "events.parquet")
    result = read_arrow(tmp_path)
    assert result.column("event_id").to_pylist() == ["x"]
    assert result.column("collector_tstamp").to_pylist() == [stamp(0)]
    assert read_arrow(tmp_path / "events.parquet", start=stamp(1)).num_rows == 0


def test_an_fsspec_dataset_with_storage_options(sdk_sources: dict[str, str]) -> None:
    local = fsspec.filesystem("file")
    memory = fsspec.filesystem("memory")
    for path in dataset_files(local, sdk_sources["parquet"], TimeWindow()):
        relative = path.split("/lake/", 1)[1]
        memory.pipe(f"/sdk-lake/{relative}", local.cat_file(path))
    try:
        table = read_arrow("memory://sdk-lake", storage_options={"skip_instance_cache": True})
    finally:
        memory.rm("/sdk-lake", recursive=True)
    assert table.num_rows == 12


def test_missing_datasets_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_arrow("memory://no-such-lake")
    with pytest.raises(SourceError, match="cannot open"):
        read_arrow("nosuchprotocol://x")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(SourceError, match="reading Parquet dataset"):
        read_arrow(tmp_path / "bad.parquet")


def test_struct_columns_that_gained_fields_are_merged(tmp_path: Path) -> None:
    hour = tmp_path / "date=2024-03-01" / "hour=22"
    hour.mkdir(parents=True)
    old = pa.struct([("step", pa.int64())])
    new = pa.struct([("paid", pa.bool_()), ("step", pa.int64())])
    for name, kind, value, n in (
        ("a", old, {"step": 1}, 0),
        ("b", new, {"paid": True, "step": 2}, 1),
    ):
        table = pa.table(
            {
                "event_id": [event(n).event_id],
                "collector_tstamp": pa.array([stamp(n)], pa.timestamp("us", tz="UTC")),
                "unstruct_event_com_acme_checkout_1": pa.array([value], kind),
            }
        )
        pq.write_table(table, hour / f"part-{name}.parquet")
    result = read_arrow(tmp_path)
    assert result.column("unstruct_event_com_acme_checkout_1").to_pylist() == [
        {"step": 1, "paid": None},
        {"paid": True, "step": 2},
    ]


def test_a_dataset_on_s3(sdk_sources: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader's files copied to moto's S3 server on loopback, read with storage options."""
    boto3 = pytest.importorskip("boto3")
    s3fs = pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        options = {
            "key": "testing",
            "secret": "testing",
            "endpoint_url": f"http://127.0.0.1:{port}",
            "client_kwargs": {"region_name": "us-east-1"},
            "skip_instance_cache": True,
        }
        boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket="sdk-lake")
        s3 = s3fs.S3FileSystem(**options)
        local = fsspec.filesystem("file")
        for path in dataset_files(local, sdk_sources["parquet"], TimeWindow()):
            s3.put_file(path, "sdk-lake/events/" + path.split("/lake/", 1)[1])
        table = read_arrow("s3://sdk-lake/events", stamp(2), stamp(9), storage_options=options)
    finally:
        server.stop()
    assert table.column("event_id").to_pylist() == [event(n).event_id for n in range(2, 9)]
    assert table.schema == read_arrow(sdk_sources["parquet"]).schema
