from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.support.sql import rename, to_json, translate_placeholders


@pytest.mark.parametrize(
    ("sql", "expected", "count"),
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = %s AND b = %s", 2),
        (
            "SELECT '?', \"?\" FROM t WHERE x LIKE 'a%' AND y = ?",
            "SELECT '?', \"?\" FROM t WHERE x LIKE 'a%%' AND y = %s",
            1,
        ),
        (
            "SELECT 'it''s ?' , ? -- why?\n, ? /* ? */",
            "SELECT 'it''s ?' , %s -- why?\n, %s /* ? */",
            2,
        ),
        ("SELECT 5 % 2", "SELECT 5 %% 2", 0),
        ("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0),
    ],
)
def test_placeholders_are_translated_outside_literals(sql: str, expected: str, count: int) -> None:
    assert translate_placeholders(sql) == (expected, count)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ?%'\"-/*\n")), max_size=40))
def test_translation_never_raises_and_counts_what_it_wrote(sql: str) -> None:
    translated, count = translate_placeholders(sql)
    assert translated.count("%s") >= count
    assert count <= sql.count("?")
    # Undoing the translation gives the statement back.
    assert translated.replace("%s", "?").replace("%%", "%") == sql or "%s" in sql


@pytest.mark.parametrize(
    ("naming", "name", "expected"),
    [
        ("AS_IS", "User_ID", "User_ID"),
        ("CAMEL_CASE", "user_id_2", "userId2"),
        ("PASCAL_CASE", "user_id", "UserId"),
        ("SNAKE_CASE", "userId", "user_id"),
        ("SNAKE_CASE", "HTTPServerName", "http_server_name"),
        ("SNAKE_CASE", "first-name", "first_name"),
        ("LOWER_CASE", "UserId", "userid"),
        ("UPPER_CASE", "user_id", "USER_ID"),
    ],
)
def test_property_names(naming: str, name: str, expected: str) -> None:
    assert rename(naming, name) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (7, 7),
        (1.5, 1.5),
        (float("nan"), None),
        (Decimal("12.50"), 12.5),
        (Decimal("3.00"), 3),
        (Decimal("NaN"), None),
        ("x", "x"),
        (datetime(2020, 1, 2, 3, 4, 5, 6000), "2020-01-02T03:04:05.006000"),
        (
            datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2020-01-02T01:04:05Z",
        ),
        (datetime(2020, 1, 2, tzinfo=UTC), "2020-01-02T00:00:00Z"),
        (date(2020, 1, 2), "2020-01-02"),
        (time(3, 4), "03:04:00"),
        (timedelta(minutes=1), 60.0),
        (b"abc", "abc"),
        (b"\xff", "/w=="),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ({"a": [Decimal("1")]}, {"a": [1]}),
        ((1, "a"), [1, "a"]),
    ],
)
def test_values_become_json(value: Any, expected: Any) -> None:
    assert to_json(value) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text()
        | st.decimals()
        | st.datetimes()
        | st.binary(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=10,
    )
)
def test_to_json_always_gives_encodable_json(value: Any) -> None:
    msgspec.json.encode(to_json(value))
