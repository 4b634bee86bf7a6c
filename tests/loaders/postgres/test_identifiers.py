from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.iglu import SchemaKey
from pyplow.loaders.postgres.identifiers import (
    MAX_IDENTIFIER_BYTES,
    qualified,
    quote,
    quote_literal,
    sanitise,
    snake_case,
    table_name,
)


def _key(uri: str) -> SchemaKey:
    key = SchemaKey.parse(uri)
    assert isinstance(key, SchemaKey)
    return key


def test_table_name_follows_snowplow_naming() -> None:
    assert table_name(_key("iglu:com.acme/checkout/jsonschema/1-0-0")) == "com_acme_checkout_1"
    assert (
        table_name(_key("iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"))
        == "com_snowplowanalytics_snowplow_web_page_1"
    )
    assert table_name(_key("iglu:org.schema/WebPage/jsonschema/2-1-0")) == "org_schema_web_page_2"
    assert table_name(_key("iglu:com.my-co/CheckoutStep/jsonschema/3-0-0")) == (
        "com_my_co_checkout_step_3"
    )


def test_snake_case() -> None:
    assert snake_case("pageViewId") == "page_view_id"
    assert snake_case("already_snake") == "already_snake"
    assert snake_case("a.b-c d") == "a_b_c_d"


def test_long_names_are_cut_with_a_hash() -> None:
    long_a = "x" * 70 + "a"
    long_b = "x" * 70 + "b"
    assert len(sanitise(long_a)) == MAX_IDENTIFIER_BYTES
    assert sanitise(long_a) != sanitise(long_b)
    assert sanitise(long_a).startswith("x" * 54 + "_")


def test_sanitise_odd_names() -> None:
    assert sanitise("1st") == "_1st"
    assert sanitise("") == "_"
    assert sanitise('Robert"); DROP TABLE x;--') == "robert____drop_table_x___"


def test_quoting() -> None:
    assert quote('we"ird') == '"we""ird"'
    assert qualified("atomic", "events") == '"atomic"."events"'
    assert quote_literal("it's") == "'it''s'"


@settings(max_examples=200)
@given(st.text())
def test_sanitise_always_gives_a_safe_identifier(name: str) -> None:
    ident = sanitise(name)
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", ident)
    assert len(ident.encode()) <= MAX_IDENTIFIER_BYTES
    assert sanitise(ident) == ident or len(ident) == MAX_IDENTIFIER_BYTES
