"""Payload building: exact parameters, base64 and JSON variants, POST bodies."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow_tracker.payload import (
    PAYLOAD_DATA_SCHEMA,
    SelfDescribingJson,
    add_json,
    encode_number,
    event_size,
    get_query,
    post_body,
)

CHECKOUT = SelfDescribingJson("iglu:com.acme/checkout/jsonschema/1-0-0", {"step": 2, "n": None})
PRODUCT = SelfDescribingJson("iglu:com.acme/product/jsonschema/1-0-0", {"sku": "BW-001"})


def test_base64_self_describing_event_and_contexts() -> None:
    event = {"e": "ue"}
    add_json(event, unstruct=CHECKOUT, contexts=[PRODUCT], base64_encode=True)
    assert set(event) == {"e", "ue_px", "cx"}
    ue = json.loads(base64.urlsafe_b64decode(event["ue_px"]))
    assert ue == {
        "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        "data": {
            "schema": "iglu:com.acme/checkout/jsonschema/1-0-0",
            "data": {"step": 2, "n": None},
        },
    }
    cx = json.loads(base64.urlsafe_b64decode(event["cx"]))
    assert cx["schema"] == "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
    assert cx["data"] == [
        {"schema": "iglu:com.acme/product/jsonschema/1-0-0", "data": {"sku": "BW-001"}}
    ]
    assert "+" not in event["ue_px"]
    assert "/" not in event["ue_px"]


def test_plain_json_variant() -> None:
    event = {"e": "pv"}
    add_json(event, unstruct=None, contexts=[PRODUCT], base64_encode=False)
    assert event == {
        "e": "pv",
        "co": '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",'
        '"data":[{"schema":"iglu:com.acme/product/jsonschema/1-0-0","data":{"sku":"BW-001"}}]}',
    }


def test_no_contexts_adds_nothing() -> None:
    event = {"e": "pv"}
    add_json(event, unstruct=None, contexts=[], base64_encode=True)
    assert event == {"e": "pv"}


def test_bad_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="not an Iglu URI"):
        SelfDescribingJson("com.acme/x/jsonschema/1-0-0", {})


def test_get_query_puts_stm_last() -> None:
    query = get_query(
        {"e": "pv", "page": "Café ☕", "url": "http://a.test/?q=1&r=2"}, 1700000000123
    )
    assert query == (
        "e=pv&page=Caf%C3%A9+%E2%98%95&url=http%3A%2F%2Fa.test%2F%3Fq%3D1%26r%3D2&stm=1700000000123"
    )


def test_post_body_is_payload_data_with_one_stm() -> None:
    body = json.loads(post_body([{"e": "pv", "tv": "t"}, {"e": "pp", "tv": "t"}], 42))
    assert body == {
        "schema": PAYLOAD_DATA_SCHEMA,
        "data": [{"e": "pv", "tv": "t", "stm": "42"}, {"e": "pp", "tv": "t", "stm": "42"}],
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (19.99, "19.99"),
        (3.5, "3.5"),
        (7, "7"),
        (1e20, "100000000000000000000"),
        (Decimal("1.50"), "1.50"),
        (-0.25, "-0.25"),
        (1e-7, "0.0000001"),
    ],
)
def test_numbers_have_no_exponent(value: float | int | Decimal, text: str) -> None:
    assert encode_number(value) == text


def test_numbers_refuse_nan_and_bool() -> None:
    with pytest.raises(ValueError, match="finite"):
        encode_number(float("nan"))
    with pytest.raises(TypeError, match="bool"):
        encode_number(True)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(data=JSON_VALUES, b64=st.booleans())
def test_self_describing_round_trip(data: object, b64: bool) -> None:
    event = {"e": "ue"}
    add_json(
        event,
        unstruct=SelfDescribingJson("iglu:a.b/c/jsonschema/1-0-0", data),
        contexts=[],
        base64_encode=b64,
    )
    raw = base64.urlsafe_b64decode(event["ue_px"]).decode() if b64 else event["ue_pr"]
    assert json.loads(raw)["data"]["data"] == data


@settings(max_examples=60, deadline=None)
@given(event=st.dictionaries(st.text(min_size=1), st.text(), max_size=8), stm=st.integers(0, 2**42))
def test_get_and_post_round_trip(event: dict[str, str], stm: int) -> None:
    event.pop("stm", None)
    assert dict(parse_qsl(get_query(event, stm), keep_blank_values=True)) == {
        **event,
        "stm": str(stm),
    }
    body = post_body([event], stm)
    assert json.loads(body)["data"] == [{**event, "stm": str(stm)}]
    assert event_size(event) >= len(json.dumps(event, ensure_ascii=False).encode()) - 2 * len(event)


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_encode_number_is_exact(value: float | int) -> None:
    text = encode_number(value)
    assert "e" not in text.lower()
    assert Decimal(text) == Decimal(repr(value)) if isinstance(value, float) else int(text) == value
