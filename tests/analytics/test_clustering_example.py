"""``examples/clustering`` runs end to end (a small population), so it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("sklearn")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "clustering" / "cluster_visitors.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cluster_visitors_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # msgspec Structs need their module to be importable
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


def test_the_example_finds_the_simulated_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _example()
    assert example.main(["--visitors", "40", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "events of 40 visitors loaded into DuckDB" in out
    assert "stands_out" in out
    assert (tmp_path / "enriched" / "enriched-1.tsv").stat().st_size > 0
    assert (tmp_path / "events.duckdb").exists()

    result = example.run(40, 4, 7, tmp_path / "again")
    assert result["visitors"] == 40
    assert result["profiles"].height == 4
    assert result["profiles"]["visitors"].sum() == 40
    assert result["purity"] >= 0.85  # the four simulated kinds come out as the clusters
    assert result["silhouette"] > 0.2
