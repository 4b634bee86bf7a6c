"""ParquetLoader on the local filesystem: layout, read-back, dedup, rolling, crash recovery."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, LoadResult
from pyplow.loaders.dedup import DUPLICATE_SCHEMA
from pyplow.loaders.parquet import ParquetConfig, ParquetLoader
from pyplow.loaders.parquet.spool import Spool
from pyplow.loaders.parquet.target import Target

MakeEvent = Callable[..., EnrichedEvent]
T0 = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
NOW = datetime(2024, 5, 2, 8, 15, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def loader_for(
    root: Path, resolver: Resolver, clock: Clock | None = None, **options: Any
) -> ParquetLoader:
    config = ParquetConfig(path=str(root), **options)
    return ParquetLoader(config, resolver=resolver, clock=clock or Clock())


def parquet_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.parquet") if "_bad_rows" not in p.parts)


def query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    source = (
        f"read_parquet('{root}/date=*/hour=*/*.parquet', hive_partitioning=true, "
        "union_by_name=true)"
    )
    return duckdb.sql(sql.replace("EVENTS", source)).fetchall()


def unified(root: Path) -> pa.Table:
    files = ds.dataset(str(root), partitioning="hive", format="parquet")
    schemas = [fragment.physical_schema for fragment in files.get_fragments()]
    schema = pa.unify_schemas([*schemas, files.partitioning.schema], promote_options="permissive")
    return ds.dataset(str(root), schema=schema, partitioning="hive").to_table()


def test_rows_are_partitioned_typed_and_read_back(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver)
    events = [make_event(n, tstamp=T0 + timedelta(minutes=30 * n)) for n in range(5)]
    result = loader.load(LoadBatch(events=events))
    assert result == LoadResult(loaded=5)
    assert parquet_files(root) == []  # spooled, not yet rolled (max_file_seconds=300)
    loader.close()

    files = parquet_files(root)
    assert [f.relative_to(root).parent.as_posix() for f in files] == [
        "date=2024-05-01/hour=10",
        "date=2024-05-01/hour=11",
        "date=2024-05-01/hour=12",
    ]
    assert all(f.name.startswith("part-") and len(f.stem) == 41 for f in files)
    rows = query(
        root,
        "SELECT date, hour, event_id, domain_sessionidx, br_cookies, collector_tstamp, "
        "load_tstamp, contexts_com_acme_checkout_1[1].step, "
        "contexts_com_snowplowanalytics_snowplow_web_page_1[1].id FROM EVENTS ORDER BY 4",
    )
    assert [r[:5] for r in rows] == [
        (T0.date(), 10 + (30 + 30 * n) // 60, str(events[n].event_id), n, True) for n in range(5)
    ]
    assert rows[3][5] == T0 + timedelta(minutes=90)
    assert {r[6] for r in rows} == {datetime.fromtimestamp(NOW, UTC)}
    assert [r[7] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[0][8] == "00000000-0000-0000-0000-000000002710"
    types = dict(
        query(root, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM EVENTS)")
    )
    assert types["collector_tstamp"] == "TIMESTAMP WITH TIME ZONE"
    assert types["domain_sessionidx"] == "INTEGER"
    assert types["br_cookies"] == "BOOLEAN"
    assert types["contexts_com_acme_checkout_1"].startswith("STRUCT(")

    table = unified(root)
    assert table.num_rows == 5
    assert sorted(table.column("hour").to_pylist()) == [10, 11, 11, 12, 12]
    assert "_bad_rows" not in str(table.schema)


def test_schema_evolution_across_files(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver, max_file_seconds=0)
    loader.load(LoadBatch(events=[make_event(0)]))
    newer = {"step": 1, "total": None, "express": True}
    loader.load(LoadBatch(events=[make_event(1, checkout="1-0-1", checkout_data=newer)]))
    loader.load(LoadBatch(events=[make_event(2, cart={"sku": "S-1", "quantity": 3})]))
    loader.close()
    assert len(parquet_files(root)) == 3
    rows = query(
        root,
        "SELECT domain_sessionidx, contexts_com_acme_checkout_1[1]._schema_version, "
        "contexts_com_acme_checkout_1[1].express, unstruct_event_com_acme_cart_1.quantity "
        "FROM EVENTS ORDER BY 1",
    )
    assert rows == [(0, "1-0-0", None, None), (1, "1-0-1", True, None), (2, "1-0-0", None, 3)]
    table = unified(root).sort_by("domain_sessionidx")
    assert table.column("unstruct_event_com_acme_cart_1").to_pylist()[2] == {
        "quantity": 3,
        "sku": "S-1",
    }
    assert [c[0]["step"] for c in table.column("contexts_com_acme_checkout_1").to_pylist()] == [
        0,
        1,
        2,
    ]


def test_redelivered_events_are_loaded_once_and_reused_ids_flagged(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver)
    batch = LoadBatch(events=[make_event(n) for n in range(3)])
    assert loader.load(batch).loaded == 3
    again = loader.load(batch)
    assert (again.loaded, again.duplicates_skipped) == (0, 3)
    impostor = make_event(0, fingerprint="other")
    flagged_batch = LoadBatch(events=[impostor])
    flagged = loader.load(flagged_batch)
    assert (flagged.loaded, flagged.duplicates_flagged) == (1, 1)
    # redelivering the batch that held the impostor does not store it a second time
    assert loader.load(flagged_batch).duplicates_skipped == 1
    loader.close()

    # a restarted loader still remembers
    reopened = loader_for(root, resolver)
    assert reopened.load(batch).duplicates_skipped == 3
    reopened.close()

    rows = query(
        root,
        "SELECT event_id, contexts_com_snowplowanalytics_snowplow_duplicate_1 FROM EVENTS "
        "ORDER BY domain_sessionidx, event_fingerprint",
    )
    assert len(rows) == 4
    original = str(impostor.event_id)
    assert [r[0] for r in rows].count(original) == 1
    marked = [r for r in rows if r[1] is not None]
    assert len(marked) == 1
    assert marked[0][0] != original
    assert marked[0][1][0]["original_event_id"] == original
    assert DUPLICATE_SCHEMA.endswith(marked[0][1][0]["_schema_version"])


def test_dedup_index_forgets_after_retention(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    clock = Clock()
    loader = loader_for(tmp_path / "lake", resolver, clock, dedup_retention_seconds=3600)
    batch = LoadBatch(events=[make_event(0)])
    loader.load(batch)
    clock.now += 1800
    assert loader.load(batch).duplicates_skipped == 1  # refreshes the entry
    clock.now += 3000
    assert loader.load(batch).duplicates_skipped == 1
    clock.now += 3601
    assert loader.load(batch).loaded == 1
    loader.close()


def test_files_roll_by_age(tmp_path: Path, resolver: Resolver, make_event: MakeEvent) -> None:
    root = tmp_path / "lake"
    clock = Clock()
    loader = loader_for(root, resolver, clock, max_file_seconds=60)
    loader.load(LoadBatch(events=[make_event(0)]))
    clock.now += 30
    loader.load(LoadBatch(events=[make_event(1)]))
    assert loader.flush() == 0
    assert parquet_files(root) == []
    clock.now += 31
    assert loader.flush() == 1
    assert len(parquet_files(root)) == 1
    assert query(root, "SELECT count(*) FROM EVENTS") == [(2,)]
    clock.now += 1
    loader.load(LoadBatch(events=[make_event(2)]))
    assert len(parquet_files(root)) == 1
    clock.now += 60
    loader.load(LoadBatch(events=[make_event(3)]))  # the age check runs after every load
    assert len(parquet_files(root)) == 2
    loader.close()
    assert query(root, "SELECT count(*) FROM EVENTS") == [(4,)]


def test_files_roll_by_size(tmp_path: Path, resolver: Resolver, make_event: MakeEvent) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver, max_file_bytes=60_000, max_file_seconds=3600)
    for start in range(0, 1000, 100):
        loader.load(LoadBatch(events=[make_event(n) for n in range(start, start + 100)]))
    rolled = parquet_files(root)
    assert 2 <= len(rolled) < 10
    loader.close()
    assert len(parquet_files(root)) in {len(rolled), len(rolled) + 1}
    assert query(root, "SELECT count(*), count(DISTINCT event_id) FROM EVENTS") == [(1000, 1000)]


class Crash(BaseException):
    """Stands for the process dying at this point."""


@pytest.mark.parametrize("crash_at", ["publish", "finish_roll"])
def test_a_crash_during_a_roll_publishes_every_row_once(
    tmp_path: Path,
    resolver: Resolver,
    make_event: MakeEvent,
    monkeypatch: pytest.MonkeyPatch,
    crash_at: str,
) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver)
    loader.load(LoadBatch(events=[make_event(n) for n in range(4)]))
    owner = Target if crash_at == "publish" else Spool
    original = getattr(owner, crash_at)

    def crash(self: Any, *args: Any) -> Any:
        raise Crash  # at finish_roll: the files are written, the roll not yet forgotten

    monkeypatch.setattr(owner, crash_at, crash)
    with pytest.raises(Crash):
        loader.flush(force=True)
    monkeypatch.setattr(owner, crash_at, original)
    loader.spool.close()  # the process is gone

    expected_files = 1 if crash_at == "finish_roll" else 0
    assert len(parquet_files(root)) == expected_files
    restarted = loader_for(root, resolver)
    assert restarted.load(LoadBatch(events=[make_event(1)])).duplicates_skipped == 1
    restarted.close()
    assert len(parquet_files(root)) == 1
    assert query(root, "SELECT count(*), count(DISTINCT event_id) FROM EVENTS") == [(4, 4)]


def test_bad_rows_are_stored_apart(tmp_path: Path, resolver: Resolver) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver)
    rows = [
        json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow.badrows/generic_error/"
                "jsonschema/1-0-0",
                "data": {"payload": "x"},
            }
        ).encode(),
        b"\x00 not json",
    ]
    assert loader.load(LoadBatch(bad_rows=rows)) == LoadResult(bad_rows_stored=2)
    loader.close()
    assert parquet_files(root) == []
    (file,) = (root / "_bad_rows").rglob("*.parquet")
    assert file.parent.relative_to(root).as_posix() == "_bad_rows/date=2024-05-02/hour=08"
    got = duckdb.sql(f"SELECT schema, data, load_tstamp FROM '{file}' ORDER BY data").fetchall()
    assert got[0][:2] == (None, "\x00 not json")
    assert got[1][0].endswith("generic_error/jsonschema/1-0-0")
    assert json.loads(got[1][1])["data"] == {"payload": "x"}


def test_unstorable_events_become_loader_bad_rows(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent
) -> None:
    root = tmp_path / "lake"
    loader = loader_for(root, resolver)
    no_time = msgspec.structs.replace(make_event(1), collector_tstamp=None)
    wrong = make_event(2, checkout_data={"step": "two"})
    result = loader.load(LoadBatch(events=[make_event(0), no_time, wrong]))
    loader.close()
    assert result.loaded == 1
    schemas = sorted(json.loads(row)["schema"] for row in result.bad)
    assert schemas == [
        "iglu:com.snowplowanalytics.snowplow.badrows/loader_iglu_error/jsonschema/2-0-1",
        "iglu:com.snowplowanalytics.snowplow.badrows/loader_runtime_error/jsonschema/1-0-1",
    ]
    runtime = next(json.loads(r) for r in result.bad if b"runtime" in r)
    assert "collector_tstamp" in runtime["data"]["failure"]
    assert runtime["data"]["payload"]["event_id"] == str(no_time.event_id)
    assert query(root, "SELECT count(*) FROM EVENTS") == [(1,)]


def test_target_outage_is_retried_and_every_row_lands_once(
    tmp_path: Path, resolver: Resolver, make_event: MakeEvent, flaky: Any
) -> None:
    from pyplow.loaders.base import TransientLoadError

    config = ParquetConfig(
        path="flaky://lake", spool_dir=str(tmp_path / "spool"), max_file_seconds=0
    )
    loader = ParquetLoader(config, resolver=resolver, clock=Clock())
    batches = [LoadBatch(events=[make_event(n) for n in range(k, k + 3)]) for k in (0, 3, 6)]
    assert loader.load(batches[0]).loaded == 3
    flaky.down = True
    # the rows are committed to the spool; writing the file fails and stays pending
    assert loader.load(batches[1]).loaded == 3
    with pytest.raises(TransientLoadError, match="target away"):
        loader.load(batches[2])
    fs = loader.target.fs
    assert len(fs.glob("/lake/date=*/hour=*/*.parquet")) == 1
    flaky.down = False
    assert loader.load(batches[2]).loaded == 3  # the retry
    loader.close()
    files = fs.glob("/lake/date=*/hour=*/*.parquet")
    assert len(files) == 3
    table = ds.dataset(files, filesystem=fs, format="parquet").to_table()
    assert sorted(table.column("domain_sessionidx").to_pylist()) == list(range(9))
    assert not fs.glob("/lake/**/.*.tmp")


def test_spool_is_required_for_remote_paths(resolver: Resolver, flaky: Any) -> None:
    from pyplow.loaders.base import TerminalLoadError

    with pytest.raises(TerminalLoadError, match="spool_dir is not set"):
        ParquetLoader(ParquetConfig(path="flaky://lake"), resolver=resolver)


def test_default_spool_is_hidden_from_readers(tmp_path: Path, resolver: Resolver) -> None:
    loader = loader_for(tmp_path / "lake", resolver)
    loader.close()
    assert os.path.exists(tmp_path / "lake" / "_spool" / "spool.sqlite3")
