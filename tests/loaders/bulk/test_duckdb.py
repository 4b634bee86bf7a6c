"""The columnar bulk path into DuckDB stores exactly what the per-row path stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.bulk import engine as engine_module
from pyplow.loaders.bulk import entities_sql, run_files
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

from ..wide_fixtures import registry
from .inputs import line, page_view, write_inputs, write_redelivery
from .streaming import stream_both_ways


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    return registry(tmp_path / "iglu")


def load(path: Path, files: list[Path], resolver: Resolver, *, columnar: bool, batch: int) -> Any:
    loader = DuckDBLoader(DuckDBConfig(path=str(path)), resolver)
    try:
        return run_files(loader, files, [], batch_records=batch, columnar=columnar)
    finally:
        loader.close()


def differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Rows of each table in one database and not the other (load_tstamp left out)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    out: dict[str, tuple[int, int]] = {}
    for table in ("events", "bad_rows"):
        columns = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' "
                "AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
        ]
        types_a = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'a' "
            "AND table_name = ? ORDER BY column_name",
            [table],
        ).fetchall()
        types_b = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'b' "
            "AND table_name = ? ORDER BY column_name",
            [table],
        ).fetchall()
        assert types_a == types_b, table
        names = ", ".join(f'"{c}"' for c in columns if c != "load_tstamp")
        counts = []
        for x, y in (("a", "b"), ("b", "a")):
            (n,) = con.execute(
                f"SELECT count(*) FROM (SELECT {names} FROM {x}.atomic.{table} "
                f"EXCEPT ALL SELECT {names} FROM {y}.atomic.{table})"
            ).fetchone()
            counts.append(n)
        out[table] = (counts[0], counts[1])
    con.close()
    return out


@pytest.mark.parametrize("batch", [1000, 70, 9])
def test_same_tables_as_the_per_row_path(
    tmp_path: Path, resolver: Resolver, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_inputs(tmp_path / "in")
    fast_rows: list[int] = []
    stage = engine_module.stage

    def spy(*args: Any, **kwargs: Any) -> Any:
        staged = stage(*args, **kwargs)
        fast_rows.append(staged.fast_rows if staged is not None else -1)
        return staged

    monkeypatch.setattr(engine_module, "stage", spy)
    rows = load(tmp_path / "rows.duckdb", files, resolver, columnar=False, batch=batch)
    cols = load(tmp_path / "cols.duckdb", files, resolver, columnar=True, batch=batch)
    assert cols == rows
    assert rows.loaded > 100
    assert rows.parsing_errors >= 15
    assert rows.duplicates_flagged >= 2
    assert differences(tmp_path / "rows.duckdb", tmp_path / "cols.duckdb") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }
    if batch < 1000:  # one batch holds product 1-0-1, whose array the SQL does not build
        assert sum(n for n in fast_rows if n > 0) > 80  # most rows took the columnar path
    # loading the same files again stores nothing new, on both paths
    again_rows = load(tmp_path / "rows.duckdb", files, resolver, columnar=False, batch=batch)
    again_cols = load(tmp_path / "cols.duckdb", files, resolver, columnar=True, batch=batch)
    assert again_cols == again_rows
    assert differences(tmp_path / "rows.duckdb", tmp_path / "cols.duckdb") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


def test_chunks_the_columnar_reader_cannot_split_are_loaded_row_by_row(
    tmp_path: Path, resolver: Resolver
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = [line(page_view(n)) for n in range(5)]
    (folder / "a.tsv").write_bytes(
        "\n".join([*good, line(page_view(50), page_title="a\rb")]).encode()
        + b"\n"
        + line(page_view(51)).encode().replace(b"Product 51", b"Product \xff51")
        + b"\n"
        + line(page_view(52), page_title="nul\x00").encode()
        + b"\n"
    )
    files = [folder / "a.tsv"]
    for batch in (3, 100):
        rows = load(tmp_path / f"rows{batch}.duckdb", files, resolver, columnar=False, batch=batch)
        cols = load(tmp_path / f"cols{batch}.duckdb", files, resolver, columnar=True, batch=batch)
        assert cols == rows
        assert rows.loaded == 8
        assert differences(tmp_path / f"rows{batch}.duckdb", tmp_path / f"cols{batch}.duckdb") == {
            "events": (0, 0),
            "bad_rows": (0, 0),
        }


def test_rows_already_stored_by_the_per_row_path_are_deduplicated(
    tmp_path: Path, resolver: Resolver
) -> None:
    first, second = write_redelivery(tmp_path / "in")
    for name, columnar in (("rows", False), ("cols", True)):
        load(tmp_path / f"{name}.duckdb", [first], resolver, columnar=False, batch=100)
        counts = load(tmp_path / f"{name}.duckdb", [second], resolver, columnar=columnar, batch=4)
        assert (counts.loaded, counts.duplicates_skipped, counts.duplicates_flagged) == (7, 5, 2)
    assert differences(tmp_path / "rows.duckdb", tmp_path / "cols.duckdb") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


@pytest.mark.parametrize(
    ("text", "risky"),
    [
        ('{"a":NaN}', True),
        ('{"a": -Infinity}', True),
        ('{"a":[1,\tinf]}', True),
        ('{"a":1e400}', True),
        ('{"a":[ -1.5E-0400]}', True),
        ('{"a":[1, 2e300]}', True),
        ('{"a":[1,]}', True),
        ('{"a":1 , }', True),
        ('{"a":"caf\\u00e9"}', True),
        ('{"a":"a\\/b"}', True),
        ('{"a":"5e123","b":"x1e400","c":"Infinity"}', False),  # only inside strings
        ('{"a":"3b9ae123-0000","b":1.5e30,"c":[1,2],"d":null}', False),
    ],
)
def test_risky_json_texts(text: str, risky: bool) -> None:
    """Texts DuckDB and msgspec may read differently are risky (strings may raise false
    alarms; numbers and literals never slip through)."""
    patterns = entities_sql.RISKY
    con = duckdb.connect()
    found = con.execute(
        "SELECT " + " OR ".join("regexp_matches(?, ?)" for _ in patterns),
        [v for p in patterns for v in (text, p)],
    ).fetchone()
    con.close()
    assert found == (risky,)


@pytest.mark.parametrize("batch", [1000, 70])
def test_full_fit_check_of_many_suspects(
    tmp_path: Path, resolver: Resolver, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more suspects than are decoded one by one, the SQL checks them in full (the
    first chunk: no guess from the first pass; later ones: its guess)."""
    monkeypatch.setattr(engine_module, "_DECODE_AT_MOST", 0)
    files = write_inputs(tmp_path / "in")
    rows = load(tmp_path / "rows.duckdb", files, resolver, columnar=False, batch=batch)
    cols = load(tmp_path / "cols.duckdb", files, resolver, columnar=True, batch=batch)
    assert cols == rows
    assert differences(tmp_path / "rows.duckdb", tmp_path / "cols.duckdb") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


def test_columnar_batches_leave_no_table_and_keep_insertion_order(
    tmp_path: Path, resolver: Resolver
) -> None:
    loader = DuckDBLoader(DuckDBConfig(path=str(tmp_path / "db.duckdb")), resolver)
    try:
        lines = [line(page_view(n)).encode() for n in range(50)]
        done = loader.load_lines(lines)
        assert done.result.loaded == 50
        con = loader.connection
        assert con.execute("SELECT count(*) FROM atomic.events").fetchall() == [(50,)]
        tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        assert sorted(tables) == [("bad_rows",), ("events",)]
        setting = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
        assert setting == [(True,)]
    finally:
        loader.close()


def test_streamed_batches_load_columnar_as_the_per_row_path_does(
    tmp_path: Path, resolver: Resolver
) -> None:
    stream_both_ways(
        lambda name: DuckDBLoader(DuckDBConfig(path=str(tmp_path / f"{name}.duckdb")), resolver)
    )
    assert differences(tmp_path / "rows.duckdb", tmp_path / "lines.duckdb") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }
