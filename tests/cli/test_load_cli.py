"""``pyplow load`` in file mode: enriched and bad files into DuckDB, twice without doubling."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pyplow.cli import main
from pyplow.event import EnrichedEvent, encode_tsv


def row(n: int) -> str:
    return encode_tsv(
        EnrichedEvent(
            event_id=f"00000000-0000-4000-8000-{n:012d}",
            event_fingerprint=f"f{n}",
            collector_tstamp=datetime(2024, 3, 1, 12, n % 60, tzinfo=UTC),
            v_collector="c",
            v_etl="e",
            event="page_view",
            app_id="shop",
        )
    )


def test_files_load_into_duckdb_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "out"
    (source / "enriched").mkdir(parents=True)
    (source / "bad").mkdir()
    (source / "enriched" / "enriched-1.tsv").write_text(
        "\n".join(row(n) for n in range(25)) + "\nnot an enriched row\n"
    )
    (source / "bad" / "bad-1.json").write_text(
        '{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/generic_error/jsonschema/1-0-0",'
        '"data":{"processor":{"artifact":"a","version":"1"},"failure":{"timestamp":"t",'
        '"errors":["x"]},"payload":"p"}}\n'
    )
    database = tmp_path / "events.duckdb"
    args = [
        "load",
        "--target",
        "duckdb",
        "--input",
        str(source),
        "--path",
        str(database),
        "--no-progress",
    ]
    assert main(args) == 0
    assert "25 events loaded" in capsys.readouterr().err
    assert main(args) == 0  # the same files again: nothing doubled
    assert "25 duplicates skipped" in capsys.readouterr().err
    connection = duckdb.connect(str(database), read_only=True)
    try:
        ((events,),) = connection.sql("select count(*) from atomic.events").fetchall()
        ((bad,),) = connection.sql("select count(*) from atomic.bad_rows").fetchall()
    finally:
        connection.close()
    assert events == 25
    assert bad == 2  # the bad row and the unreadable line, each stored once


def test_usage_errors() -> None:
    assert main(["load", "--target", "duckdb"]) == 2
    assert main(["load", "--target", "duckdb", "--input", "/nonexistent", "--path", "x"]) == 2
    assert main(["load", "--target", "postgres", "--input", "."]) == 1  # no --dsn


def test_stream_mode_from_a_config_with_metrics(tmp_path: Path) -> None:
    import socket

    enriched = tmp_path / "enriched-1.tsv"
    enriched.write_text("\n".join(row(n) for n in range(7)) + "\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    database = tmp_path / "events.duckdb"
    config = tmp_path / "pyplow.toml"
    config.write_text(
        f"""
[load]
target = "duckdb"
path = "{database}"
metrics_port = {port}

[load.enriched]
type = "file"
paths = ["{enriched}"]

[load.bad]
type = "file"
paths = []
"""
    )
    assert main(["load", "--config", str(config)]) == 0
    import httpx

    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'pyplow_loader_loaded_total{target="duckdb"} 7.0' in metrics
    connection = duckdb.connect(str(database), read_only=True)
    try:
        assert connection.sql("select count(*) from atomic.events").fetchall() == [(7,)]
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("target", "options", "expected"),
    [
        ("duckdb", {}, 245_760),
        ("parquet", {}, 245_760),
        ("postgres", {}, 100_000),
        ("postgres", {"file_batch_records": 7}, 7),
    ],
)
def test_file_batches_by_target(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    options: dict[str, int],
    expected: int,
) -> None:
    """Each target's file batches hold its default number of lines unless configured."""
    from pyplow.cli import load as load_cli
    from pyplow.loaders import bulk
    from pyplow.loaders.bulk.run import LoadCounts

    seen: list[int] = []

    def run_files(loader: object, *args: object, batch_records: int, **kwargs: object) -> Any:
        seen.append(batch_records)
        return LoadCounts()

    monkeypatch.setattr(bulk, "run_files", run_files)
    (tmp_path / "in").mkdir()
    # the PostgreSQL loader connects only when it loads
    place = (
        {"dsn": "postgresql://nobody@127.0.0.1:1/none"}
        if target == "postgres"
        else {"path": str(tmp_path / "out")}
    )
    config = load_cli.LoadConfig(target=target, **place, **options)  # type: ignore[arg-type]
    assert load_cli._files(tmp_path / "in", config, progress=False) == 0
    assert seen == [expected]
