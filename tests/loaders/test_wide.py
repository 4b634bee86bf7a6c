"""The wide-row layout: atomic Arrow types, schema → Arrow types, columns per family."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.event import FIELDS
from pyplow.loaders.wide import ATOMIC_COLUMNS, WideLayout, arrow_type, field_name, wide_column
from pyplow.loaders.wide.shapes import Mismatch, converter, shape_of

from .wide_fixtures import CHECKOUT, PRODUCT, TS, event, registry


def test_atomic_columns_are_typed() -> None:
    types = dict(ATOMIC_COLUMNS)
    assert len(ATOMIC_COLUMNS) == 129 == len(FIELDS) - 3 + 1
    assert types["collector_tstamp"] == pa.timestamp("us", tz="UTC")
    assert types["load_tstamp"] == pa.timestamp("us", tz="UTC")
    assert types["se_value"] == pa.float64()
    assert types["tr_total"] == pa.decimal128(18, 2)
    assert types["geo_latitude"] == pa.float64()
    assert types["br_cookies"] == pa.bool_()
    assert types["page_urlport"] == pa.int32()
    assert types["event_id"] == pa.string()
    assert "contexts" not in types
    assert "unstruct_event" not in types


def test_wide_column_names() -> None:
    assert wide_column("contexts", PRODUCT + "1-0-1") == "contexts_com_acme_product_1"
    assert wide_column("unstruct_event", CHECKOUT + "1-0-0") == "unstruct_event_com_acme_checkout_1"
    assert field_name("useragentFamily") == "useragent_family"
    assert field_name("9lives") == "_9lives"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "format": "date-time"}, pa.string()),
        ({"type": ["integer", "null"]}, pa.int64()),
        ({"type": ["integer", "number"]}, pa.float64()),
        ({"type": "boolean"}, pa.bool_()),
        ({"enum": ["a", "b"]}, pa.string()),
        ({"type": "array", "items": {"type": "integer"}}, pa.list_(pa.int64())),
        (
            {"type": "object", "properties": {"zB": {"type": "string"}, "a": {"type": "number"}}},
            pa.struct([("a", pa.float64()), ("z_b", pa.string())]),
        ),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, pa.string()),
        ({"type": ["string", "integer"]}, pa.string()),
        ({"type": "object", "patternProperties": {".*": {}}}, pa.string()),
        ({"type": "object", "properties": {"a": {}}, "additionalProperties": {}}, pa.string()),
        ({"$ref": "#/definitions/x"}, pa.string()),
    ],
)
def test_arrow_type(schema: dict[str, Any], expected: pa.DataType) -> None:
    assert arrow_type(schema) == expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100)
@given(json_values)
def test_converters_never_raise_other_errors(value: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "s": {"type": "string"},
            "n": {"type": "integer"},
            "l": {"type": "array", "items": {"type": "number"}},
            "j": {"anyOf": [{"type": "string"}]},
        },
    }
    convert = converter(shape_of(schema))
    try:
        out = convert(value)
    except Mismatch as exc:
        failure = exc.expected  # a typed failure, nothing else
        out = None
    else:
        failure = ""
    assert isinstance(failure, str)
    arr = pa.array([out], type=arrow_type(schema))  # what fits converts, and Arrow takes it
    assert len(arr) == 1


@settings(max_examples=50)
@given(st.dictionaries(st.sampled_from(["a", "b"]), json_values, max_size=2))
def test_json_fields_round_trip(value: dict[str, Any]) -> None:
    convert = converter(shape_of({"type": "object", "properties": {"a": {}, "b": {}}}))
    out = convert(value)
    for key in ("a", "b"):
        if value.get(key) is None:
            assert out[key] is None
        else:
            assert msgspec.json.decode(out[key]) == value[key]


def test_to_arrow_builds_columns_and_bad_rows(tmp_path: Path) -> None:
    layout = WideLayout(registry(tmp_path))
    good = event(
        "e1",
        products=((PRODUCT + "1-0-0", {"sku": "A", "unitPrice": 2}),),
        unstruct=(CHECKOUT + "1-0-0", {"step": 2, "paid": True}),
        tr_total=Decimal("12.505"),
    )
    wrong = event("e2", products=((PRODUCT + "1-0-0", {"sku": 5}),))
    missing = event("e3", products=(("iglu:com.acme/nope/jsonschema/1-0-0", {}),))
    out = layout.to_arrow([good, wrong, missing], TS)
    assert out.table.num_rows == 1
    assert [e.event_id for e in out.events] == ["e1"]
    row = out.table.to_pylist()[0]
    assert row["contexts_com_acme_product_1"] == [
        {"_schema_version": "1-0-0", "sku": "A", "unit_price": 2.0}
    ]
    assert row["unstruct_event_com_acme_checkout_1"] == {"paid": True, "step": 2}
    assert row["tr_total"] == Decimal("12.51")
    assert row["load_tstamp"] == TS
    bad = [msgspec.json.decode(b) for b in out.bad]
    assert [b["data"]["payload"]["event_id"] for b in bad] == ["e2", "e3"]
    assert bad[0]["schema"].endswith("loader_iglu_error/jsonschema/2-0-1")
    assert bad[0]["data"]["failure"] == [
        {"schemaKey": PRODUCT + "1-0-0", "value": 5, "expected": "string"}
    ]
    assert bad[1]["data"]["failure"][0]["error"]["error"] == "ResolutionError"


def test_atomic_out_of_range_is_a_bad_row(tmp_path: Path) -> None:
    layout = WideLayout(registry(tmp_path))
    out = layout.to_arrow([event("e1", page_urlport=2**40), event("e2")], TS)
    assert [e.event_id for e in out.events] == ["e2"]
    (bad,) = [msgspec.json.decode(b) for b in out.bad]
    assert bad["data"]["failure"][0]["value"] == {"page_urlport": 2**40}


def test_revisions_share_a_widened_column(tmp_path: Path) -> None:
    layout = WideLayout(registry(tmp_path))
    first = layout.columns_for([event("e1", products=((PRODUCT + "1-0-0", {"sku": "A"}),))])
    assert [(c.name, c.previous) for c in first] == [("contexts_com_acme_product_1", None)]
    layout.accept(first)
    assert layout.columns_for([event("e1", products=((PRODUCT + "1-0-0", {"sku": "A"}),))]) == []
    later = [event("e2", products=((PRODUCT + "1-0-1", {"sku": "B", "tags": ["x"]}),))]
    (widened,) = layout.columns_for(later)
    assert widened.previous == first[0].type
    assert widened.type.value_type.get_field_index("tags") >= 0
    layout.accept([widened])
    old = layout.to_arrow([event("e3", products=((PRODUCT + "1-0-0", {"sku": "C"}),))], TS)
    assert old.table.schema.field("contexts_com_acme_product_1").type == widened.type


def test_untypeable_schema_is_json_text(tmp_path: Path) -> None:
    layout = WideLayout(registry(tmp_path))
    out = layout.to_arrow(
        [event("e1", unstruct=("iglu:com.acme/blob/jsonschema/1-0-0", {"x": 1}))], TS
    )
    assert out.table.schema.field("unstruct_event_com_acme_blob_1").type == pa.string()
    assert out.table.to_pylist()[0]["unstruct_event_com_acme_blob_1"] == '{"x":1}'
