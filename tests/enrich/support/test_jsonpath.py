from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.support.jsonpath import JsonPath, collapse

DATA = {"a": {"b": "x", "c": [{"id": 1, "n": "p"}, {"id": 2, "n": "q"}]}, "e": ["s1"]}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.a.b", ["x"]),
        ("$.a.c[*].n", ["p", "q"]),
        ("$..id", [1, 2]),
        ("$.a.c[?(@.id == 2)].n", ["q"]),
        ("$['a']['b']", ["x"]),
        ("$.a.c", [{"id": 1, "n": "p"}, {"id": 2, "n": "q"}]),  # one array: its items
        ("$.e", ["s1"]),
        ("$.missing", []),
    ],
)
def test_queries(path: str, expected: list[Any]) -> None:
    assert JsonPath(path, "test").query(DATA) == expected


def test_collapse_is_snowplows_wrap_array() -> None:
    assert collapse(["x"]) == "x"
    assert collapse([1, 2]) == [1, 2]
    assert collapse([]) == []


def test_replace_writes_in_place_and_reports() -> None:
    data = {"a": ["x", 1], "b": {"c": "y"}}
    written = JsonPath("$..c", "t").replace(data, lambda v: v.upper())
    assert written == [("y", "Y")]
    assert data == {"a": ["x", 1], "b": {"c": "Y"}}
    assert JsonPath("$.zz", "t").replace(data, lambda v: "never") == []


@pytest.mark.parametrize("path", ["a.b", "", "$.[[", 7, None])
def test_bad_paths_are_config_errors(path: Any) -> None:
    with pytest.raises(EnrichmentConfigError, match="setting: JSONPath"):
        JsonPath(path, "setting")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "id"]), children, max_size=3)
    ),
    max_leaves=10,
)
PATHS = [JsonPath(p, "t") for p in ("$.a", "$..id", "$.a[*].b", "$[0]", "$.b[?(@.id > 1)]")]


@settings(max_examples=100, deadline=None)
@given(JSON)
def test_queries_never_raise(data: Any) -> None:
    for path in PATHS:
        assert isinstance(path.query(data), list)
