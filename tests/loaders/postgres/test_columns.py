from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.loaders.postgres.columns import Column, ColumnKind, column_type, schema_columns

CHECKOUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "orderId": {"type": "string", "maxLength": 32},
        "total": {"type": "number"},
        "items": {"type": "integer", "minimum": 0, "maximum": 1000},
        "big": {"type": "integer", "minimum": 0, "maximum": 2**40},
        "mid": {"type": "integer", "minimum": 0, "maximum": 100000},
        "count": {"type": "integer"},
        "placedAt": {"type": ["string", "null"], "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "ref": {"type": "string", "format": "uuid"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
        "tier": {"enum": ["free", "enterprise"]},
        "note": {"type": "string"},
        "shipping": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 50}, "express": {}},
            "required": ["city"],
        },
        "tags": {"type": "array", "items": {"type": "string"}},
        "extra": {"type": "object"},
        "mixed": {"type": ["string", "integer"]},
        "flag": {"type": "boolean"},
    },
    "required": ["orderId", "total", "shipping", "flag"],
}


def _by_name(schema: dict[str, Any], *, redshift: bool = False) -> dict[str, str]:
    return {c.name: column_type(c, redshift=redshift) for c in schema_columns(schema)}


def test_types_follow_the_schema() -> None:
    assert _by_name(CHECKOUT) == {
        "flag": "boolean",
        "order_id": "varchar(32)",
        "shipping_city": "varchar(50)",
        "total": "double precision",
        "big": "bigint",
        "count": "bigint",
        "country": "char(2)",
        "day": "date",
        "extra": "jsonb",
        "items": "smallint",
        "mid": "integer",
        "mixed": "jsonb",
        "note": "text",
        "placed_at": "timestamp",
        "ref": "uuid",
        "shipping_express": "jsonb",
        "tags": "jsonb",
        "tier": "varchar(10)",
    }


def test_redshift_types() -> None:
    types = _by_name(CHECKOUT, redshift=True)
    assert types["note"] == "varchar(4096)"
    assert types["tags"] == "varchar(65535)"
    assert types["ref"] == "char(36)"
    assert types["order_id"] == "varchar(32)"


def test_not_null_first_then_by_name_and_nested_paths() -> None:
    columns = schema_columns(CHECKOUT)
    required = [c.name for c in columns if not c.nullable]
    assert required == ["flag", "order_id", "shipping_city", "total"]
    assert [c.name for c in columns[: len(required)]] == required
    city = next(c for c in columns if c.name == "shipping_city")
    assert city.path == ("shipping", "city")
    assert city == Column(
        name="shipping_city",
        path=("shipping", "city"),
        kind=ColumnKind.VARCHAR,
        length=50,
        nullable=False,
    )


def test_children_of_optional_objects_are_nullable() -> None:
    schema = {
        "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"]}
        }
    }
    (column,) = schema_columns(schema)
    assert column.name == "a_b"
    assert column.nullable


def test_colliding_names_stay_distinct() -> None:
    schema = {"properties": {"fooBar": {"type": "string"}, "foo_bar": {"type": "string"}}}
    names = [c.name for c in schema_columns(schema)]
    assert len(set(names)) == 2
    assert "foo_bar" in names


def test_no_properties_no_columns() -> None:
    assert schema_columns({"type": "object"}) == ()
    assert schema_columns({"properties": "nonsense"}) == ()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=150)
@given(st.dictionaries(st.text(max_size=10), _json, max_size=5), st.booleans())
def test_any_properties_never_raise(properties: dict[str, Any], redshift: bool) -> None:
    columns = schema_columns({"properties": properties, "required": list(properties)[:2]})
    names = [c.name for c in columns]
    assert len(set(names)) == len(names)
    for column in columns:
        assert column_type(column, redshift=redshift)
