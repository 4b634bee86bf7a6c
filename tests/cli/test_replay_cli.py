"""``pyplow replay``: dry run, raw files enrich can read, DuckDB input, usage errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from tests.replay.helpers import FIXES, event, link_click_event, tp2_post

from pyplow.cli import replay as replay_cli
from pyplow.enrich.batch import enrich_folder
from pyplow.enrich.config import EnrichConfig, build_engine


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    replay_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


@pytest.fixture(scope="module")
def bad_rows() -> list[bytes]:
    engine = build_engine(EnrichConfig())
    return engine.process(tp2_post([event(1), event(2, vid="x"), link_click_event(4)])).bad


def _files(tmp_path: Path, bad_rows: list[bytes]) -> tuple[Path, Path]:
    rows = tmp_path / "bad" / "rows.json"
    rows.parent.mkdir()
    rows.write_bytes(b"\n".join(bad_rows) + b"\n")
    fix = tmp_path / "fix.json"
    fix.write_text(json.dumps(FIXES))
    return rows.parent, fix


def test_dry_run_writes_nothing(
    tmp_path: Path, bad_rows: list[bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, fix = _files(tmp_path, bad_rows)
    out = tmp_path / "out"
    assert _main(["replay", "--input", str(folder), "--fix", str(fix), "--dry-run"]) == 0
    assert not out.exists()
    err = capsys.readouterr().err
    assert "schema_violations: 2 rows, 2 replayable (2 changed by fixes)" in err
    assert '+        "targetUrl": "http://shop.example/b"' in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "fix.json"]


def test_output_is_read_by_enrich_batch(tmp_path: Path, bad_rows: list[bytes]) -> None:
    folder, fix = _files(tmp_path, bad_rows)
    raw = tmp_path / "raw"
    assert _main(["replay", "--input", str(folder), "--fix", str(fix), "--output", str(raw)]) == 0
    counts = enrich_folder(raw, tmp_path / "enriched", EnrichConfig(), workers=1, progress=False)
    assert (counts.records, counts.good, counts.bad) == (2, 2, 0)


def test_duckdb_input(tmp_path: Path, bad_rows: list[bytes]) -> None:
    from datetime import UTC, datetime

    import duckdb

    from pyplow.loaders.duckdb.badrows import bad_rows_arrow

    db = tmp_path / "p.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA atomic")
    table = bad_rows_arrow(bad_rows, datetime.now(UTC))
    con.register("t", table)
    con.execute("CREATE TABLE atomic.bad_rows AS SELECT * FROM t")
    con.close()
    raw = tmp_path / "raw"
    fix = tmp_path / "fix.json"
    fix.write_text(json.dumps(FIXES))
    assert _main(["replay", "--duckdb", str(db), "--fix", str(fix), "--output", str(raw)]) == 0
    lines = [line for p in raw.iterdir() for line in p.read_text().splitlines()]
    assert len(lines) == 2


def test_usage_errors(tmp_path: Path, bad_rows: list[bytes]) -> None:
    folder, _ = _files(tmp_path, bad_rows)
    assert _main(["replay", "--input", str(folder)]) == 2  # neither --output nor --dry-run
    assert _main(["replay", "--input", str(tmp_path / "nope"), "--dry-run"]) == 2
    bad_fix = tmp_path / "bad.json"
    bad_fix.write_text('[{"patches": [{"op": "explode", "path": "/a"}]}]')
    assert _main(["replay", "--input", str(folder), "--dry-run", "--fix", str(bad_fix)]) == 2
