"""``pyplow model run`` on a DuckDB file: exit codes, output and the tables it leaves."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tests.analytics.models.dataset import first_batch, load

from pyplow.cli import main
from pyplow.iglu import Resolver, builtin_repository
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = str(tmp_path / "pyplow.duckdb")
    loader = DuckDBLoader(DuckDBConfig(path=path), Resolver([builtin_repository()]))
    load(loader, first_batch())
    loader.close()
    return path


def test_model_run_builds_then_updates(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "run", "--path", db_path]) == 0
    out = capsys.readouterr().out
    assert "full rebuild: 20 events → 8 page views, 5 sessions, 4 users" in out
    assert main(["model", "run", "--path", db_path, "--lookback-hours", "1"]) == 0
    assert "from 2024-03-02 08:00" in capsys.readouterr().out
    with duckdb.connect(db_path) as con:
        assert con.execute("select count(*) from derived.sessions").fetchone() == (5,)
        assert con.execute("select sum(engaged_time_s) from derived.page_views").fetchone() == (70,)


def test_heartbeat_setting_changes_engaged_time(db_path: str) -> None:
    args = ["model", "run", "--path", db_path, "--heartbeat-seconds", "5"]
    assert main([*args, "--min-visit-length-seconds", "0"]) == 0
    with duckdb.connect(db_path) as con:
        # 9 heartbeat windows of 5 s, each page counting (windows - 1) * 5
        assert con.execute("select sum(engaged_time_s) from derived.page_views").fetchone() == (25,)


def test_full_refresh_and_environment(
    db_path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYPLOW_MODEL__PATH", db_path)
    assert main(["model", "run"]) == 0
    assert main(["model", "run", "--full-refresh"]) == 0
    assert capsys.readouterr().out.count("full rebuild") == 2


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "run"]) == 2
    assert "needs --path" in capsys.readouterr().err
    assert main(["model"]) == 2
    assert main(["model", "run", "--path", str(tmp_path / "empty.duckdb")]) == 1
    assert "load events before running the models" in capsys.readouterr().err
