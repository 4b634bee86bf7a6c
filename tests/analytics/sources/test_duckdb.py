"""The DuckDB loader's database as a source."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pyplow.analytics import SourceError, read_arrow
from pyplow.event import EnrichedEvent

from ..sdk_data import LOADED, event, stamp


def test_rows_types_and_load_time(sdk_sources: dict[str, str]) -> None:
    table = read_arrow(sdk_sources["duckdb"])
    assert table.num_rows == 12
    assert table.schema.field("collector_tstamp").type == pa.timestamp("us", tz="UTC")
    assert table.column("load_tstamp").to_pylist() == [LOADED] * 12
    assert table.column("collector_tstamp")[0].as_py() == stamp(0)
    assert table.column("dvce_ismobile").to_pylist()[:4] == [False, True, False, False]


def test_window_and_columns_are_pushed_to_sql(sdk_sources: dict[str, str]) -> None:
    table = read_arrow(
        f"duckdb://{sdk_sources['duckdb']}",
        "2024-03-02T00:00:00Z",
        datetime(2024, 3, 2, 1, tzinfo=UTC),
        columns=["contexts_com_acme_product_1", "event_id"],
    )
    assert table.column_names == ["contexts_com_acme_product_1", "event_id"]
    # 00:04, 00:21, 00:38 and 00:55
    assert table.column("event_id").to_pylist() == [event(n).event_id for n in (7, 8, 9, 10)]
    skus = [v and v[0]["sku"] for v in table.column(0).to_pylist()]
    assert skus == [None, "sku-8", None, "sku-10"]


def test_another_schema_and_table(tmp_path: Path, sdk_events: list[EnrichedEvent]) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA web")
    con.execute(
        "CREATE TABLE web.hits AS SELECT 'e1' AS event_id, TIMESTAMP '2024-03-01 10:00:00' "
        "AS collector_tstamp, 'shop' AS app_id"
    )
    con.close()
    table = read_arrow(path, schema="web", table="hits")
    assert table.num_rows == 1
    assert table.column("app_id").to_pylist() == ["shop"]
    assert table.column("page_url").null_count == 1  # canonical columns are always there
    with pytest.raises(SourceError, match=r"has no table atomic\.events"):
        read_arrow(path)


def test_files_that_are_not_databases(tmp_path: Path) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_text("not a database")
    with pytest.raises(SourceError, match="cannot open DuckDB database"):
        read_arrow(path)
