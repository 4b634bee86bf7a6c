"""Spooled Arrow segments, merging segments into files, the bad-rows table."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.loaders.parquet import ParquetConfig
from pyplow.loaders.parquet.arrowio import bad_rows_table, from_ipc, merge, to_ipc, write_parquet

ROWS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
        st.one_of(st.none(), st.text(max_size=30)),
        st.lists(st.fixed_dictionaries({"a": st.one_of(st.none(), st.booleans())}), max_size=3),
    ),
    max_size=20,
)


def _table(rows: list[tuple[Any, ...]]) -> pa.Table:
    return pa.table(
        {
            "n": pa.array([r[0] for r in rows], pa.int64()),
            "s": pa.array([r[1] for r in rows], pa.string()),
            "l": pa.array([r[2] for r in rows], pa.list_(pa.struct([("a", pa.bool_())]))),
        }
    )


@settings(max_examples=50, deadline=None)
@given(ROWS)
def test_ipc_round_trip(rows: list[tuple[Any, ...]]) -> None:
    table = _table(rows)
    assert from_ipc(to_ipc(table)).equals(table)


def test_merge_unifies_new_columns_and_struct_fields() -> None:
    old = pa.table({"c": pa.array([[{"a": 1}]], pa.list_(pa.struct([("a", pa.int64())])))})
    wider = pa.struct([("a", pa.int64()), ("b", pa.string())])
    new = pa.table({"c": pa.array([[{"a": 2, "b": "x"}]], pa.list_(wider)), "d": [True]})
    (merged,) = merge([old, new])
    assert merged.to_pylist() == [
        {"c": [{"a": 1, "b": None}], "d": None},
        {"c": [{"a": 2, "b": "x"}], "d": True},
    ]


def test_merge_splits_conflicting_types_in_spool_order() -> None:
    ints = pa.table({"x": pa.array([1], pa.int64())})
    texts = pa.table({"x": pa.array(["a"], pa.string())})
    assert [t.to_pylist() for t in merge([ints, texts, ints])] == [
        [{"x": 1}, {"x": 1}],
        [{"x": "a"}],
    ]
    assert merge([]) == []


def test_write_parquet_uses_the_configured_codec() -> None:
    sink = io.BytesIO()
    write_parquet(_table([(1, "a", [])]), sink, ParquetConfig(path="p", compression="snappy"))
    meta = pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata
    assert meta.num_rows == 1
    assert meta.row_group(0).column(0).compression == "SNAPPY"


def test_bad_rows_table_keeps_schema_and_text() -> None:
    stamp = datetime(2024, 5, 1, tzinfo=UTC)
    rows = [
        json.dumps({"schema": "iglu:com.x/y/jsonschema/1-0-0", "data": {"k": 1}}).encode(),
        b"not json \xff",
        b'{"schema": 5}',
    ]
    table = bad_rows_table(rows, stamp)
    assert table.column("schema").to_pylist() == ["iglu:com.x/y/jsonschema/1-0-0", None, None]
    assert table.column("data").to_pylist()[1] == "not json \ufffd"
    assert table.column("load_tstamp").to_pylist() == [stamp] * 3


@settings(max_examples=100)
@given(st.lists(st.binary(max_size=200), max_size=10))
def test_bad_rows_table_never_raises(rows: list[bytes]) -> None:
    table = bad_rows_table(rows, datetime(2024, 1, 1, tzinfo=UTC))
    assert table.num_rows == len(rows)
