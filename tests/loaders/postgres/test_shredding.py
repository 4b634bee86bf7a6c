from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu import SchemaKey
from pyplow.loaders.postgres.columns import schema_columns
from pyplow.loaders.postgres.shredding import METADATA_COLUMNS, CastFailure, entity_row

KEY = SchemaKey.parse("iglu:com.acme/checkout/jsonschema/1-0-2")
assert isinstance(KEY, SchemaKey)
SCHEMA: dict[str, Any] = {
    "properties": {
        "orderId": {"type": "string", "maxLength": 5},
        "placedAt": {"type": "string", "format": "date-time"},
        "day": {"type": ["string", "null"], "format": "date"},
        "n": {"type": "integer", "minimum": 0, "maximum": 10},
        "total": {"type": "number"},
        "ok": {"type": "boolean"},
        "tags": {"type": "array"},
        "ship": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
    "required": ["orderId"],
}
COLUMNS = schema_columns(SCHEMA)
NAMES = [c.name for c in COLUMNS]
ROOT = datetime(2024, 3, 1, 12, tzinfo=UTC)


def _row(data: Any) -> tuple[Any, ...] | CastFailure:
    return entity_row(KEY, COLUMNS, data, "e-1", ROOT)


def test_row_starts_with_metadata_then_values() -> None:
    row = _row(
        {
            "orderId": "A1",
            "placedAt": "2024-03-01T13:00:00+01:00",
            "day": "2024-02-29",
            "n": 3,
            "total": 7,
            "ok": True,
            "tags": ["a", "é"],
            "ship": {"city": "Paris"},
        }
    )
    assert isinstance(row, tuple)
    meta = row[: len(METADATA_COLUMNS)]
    assert meta == (
        "com.acme", "checkout", "jsonschema", "1-0-2", "e-1", ROOT,
        "events", "events.checkout", "events",
    )  # fmt: skip
    values = dict(zip(NAMES, row[len(METADATA_COLUMNS) :], strict=True))
    assert values == {
        "order_id": "A1",
        "day": date(2024, 2, 29),
        "n": 3,
        "ok": True,
        "placed_at": datetime(2024, 3, 1, 12, 0),  # converted to UTC, naive
        "ship_city": "Paris",
        "tags": '["a","é"]',
        "total": 7.0,
    }


def test_missing_optional_values_are_null() -> None:
    row = _row({"orderId": "A1"})
    assert isinstance(row, tuple)
    assert row[len(METADATA_COLUMNS) :] == (("A1",) + (None,) * (len(COLUMNS) - 1))


def test_values_that_do_not_fit_are_failures() -> None:
    uri = "iglu:com.acme/checkout/jsonschema/1-0-2"
    assert _row({"orderId": "TOO-LONG"}) == CastFailure(
        uri, "TOO-LONG", "orderId: a string of at most 5 characters"
    )
    assert _row({"orderId": "A", "n": 40000}) == CastFailure(
        uri, 40000, "n: an integer from -32768 to 32767"
    )
    assert _row({"orderId": "A", "n": True}) == CastFailure(
        uri, True, "n: an integer from -32768 to 32767"
    )
    assert _row({"orderId": "A", "placedAt": "yesterday"}) == CastFailure(
        uri, "yesterday", "placedAt: an ISO-8601 date-time"
    )
    assert _row({"orderId": "A\x00"}) == CastFailure(
        uri, "A\x00", "orderId: a string of at most 5 characters without NUL characters"
    )
    assert _row({}) == CastFailure(uri, None, "a value for orderId")
    assert _row([1, 2]) == CastFailure(uri, [1, 2], "a JSON object")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(["orderId", "placedAt", "day", "n", "total", "ok", "tags", "ship"]), _json
    )
    | _json
)
def test_entity_row_never_raises(data: Any) -> None:
    row = _row(data)
    if isinstance(row, tuple):
        assert len(row) == len(METADATA_COLUMNS) + len(COLUMNS)
    else:
        assert row.schema_key.endswith("1-0-2")
