from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError, EventContext
from pyplow.enrich.support.fields import (
    FieldValueError,
    field_from_script,
    field_text,
    field_to_script,
)
from pyplow.enrich.support.inputs import JsonInput, PojoInput, json_text, parse_source, read_source
from pyplow.event.entities import Entity
from pyplow.event.fields import Kind
from pyplow.protocol import RawEvent

CTX = "iglu:com.acme/ctx/jsonschema/1-0-3"


def event() -> EventContext:
    raw = RawEvent(vendor="v", version="tp2", parameters={})
    ev = EventContext(
        raw,
        {"user_id": "u", "app_id": "", "domain_sessionidx": 3},
        contexts=[
            Entity("iglu:com.acme/other/jsonschema/1-0-0", {"id": "no"}),
            Entity(CTX, {"id": "first", "list": [1, 2]}),
            Entity(CTX, {"id": "second"}),
        ],
        unstruct=Entity("iglu:com.acme/click/jsonschema/1-0-0", {"target": None}),
    )
    ev.derived.append(Entity(CTX, {"id": {"deep": True}}))
    return ev


def source(field: str, path: str, criterion: str = "iglu:com.acme/ctx/jsonschema/1-*-*") -> Any:
    return parse_source(
        {"json": {"field": field, "schemaCriterion": criterion, "jsonPath": path}}, "t"
    )


def test_pojo_and_json_sources() -> None:
    ev = event()
    assert parse_source({"pojo": {"field": "user_id"}}, "t") == PojoInput("user_id", Kind.STR)
    assert read_source(ev, parse_source({"pojo": {"field": "user_id"}}, "t")) == "u"
    assert read_source(ev, parse_source({"pojo": {"field": "app_id"}}, "t")) is None
    assert read_source(ev, parse_source({"pojo": {"field": "domain_sessionidx"}}, "t")) == 3
    assert read_source(ev, source("contexts", "$.id")) == "first"  # the first match only
    assert read_source(ev, source("contexts", "$.list")) == [1, 2]
    assert read_source(ev, source("contexts", "$.nope")) is None
    assert read_source(ev, source("derived_contexts", "$.id")) == {"deep": True}
    assert (
        read_source(
            ev, source("unstruct_event", "$.target", "iglu:com.acme/click/jsonschema/1-0-0")
        )
        is None
    )
    assert read_source(ev, source("contexts", "$.id", "iglu:com.acme/ctx/jsonschema/2-*-*")) is None
    assert isinstance(source("contexts", "$.id"), JsonInput)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "exactly one of"),
        ({"pojo": {"field": "contexts"}}, "not an atomic field"),
        ({"pojo": {}, "json": {}}, "exactly one of"),
        ({"json": {"field": "body"}}, "json field 'body'"),
        (
            {"json": {"field": "contexts", "schemaCriterion": "x", "jsonPath": "$"}},
            "schemaCriterion",
        ),
    ],
)
def test_bad_sources(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        parse_source(spec, "t")


def test_json_text() -> None:
    assert json_text("a b") == "a b"
    assert json_text(3) == "3"
    assert json_text(True) == "true"
    assert json_text({"a": [1, None]}) == '{"a":[1,null]}'


def test_field_forms() -> None:
    ts = datetime(2020, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    assert field_text(Kind.TS, ts) == "2020-01-02 03:04:05.006"
    assert field_text(Kind.FLOAT, 1e-5) == "1.0E-5"
    assert field_text(Kind.BOOL, True) == "1"
    assert field_text(Kind.DEC, Decimal("1.50")) == "1.50"
    assert field_text(Kind.STR, "") is None
    assert field_to_script(Kind.TS, ts) == "2020-01-02 03:04:05.006"
    assert field_to_script(Kind.DEC, Decimal("1.50")) == "1.50"
    assert field_to_script(Kind.BOOL, False) == 0
    assert field_from_script("tr_total", 2) == Decimal(2)
    assert field_from_script("geo_latitude", "1.25") == 1.25
    assert field_from_script("br_cookies", "true") is True
    assert field_from_script("user_id", 42.0) == "42"
    assert field_from_script("domain_sessionidx", " 7 ") == 7
    assert field_from_script("domain_sessionidx", None) is None
    assert isinstance(field_from_script("contexts", "[]"), FieldValueError)
    assert isinstance(field_from_script("geo_latitude", float("inf")), FieldValueError)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "user_id",
            "domain_sessionidx",
            "tr_total",
            "geo_latitude",
            "br_cookies",
            "derived_tstamp",
            "event_id",
        ]
    ),
    st.one_of(
        st.none(),
        st.text(),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(), st.integers()),
    ),
)
def test_setting_from_a_script_never_raises(name: str, value: Any) -> None:
    field_from_script(name, value)
