"""The common layout: column selection, canonical types, order, list item names."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from pyplow.analytics.columns import ATOMIC_NAMES, Selection, conform, is_wide, plain_type
from pyplow.loaders.wide import ATOMIC_SCHEMA


def test_the_canonical_columns_are_the_loaders() -> None:
    assert tuple(ATOMIC_SCHEMA.names) == ATOMIC_NAMES
    assert len(ATOMIC_NAMES) == 129
    assert ATOMIC_NAMES[-1] == "load_tstamp"
    assert is_wide("contexts_com_acme_product_1")
    assert is_wide("unstruct_event_com_acme_checkout_1")
    assert not is_wide("derived_contexts")


def test_selection_checks_names() -> None:
    assert Selection.of(None).names is None
    assert Selection.of(["event_id", "contexts_x_1"]).names == ("event_id", "contexts_x_1")
    with pytest.raises(ValueError, match=r"unknown column.*'evnt'"):
        Selection.of(["event_id", "evnt"])
    with pytest.raises(ValueError, match="asked for twice: event_id"):
        Selection.of(["event_id", "event_id"])
    with pytest.raises(TypeError, match="list of names"):
        Selection.of("event_id")


def test_selection_fetches_the_sort_keys_too() -> None:
    available = ["app_id", "collector_tstamp", "event_id", "contexts_a_1", "contexts_b_1"]
    assert Selection.of(["contexts_b_1"]).fetch(available) == [
        "collector_tstamp",
        "event_id",
        "contexts_b_1",
    ]
    assert Selection().fetch(available) == available


def _source_table() -> pa.Table:
    """What DuckDB gives: naive timestamps, lists with items called ``l``, rows unordered."""
    item = pa.struct([("sku", pa.string())])
    return pa.table(
        {
            "event_id": ["b", "a", "c"],
            "collector_tstamp": pa.array(
                [datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 9)],
                pa.timestamp("us"),
            ),
            "contexts_com_acme_product_1": pa.array(
                [[{"sku": "b"}], None, [{"sku": "c"}]], pa.list_(pa.field("l", item))
            ),
        }
    )


def test_conform_orders_types_and_fills() -> None:
    table = conform(_source_table(), Selection())
    assert table.column_names == [*ATOMIC_NAMES, "contexts_com_acme_product_1"]
    assert table.column("event_id").to_pylist() == ["c", "a", "b"]  # by time, then id
    assert table.schema.field("collector_tstamp").type == pa.timestamp("us", tz="UTC")
    assert table.column("collector_tstamp")[0].as_py() == datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert table.schema.field("page_urlport").type == pa.int32()
    assert table.column("page_urlport").null_count == 3
    assert table.schema.field("tr_total").type == pa.decimal128(18, 2)
    products = table.schema.field("contexts_com_acme_product_1").type
    assert products.value_field.name == "item"
    assert table.column("contexts_com_acme_product_1").to_pylist() == [
        [{"sku": "c"}],
        None,
        [{"sku": "b"}],
    ]


def test_conform_keeps_the_asked_order_and_fills_absent_wide_columns() -> None:
    names = ["contexts_com_acme_missing_1", "event_id", "load_tstamp"]
    table = conform(_source_table(), Selection.of(names))
    assert table.column_names == names
    assert table.column("contexts_com_acme_missing_1").type == pa.null()
    assert table.column("event_id").to_pylist() == ["c", "a", "b"]
    assert table.schema.field("load_tstamp").type == pa.timestamp("us", tz="UTC")


def test_plain_type_renames_list_items_at_every_depth() -> None:
    inner = pa.list_(pa.field("element", pa.string()))
    kind = pa.list_(pa.field("l", pa.struct([("tags", inner)])))
    assert plain_type(kind) == pa.list_(pa.struct([("tags", pa.list_(pa.string()))]))
    assert plain_type(pa.int64()) == pa.int64()
