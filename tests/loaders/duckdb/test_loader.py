"""The DuckDB loader: typed atomic columns, wide columns, dedup, bad rows, transactions."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.base import LoadBatch, TerminalLoadError, TransientLoadError
from pyplow.loaders.dedup import DUPLICATE_SCHEMA
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

from ..bulk.inputs import line, page_view
from ..wide_fixtures import CHECKOUT, PRODUCT, event, registry

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    return registry(tmp_path / "iglu")


@pytest.fixture
def loader(tmp_path: Path, resolver: Resolver) -> Any:
    instance = DuckDBLoader(DuckDBConfig(path=str(tmp_path / "db.duckdb")), resolver)
    yield instance
    instance.close()


def query(loader: DuckDBLoader, sql: str) -> list[tuple[Any, ...]]:
    return loader.connection.execute(sql).fetchall()


def column_types(loader: DuckDBLoader) -> dict[str, str]:
    rows = query(loader, "SELECT column_name, data_type FROM information_schema.columns "
                 "WHERE table_schema = 'atomic' AND table_name = 'events'")  # fmt: skip
    return dict(rows)


def insertion_order_kept(loader: DuckDBLoader) -> bool:
    (value,) = query(loader, "SELECT current_setting('preserve_insertion_order')")[0]
    return bool(value)


def test_loads_give_the_connection_back_with_insertion_order_kept(loader: DuckDBLoader) -> None:
    # batches are inserted unordered (written once, not again at the checkpoint); the
    # connection's other queries keep DuckDB's default
    assert insertion_order_kept(loader)
    assert loader.load(LoadBatch(events=[event("e1", fingerprint="f")])).loaded == 1
    assert insertion_order_kept(loader)


def test_a_batch_duckdb_aborts_is_rolled_back_and_insertion_order_kept(
    loader: DuckDBLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an error inside DuckDB aborts the transaction, which then refuses every statement but
    # ROLLBACK: the setting is put back after it, and the error is the one reported
    def fail(*_: Any) -> int:
        loader.connection.execute("SELECT CAST('x' AS INTEGER)")
        return 0

    monkeypatch.setattr(loader, "_insert_bad_rows", fail)
    with pytest.raises(TerminalLoadError, match="Could not convert"):
        loader.load(LoadBatch(events=[event("e1", fingerprint="f")]))
    assert insertion_order_kept(loader)
    with pytest.raises(TerminalLoadError, match="Could not convert"):
        loader.load_lines([line(page_view(n)).encode() for n in range(5)])
    assert insertion_order_kept(loader)
    assert query(loader, "SELECT count(*) FROM atomic.events") == [(0,)]


def test_atomic_columns_are_typed(loader: DuckDBLoader) -> None:
    types = column_types(loader)
    assert types["collector_tstamp"] == "TIMESTAMP"
    assert types["load_tstamp"] == "TIMESTAMP"
    assert types["se_value"] == "DOUBLE"
    assert types["tr_total"] == "DECIMAL(18,2)"
    assert types["br_cookies"] == "BOOLEAN"
    assert types["page_urlport"] == "INTEGER"
    assert len(types) == 129


def test_events_and_wide_columns_load(loader: DuckDBLoader) -> None:
    e = event(
        "e1",
        fingerprint="f1",
        products=((PRODUCT + "1-0-0", {"sku": "A1", "unitPrice": 9.5}),),
        unstruct=(CHECKOUT + "1-0-0", {"step": 3, "paid": False}),
        se_value=Decimal("1.5"),
        br_cookies=True,
    )
    result = loader.load(LoadBatch(events=[e]))
    assert (result.loaded, result.bad) == (1, [])
    rows = query(
        loader,
        "SELECT contexts_com_acme_product_1[1].sku, unstruct_event_com_acme_checkout_1.step, "
        "se_value, br_cookies, strftime(collector_tstamp, '%Y-%m-%d %H:%M:%S.%g') "
        "FROM atomic.events",
    )
    assert rows == [("A1", 3, 1.5, True, "2024-05-01 12:30:15.123")]
    assert column_types(loader)["unstruct_event_com_acme_checkout_1"] == (
        "STRUCT(paid BOOLEAN, step BIGINT)"
    )


def test_column_added_and_widened_later(loader: DuckDBLoader, tmp_path: Path) -> None:
    loader.load(LoadBatch(events=[event("e1", products=((PRODUCT + "1-0-0", {"sku": "A"}),))]))
    assert "unstruct_event_com_acme_checkout_1" not in column_types(loader)
    loader.load(LoadBatch(events=[event("e2", unstruct=(CHECKOUT + "1-0-0", {"step": 1}))]))
    assert "unstruct_event_com_acme_checkout_1" in column_types(loader)
    tagged = event("e3", products=((PRODUCT + "1-0-1", {"sku": "B", "tags": ["x", "y"]}),))
    assert loader.load(LoadBatch(events=[tagged])).loaded == 1
    rows = query(
        loader,
        "SELECT event_id, contexts_com_acme_product_1[1].sku, contexts_com_acme_product_1[1].tags, "
        "contexts_com_acme_product_1[1]._schema_version FROM atomic.events ORDER BY event_id",
    )
    assert rows == [
        ("e1", "A", None, "1-0-0"),
        ("e2", None, None, None),
        ("e3", "B", ["x", "y"], "1-0-1"),
    ]
    loader.close()
    # a restarted loader knows its columns (from the column comments)
    again = DuckDBLoader(DuckDBConfig(path=str(tmp_path / "db.duckdb")), registry(tmp_path / "r2"))
    assert (
        again.layout.columns_for([event("e4", products=((PRODUCT + "1-0-0", {"sku": "C"}),))]) == []
    )
    assert (
        again.load(
            LoadBatch(events=[event("e4", products=((PRODUCT + "1-0-0", {"sku": "C"}),))])
        ).loaded
        == 1
    )
    again.close()


def test_untypeable_schema_is_a_json_string(loader: DuckDBLoader) -> None:
    blob = event("e1", unstruct=("iglu:com.acme/blob/jsonschema/1-0-0", {"k": [1, 2]}))
    loader.load(LoadBatch(events=[blob]))
    assert column_types(loader)["unstruct_event_com_acme_blob_1"] == "VARCHAR"
    rows = query(
        loader,
        "SELECT json_extract(unstruct_event_com_acme_blob_1, '$.k[1]')::INT FROM atomic.events",
    )
    assert rows == [(2,)]


def test_dedup_skips_redelivery_and_flags_reused_ids(loader: DuckDBLoader) -> None:
    first = loader.load(LoadBatch(events=[event("e1", fingerprint="f1")]))
    assert first.loaded == 1
    again = loader.load(
        LoadBatch(events=[event("e1", fingerprint="f1"), event("e1", fingerprint="f2")])
    )
    assert (again.loaded, again.duplicates_skipped, again.duplicates_flagged) == (1, 1, 1)
    rows = query(
        loader,
        "SELECT event_id, event_fingerprint, "
        "contexts_com_snowplowanalytics_snowplow_duplicate_1[1].original_event_id "
        "FROM atomic.events ORDER BY event_fingerprint",
    )
    assert rows[0] == ("e1", "f1", None)
    assert rows[1][1:] == ("f2", "e1")
    assert rows[1][0] != "e1"
    assert DUPLICATE_SCHEMA.endswith("duplicate/jsonschema/1-0-0")
    # The whole batch again (a redelivery): the flagged event is recognised and skipped too.
    third = loader.load(
        LoadBatch(events=[event("e1", fingerprint="f1"), event("e1", fingerprint="f2")])
    )
    assert (third.loaded, third.duplicates_skipped, third.duplicates_flagged) == (0, 2, 0)
    assert query(loader, "SELECT count(*) FROM atomic.events") == [(2,)]


def test_bad_rows_stored_once_and_loader_bad_rows_returned(loader: DuckDBLoader) -> None:
    doc = msgspec.json.encode(
        {
            "schema": "iglu:com.snowplowanalytics.snowplow.badrows/generic_error/jsonschema/1-0-0",
            "data": {
                "processor": {"artifact": "enrich", "version": "5.0.0"},
                "failure": {"timestamp": "2024-05-01T10:00:00.5Z", "errors": ["boom"]},
                "payload": "x",
            },
        }
    )
    wrong = event("e9", products=((PRODUCT + "1-0-0", {"sku": 1}),))
    result = loader.load(LoadBatch(events=[wrong], bad_rows=[doc, b"not json"]))
    assert (result.loaded, result.bad_rows_stored, len(result.bad)) == (0, 2, 1)
    assert b"loader_iglu_error" in result.bad[0]
    assert loader.load(LoadBatch(bad_rows=[doc])).bad_rows_stored == 0  # redelivered
    rows = query(
        loader,
        "SELECT processor_artifact, failure->>'$.errors[0]', failure_tstamp::VARCHAR "
        "FROM atomic.bad_rows WHERE schema IS NOT NULL",
    )
    assert rows == [("enrich", "boom", "2024-05-01 10:00:00.5")]


def test_failing_batch_leaves_nothing(
    loader: DuckDBLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: Any) -> int:
        raise duckdb.IOException("disk went away")

    monkeypatch.setattr(loader, "_insert_bad_rows", fail)
    batch = LoadBatch(
        events=[event("e1", fingerprint="f", unstruct=(CHECKOUT + "1-0-0", {"step": 1}))],
        bad_rows=[b"{}"],
    )
    with pytest.raises(TransientLoadError, match="disk went away"):
        loader.load(batch)
    assert query(loader, "SELECT count(*) FROM atomic.events") == [(0,)]
    assert insertion_order_kept(loader)
    assert "unstruct_event_com_acme_checkout_1" not in column_types(loader)
    monkeypatch.undo()
    assert loader.load(batch).loaded == 1  # the retry stores it, once
    assert loader.load(batch).duplicates_skipped == 1  # a redelivery after success: skipped
    assert query(loader, "SELECT count(*) FROM atomic.events") == [(1,)]


def test_large_batch_in_one_go(loader: DuckDBLoader) -> None:
    events = [
        event(
            f"00000000-0000-0000-0000-{i:012d}",
            fingerprint=str(i),
            products=(
                (PRODUCT + "1-0-0", {"sku": f"s{i}", "unitPrice": i}),
                (WEB_PAGE, {"id": f"p{i}"}),
            ),
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    result = loader.load(LoadBatch(events=events))
    elapsed = time.perf_counter() - started
    assert result.loaded == 10_000
    assert query(
        loader, "SELECT count(*), sum(contexts_com_acme_product_1[1].unit_price) FROM atomic.events"
    ) == [(10_000, float(sum(range(10_000))))]
    assert elapsed < 30
