"""The columnar bulk path into Parquet writes exactly what the per-row path writes."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pyplow.iglu import Resolver
from pyplow.loaders.bulk import run_files
from pyplow.loaders.parquet import ParquetConfig, ParquetLoader

from ..wide_fixtures import registry
from .inputs import line, page_view, write_inputs, write_redelivery
from .streaming import stream_both_ways


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    return registry(tmp_path / "iglu")


def load(root: Path, files: list[Path], resolver: Resolver, *, columnar: bool, batch: int) -> Any:
    loader = ParquetLoader(ParquetConfig(path=str(root)), resolver=resolver)
    try:
        return run_files(loader, files, [], batch_records=batch, columnar=columnar)
    finally:
        loader.close()


def _type(t: Any) -> str:
    """An Arrow type as text, struct fields sorted (files may order them differently)."""
    if pa.types.is_struct(t):
        fields = sorted((t.field(i).name, _type(t.field(i).type)) for i in range(t.num_fields))
        return "struct<" + ", ".join(f"{n}: {v}" for n, v in fields) + ">"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{_type(t.value_type)}>"
    return str(t)


def dataset(root: Path, bad: bool) -> tuple[Counter[str], dict[str, set[str]]]:
    """Every row (load_tstamp left out) as canonical JSON, and each column's types."""
    rows: Counter[str] = Counter()
    types: dict[str, set[str]] = {}
    for file in sorted((root / "_bad_rows" if bad else root).glob("date=*/hour=*/*.parquet")):
        table = pq.read_table(file)
        for field in table.schema:
            types.setdefault(field.name, set()).add(_type(field.type))
        for row in table.drop_columns(["load_tstamp"]).to_pylist():
            rows[json.dumps(row, sort_keys=True, default=str)] += 1
    return rows, types


def differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Rows of each dataset in one root and not the other (load_tstamp left out)."""
    out: dict[str, tuple[int, int]] = {}
    for name, bad in (("events", False), ("bad_rows", True)):
        rows_a, types_a = dataset(a, bad)
        rows_b, types_b = dataset(b, bad)
        assert types_a == types_b, name
        out[name] = (sum((rows_a - rows_b).values()), sum((rows_b - rows_a).values()))
    return out


@pytest.mark.parametrize("batch", [1000, 9])
def test_same_files_as_the_per_row_path(tmp_path: Path, resolver: Resolver, batch: int) -> None:
    files = write_inputs(tmp_path / "in")
    rows = load(tmp_path / "rows", files, resolver, columnar=False, batch=batch)
    cols = load(tmp_path / "cols", files, resolver, columnar=True, batch=batch)
    assert cols == rows
    assert rows.loaded > 100
    assert rows.parsing_errors >= 15
    assert differences(tmp_path / "rows", tmp_path / "cols") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }
    again_rows = load(tmp_path / "rows", files, resolver, columnar=False, batch=batch)
    again_cols = load(tmp_path / "cols", files, resolver, columnar=True, batch=batch)
    assert again_cols == again_rows
    assert differences(tmp_path / "rows", tmp_path / "cols") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


def test_redelivery_across_runs_is_skipped(tmp_path: Path, resolver: Resolver) -> None:
    first, second = write_redelivery(tmp_path / "in")
    for name, columnar in (("rows", False), ("cols", True)):
        load(tmp_path / name, [first], resolver, columnar=False, batch=100)
        counts = load(tmp_path / name, [second], resolver, columnar=columnar, batch=4)
        assert (counts.loaded, counts.duplicates_skipped, counts.duplicates_flagged) == (7, 5, 2)
    assert differences(tmp_path / "rows", tmp_path / "cols") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


def _files_in_order(root: Path) -> dict[str, list[list[Any]]]:
    """Per partition, each file's rows (event_id, collector_tstamp, fingerprint) in file
    order, leaving out the rows of ``_per_row`` (the files of a partition sorted)."""
    out: dict[str, list[list[Any]]] = {}
    for file in sorted(root.glob("date=*/hour=*/*.parquet")):
        table = pq.read_table(file, columns=["event_id", "collector_tstamp", "event_fingerprint"])
        rows = [list(r.values()) for r in table.to_pylist() if not _per_row(r)]
        out.setdefault(str(file.parent.relative_to(root)), []).append(rows)
    return {k: sorted(v) for k, v in out.items()}


def _per_row(row: dict[str, Any]) -> bool:
    """Rows of the test below that the columnar path leaves to the per-row one (stored
    after the others of their batch)."""
    fingerprint = row["event_fingerprint"]
    return bool(fingerprint == "other" or int(fingerprint[3:]) % 50 == 0)


@pytest.mark.parametrize("batch", [10_000, 97])
def test_shuffled_hours_give_the_same_files_in_the_same_order(
    tmp_path: Path, resolver: Resolver, batch: int
) -> None:
    """Events spread over many hours, out of order, with random ids (the spool's sorted
    writes), some in forms the columnar path leaves to the per-row one and some repeated:
    each partition gets the same rows whichever path loads them, those of the columnar path
    in input order."""
    rng = random.Random(5)
    start = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    texts = []
    for n in range(1500):
        at = start + timedelta(seconds=rng.randrange(0, 30 * 3600))
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        whole = n % 50 == 0  # whole seconds: decoded by the per-row path
        raw = {"event_id": event_id, "collector_tstamp": stamp[:-4] if whole else stamp}
        texts.append(line(page_view(n), **raw))
        if n % 40 == 0:  # the same event again, and again with another fingerprint
            texts.append(texts[-1])
            texts.append(line(page_view(n, fingerprint="other"), **raw))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "events.tsv").write_text("\n".join(texts) + "\n")
    files = [folder / "events.tsv"]
    rows = load(tmp_path / "rows", files, resolver, columnar=False, batch=batch)
    cols = load(tmp_path / "cols", files, resolver, columnar=True, batch=batch)
    assert cols == rows
    assert rows.duplicates_skipped > 0
    assert rows.duplicates_flagged > 0
    by_rows, by_cols = _files_in_order(tmp_path / "rows"), _files_in_order(tmp_path / "cols")
    assert len(by_rows) > 20
    assert by_cols == by_rows
    assert differences(tmp_path / "rows", tmp_path / "cols") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }


def test_streamed_batches_load_columnar_as_the_per_row_path_does(
    tmp_path: Path, resolver: Resolver
) -> None:
    stream_both_ways(
        lambda name: ParquetLoader(ParquetConfig(path=str(tmp_path / name)), resolver=resolver)
    )
    assert differences(tmp_path / "rows", tmp_path / "lines") == {
        "events": (0, 0),
        "bad_rows": (0, 0),
    }
