"""CSV and Parquet files for BI tools, and ``pyplow export``."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pyplow.analytics import export_events, read_arrow
from pyplow.analytics.export import csv_ready, write_table
from pyplow.cli import main
from pyplow.event import encode_tsv

from .sdk_data import COUNT, event, events, load_duckdb, resolver, stamp, write_tsv


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sdk-export")
    return load_duckdb(root / "events.duckdb", events(), resolver(root / "iglu"))


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


PRODUCT_ITEM = pa.struct(
    [
        ("_schema_version", pa.string()),
        ("in_stock", pa.bool_()),
        ("sku", pa.string()),
        ("unit_price", pa.float64()),
    ]
)


def test_csv_holds_text_for_every_type(tmp_path: Path) -> None:
    product = {"_schema_version": "1-0-0", "in_stock": True, "sku": "sku-0", "unit_price": 0.5}
    table = pa.table(
        {
            "collector_tstamp": pa.array([stamp(0), stamp(1)], pa.timestamp("us", tz="UTC")),
            "contexts_com_acme_product_1": pa.array([[product], None], pa.list_(PRODUCT_ITEM)),
            "contexts_com_acme_absent_1": pa.nulls(2),
            "tr_total": pa.array([Decimal("1.50"), None], pa.decimal128(18, 2)),
        }
    )
    ready = csv_ready(table)
    assert ready.schema.field("collector_tstamp").type == pa.timestamp("us")
    assert ready.schema.field("contexts_com_acme_product_1").type == pa.string()
    write_table(table, tmp_path / "t.csv", "csv")
    rows = _csv_rows(tmp_path / "t.csv")
    assert rows[0]["collector_tstamp"] == "2024-03-01 22:05:00.250000"
    assert json.loads(rows[0]["contexts_com_acme_product_1"]) == [product]
    assert rows[0]["tr_total"] == "1.50"
    assert rows[1] == {
        "collector_tstamp": "2024-03-01 22:22:00.250000",
        "contexts_com_acme_product_1": "",
        "contexts_com_acme_absent_1": "",
        "tr_total": "",
    }


def test_export_events_to_csv_and_parquet(database: Path, tmp_path: Path) -> None:
    written = export_events(database, tmp_path / "deep" / "events.csv", "csv", end=stamp(5))
    assert written == 5
    rows = _csv_rows(tmp_path / "deep" / "events.csv")
    assert [r["event_id"] for r in rows] == [event(n).event_id for n in range(5)]
    assert rows[4]["tr_total"] == "12.35"
    assert rows[4]["br_cookies"] == "true"
    assert rows[0]["load_tstamp"] == "2024-03-05 09:00:00.000000"
    assert export_events(database, tmp_path / "events.parquet", "parquet") == COUNT
    assert pq.read_table(tmp_path / "events.parquet") == read_arrow(database)
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_table_refusals(tmp_path: Path) -> None:
    table = pa.table({"a": [1]})
    with pytest.raises(ValueError, match="unknown export format"):
        write_table(table, tmp_path / "x.xlsx", "xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only CSV"):
        write_table(table, "-", "parquet")


# --- pyplow export --------------------------------------------------------------------------


def test_cli_csv_round_trip(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "events.csv"
    args = ["export", "--source", str(database), "--format", "csv", "--output", str(output)]
    assert main([*args, "--start", "2024-03-01T23:00:00Z", "--end", "2024-03-02T00:00"]) == 0
    assert "3 events written" in capsys.readouterr().err
    rows = _csv_rows(output)
    expected = read_arrow(database, "2024-03-01T23:00", "2024-03-02").to_pylist()
    assert len(rows) == len(expected) == 3
    for got, want in zip(rows, expected, strict=True):
        assert got["event_id"] == want["event_id"]
        assert got["page_title"] == want["page_title"]
        assert got["collector_tstamp"] == want["collector_tstamp"].strftime("%Y-%m-%d %H:%M:%S.%f")
        assert float(got["geo_latitude"]) == want["geo_latitude"]
        assert got["domain_sessionidx"] == str(want["domain_sessionidx"])
        product = want["contexts_com_acme_product_1"]
        assert (json.loads(got["contexts_com_acme_product_1"]) if product else None) == product


def test_cli_parquet_round_trip_with_columns(database: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "events.parquet"
    columns = "event_id, tr_total,contexts_com_snowplowanalytics_snowplow_web_page_1"
    assert (
        main(["export", "--source", str(database), "--output", str(output), "--columns", columns])
        == 0
    )
    table = pq.read_table(output)
    assert table.column_names == [
        "event_id",
        "tr_total",
        "contexts_com_snowplowanalytics_snowplow_web_page_1",
    ]
    assert table.column("tr_total").to_pylist()[4] == Decimal("12.35")
    assert table == read_arrow(database, columns=[c.strip() for c in columns.split(",")])


def test_cli_tsv_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tsv(tmp_path / "out" / "a.tsv", events(3))
    with (tmp_path / "out" / "a.tsv").open("a") as file:
        file.write("garbage line\n")
    args = ["export", "--source", str(tmp_path / "out"), "--format", "csv", "--output", "-"]
    assert main([*args, "--columns", "event_id,app_id"]) == 1  # the garbage line
    assert "a.tsv:4" in capsys.readouterr().err
    assert main([*args, "--columns", "event_id,app_id", "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        '"event_id","app_id"',
        *(f'"{event(n).event_id}","shop"' for n in range(3)),
    ]
    assert encode_tsv(event(0))  # the rows written are real enriched events


def test_cli_usage_errors(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["export", "--source", str(database)]
    assert main([*base, "--output", str(tmp_path / "x.xlsx")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main([*base, "--output", str(tmp_path / "x.csv"), "--start", "soon"]) == 2
    assert main([*base, "--output", str(tmp_path / "x.csv"), "--columns", "nope"]) == 2
    assert main([*base, "--output", "-", "--format", "parquet"]) == 2
    assert main(["export", "--source", str(tmp_path / "missing"), "--output", "x.csv"]) == 2
    assert (
        main(
            [
                *base,
                "--output",
                str(tmp_path / "x.csv"),
                "--start",
                "2024-03-02",
                "--end",
                "2024-03-01",
            ]
        )
        == 2
    )
    with pytest.raises(SystemExit) as exc:
        main(["export", "--output", "x.csv"])  # --source is required
    assert exc.value.code == 2
    assert not (tmp_path / "x.csv").exists()


def test_cli_kinds_are_the_sources() -> None:
    from pyplow.analytics.sources import SOURCE_KINDS
    from pyplow.cli.export import _KINDS

    assert _KINDS == SOURCE_KINDS


def test_cli_failures(database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_text("not a database")
    assert main(["export", "--source", str(broken), "--output", str(tmp_path / "x.csv")]) == 1
    assert "cannot open DuckDB database" in capsys.readouterr().err
    args = ["export", "--source", str(database), "--output", str(tmp_path / "x.csv")]
    assert main([*args, "--table", "nothing"]) == 1
    (tmp_path / "dir.csv").mkdir()
    assert main(["export", "--source", str(database), "--output", str(tmp_path / "dir.csv")]) == 1
