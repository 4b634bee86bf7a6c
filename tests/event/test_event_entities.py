import msgspec
import pytest
from event_rows import CONTEXTS_JSON, UNSTRUCT_JSON
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.event import (
    CONTEXTS_SCHEMA_1_0_0,
    CONTEXTS_SCHEMA_1_0_1,
    UNSTRUCT_EVENT_SCHEMA,
    Contexts,
    Entity,
    EnvelopeError,
    UnstructEvent,
    decode_contexts,
    decode_unstruct_event,
    encode_json,
)


def test_contexts_decode_keeps_order_types_and_envelope() -> None:
    contexts = decode_contexts(CONTEXTS_JSON)
    assert isinstance(contexts, Contexts)
    assert contexts.schema == CONTEXTS_SCHEMA_1_0_1
    assert [e.schema for e in contexts.data] == [
        "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
        "iglu:com.acme/CartState/jsonschema/2-1-0",
    ]
    cart = contexts.data[1].data
    assert list(cart) == ["items", "total", "currency", "note"]
    assert cart["items"] == 3
    assert type(cart["items"]) is int
    assert encode_json(contexts) == CONTEXTS_JSON  # raw UTF-8, compact, same key order


def test_contexts_1_0_0_envelope_is_remembered() -> None:
    text = '{"schema":"' + CONTEXTS_SCHEMA_1_0_0 + '","data":[]}'
    contexts = decode_contexts(text)
    assert contexts == Contexts(CONTEXTS_SCHEMA_1_0_0, ())
    assert encode_json(contexts) == text


def test_unstruct_decode() -> None:
    event = decode_unstruct_event(UNSTRUCT_JSON)
    assert event == UnstructEvent(
        schema=UNSTRUCT_EVENT_SCHEMA,
        data=Entity(
            "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
            {"targetUrl": "https://example.com/a", "elementId": "nav"},
        ),
    )
    assert encode_json(event) == UNSTRUCT_JSON


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not a self-describing JSON"),
        (
            '{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":[]}',
            "Unknown payload: iglu:com.acme/x",
        ),
        (
            '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/2-0-0","data":[]}',
            "expected iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-*",
        ),
        (
            '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1","data":{}}',
            "contexts data must be an array",
        ),
        (
            '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",'
            '"data":[{"schema":"iglu:a/b/jsonschema/1-0-0"}]}',
            "missing required field `data`",
        ),
        (
            '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",'
            '"data":[{"schema":"iglu:a/b/jsonschema/0-1-0","data":{}}]}',
            "invalid schema URI 'iglu:a/b/jsonschema/0-1-0' at $.data[0].schema",
        ),
        ('{"schema":"com.acme/x","data":[]}', "invalid schema URI 'com.acme/x' at $.schema"),
        ('{"data":[]}', "missing required field `schema`"),
        (UNSTRUCT_JSON, "Unknown payload: " + UNSTRUCT_EVENT_SCHEMA),
    ],
)
def test_contexts_errors(text: str, fragment: str) -> None:
    error = decode_contexts(text)
    assert isinstance(error, EnvelopeError)
    assert fragment in error.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (CONTEXTS_JSON, "Unknown payload: " + CONTEXTS_SCHEMA_1_0_1),
        ('{"schema":"' + UNSTRUCT_EVENT_SCHEMA + '","data":[]}', "must be a self-describing"),
        (
            '{"schema":"' + UNSTRUCT_EVENT_SCHEMA + '","data":{"schema":"x","data":1}}',
            "invalid schema URI 'x' at $.data.schema",
        ),
        ("[1,", "not a self-describing JSON"),
    ],
)
def test_unstruct_errors(text: str, fragment: str) -> None:
    error = decode_unstruct_event(text)
    assert isinstance(error, EnvelopeError)
    assert fragment in error.message


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=100)
@given(st.lists(_json, max_size=3))
def test_contexts_round_trip(payloads: list[object]) -> None:
    contexts = Contexts(
        CONTEXTS_SCHEMA_1_0_1,
        tuple(Entity(f"iglu:com.acme/e{i}/jsonschema/1-0-{i}", p) for i, p in enumerate(payloads)),
    )
    text = encode_json(contexts)
    assert decode_contexts(text) == contexts
    assert encode_json(decode_contexts(text)) == text  # type: ignore[arg-type]


@settings(max_examples=200)
@given(st.text(max_size=60) | _json.map(lambda v: msgspec.json.encode(v).decode()))
def test_decoders_never_raise(text: str) -> None:
    assert isinstance(decode_contexts(text), Contexts | EnvelopeError)
    assert isinstance(decode_unstruct_event(text), UnstructEvent | EnvelopeError)
