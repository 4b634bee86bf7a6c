"""Hand-written enriched-event rows and hypothesis strategies shared by the event tests."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from pyplow.event import (
    FIELD_INDEX,
    FIELDS,
    Contexts,
    EnrichedEvent,
    Entity,
    Kind,
    UnstructEvent,
    WholeSecondTimestamp,
    encode_json,
    format_java_float,
    format_timestamp,
)


def row(**values: str) -> str:
    """A 131-field TSV line with the given fields set and every other field empty."""
    fields = [""] * len(FIELDS)
    for name, text in values.items():
        fields[FIELD_INDEX[name]] = text
    return "\t".join(fields)


REQUIRED = {
    "collector_tstamp": "2024-03-01 12:00:00.250",
    "event_id": "5f3c1a2b-9d8e-4f70-a1b2-c3d4e5f60718",
    "v_collector": "ssc-3.2.0-kinesis",
    "v_etl": "snowplow-enrich-kinesis-4.1.0",
}

CONTEXTS_JSON = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1","data":['
    '{"schema":"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",'
    '"data":{"id":"a86c42e5-b831-45c8-b706-e214c26b4b3d"}},'
    '{"schema":"iglu:com.acme/CartState/jsonschema/2-1-0",'
    '"data":{"items":3,"total":59.9,"currency":"EUR","note":"Größe M ✓"}}]}'
)
DERIVED_JSON = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1","data":['
    '{"schema":"iglu:nl.basjes/yauaa_context/jsonschema/1-0-4",'
    '"data":{"deviceClass":"Desktop","agentName":"Firefox"}}]}'
)

PAGE_VIEW = row(
    app_id="shop",
    platform="web",
    etl_tstamp="2024-03-01 12:00:01.003",
    dvce_created_tstamp="2024-03-01 12:00:00.000",
    event="page_view",
    name_tracker="sp",
    v_tracker="js-3.23.0",
    domain_sessionidx="4",
    geo_latitude="48.8566",
    geo_longitude="2.3522",
    page_url="https://shop.example/cart?x=1",
    page_urlport="443",
    contexts=CONTEXTS_JSON,
    br_cookies="1",
    br_features_pdf="0",
    derived_contexts=DERIVED_JSON,
    derived_tstamp="2024-03-01 12:00:00.125",
    **REQUIRED,
)

TRANSACTION = row(
    event="transaction",
    tr_orderid="order-17",
    tr_total="12.50",
    tr_tax="2.08",
    tr_shipping="0.00",
    tr_currency="EUR",
    tr_total_base="13.5125",
    base_currency="USD",
    se_value="1E+3",
    **REQUIRED,
)

OLD_SECOND_PRECISION = row(
    etl_tstamp="2014-02-01 10:11:12",
    collector_tstamp="2013-11-26 00:02:05",
    event_id="c6ef3124-b53a-4b13-a233-0088f79dcbcb",
    v_collector="clj-tomcat-0.1.0",
    v_etl="serde-0.5.2",
    dvce_created_tstamp="2013-11-26 00:03:57.885",
)

UNSTRUCT_JSON = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",'
    '"data":{"schema":"iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",'
    '"data":{"targetUrl":"https://example.com/a","elementId":"nav"}}}'
)


def _full_text(field_kind: Kind, name: str) -> str:
    samples = {
        Kind.INT: "-2147483648" if name == "txn_id" else "2147483647",
        Kind.DEC: "0.000001",
        Kind.FLOAT: "-33.86882",
        Kind.BOOL: "1",
        Kind.TS: "1999-12-31 23:59:59.999",
        Kind.UUID: "00000000-0000-4000-8000-00000000000A",
        Kind.CONTEXTS: CONTEXTS_JSON,
        Kind.UNSTRUCT: UNSTRUCT_JSON,
    }
    return samples.get(field_kind, f"v-{name}")


EVERY_FIELD = row(**{f.name: _full_text(f.kind, f.name) for f in FIELDS})


# ---------------------------------------------------------------- hypothesis strategies

_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\t\n\r"),
    min_size=1,
    max_size=12,
)
_timestamps = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
)
_whole_seconds = st.builds(
    lambda d: WholeSecondTimestamp(d.year, d.month, d.day, d.hour, d.minute, d.second, tzinfo=UTC),
    _timestamps,
)
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_segment = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=8)
_schemas = st.builds(
    lambda v, n, m, r, a: f"iglu:{v}/{n}/jsonschema/{m}-{r}-{a}",
    st.text(string.ascii_lowercase + ".-_", min_size=1, max_size=10),
    _segment,
    st.integers(1, 12),
    st.integers(0, 5),
    st.integers(0, 5),
)
_entities = st.builds(Entity, _schemas, _json)
_contexts = st.builds(
    Contexts,
    st.sampled_from(
        [
            "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
        ]
    ),
    st.lists(_entities, max_size=3).map(tuple),
)
_unstructs = st.builds(lambda e: UnstructEvent(data=e), _entities)

_VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.STR: _text,
    Kind.INT: st.integers(-(2**31), 2**31 - 1),
    Kind.DEC: st.decimals(allow_nan=False, allow_infinity=False),
    Kind.FLOAT: st.floats(allow_nan=False, allow_infinity=False),
    Kind.BOOL: st.booleans(),
    Kind.TS: _timestamps | _whole_seconds,
    Kind.UUID: st.uuids().map(str),
    Kind.CONTEXTS: _contexts,
    Kind.UNSTRUCT: _unstructs,
}


@st.composite
def events(draw: st.DrawFn) -> EnrichedEvent:
    """Arbitrary valid events: each optional field absent or set, required fields set."""
    kwargs: dict[str, Any] = {}
    for field in FIELDS:
        if field.required or draw(st.booleans()):
            kwargs[field.name] = draw(_VALUES[field.kind])
    return EnrichedEvent(**kwargs)


_TEXTS: dict[Kind, st.SearchStrategy[str]] = {
    Kind.STR: _text,
    Kind.INT: st.integers(-(2**31), 2**31 - 1).map(str),
    Kind.DEC: st.decimals(allow_nan=False, allow_infinity=False).map(str),
    Kind.FLOAT: st.floats(allow_nan=False, allow_infinity=False, width=32).map(format_java_float),
    Kind.BOOL: st.sampled_from(["0", "1"]),
    Kind.TS: (
        _timestamps.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
        | _whole_seconds
    ).map(format_timestamp),
    Kind.UUID: st.uuids().map(str),
    Kind.CONTEXTS: _contexts.map(encode_json),
    Kind.UNSTRUCT: _unstructs.map(encode_json),
}


@st.composite
def tsv_lines(draw: st.DrawFn) -> str:
    """Arbitrary rows in the exact form Enrich writes."""
    texts = []
    for field in FIELDS:
        present = field.required or draw(st.booleans())
        texts.append(draw(_TEXTS[field.kind]) if present else "")
    return "\t".join(texts)
