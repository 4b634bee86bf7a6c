"""Querystring parsing: java.net.URI syntax check + Apache URLEncodedUtils splitting/decoding."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.protocol.querystring import (
    Querystring,
    QuerystringError,
    _general_pairs,
    _plain_pairs,
    check_querystring,
    parse_pairs,
    parse_querystring,
    to_param_dict,
)


def test_basic_pairs_in_order_with_duplicates() -> None:
    parsed = parse_querystring("e=pv&page=Caf%C3%A9+%E2%98%95&e=pp&flag&empty=")
    assert isinstance(parsed, Querystring)
    assert parsed.pairs == (
        ("e", "pv"),
        ("page", "Café ☕"),
        ("e", "pp"),
        ("flag", None),
        ("empty", ""),
    )
    assert parsed.to_dict() == {"e": "pp", "page": "Café ☕", "flag": None, "empty": ""}
    assert list(parsed.to_dict()) == ["e", "page", "flag", "empty"]
    assert to_param_dict(parsed.pairs) == parsed.to_dict()


def test_separators_and_empty_names() -> None:
    assert parse_pairs("a=1;b=2&&c=3&=orphan&;") == (("a", "1"), ("b", "2"), ("c", "3"))
    assert parse_pairs("a=b=c") == (("a", "b=c"),)
    assert parse_pairs("") == ()
    assert parse_querystring(None) == Querystring(())
    assert parse_querystring("") == Querystring(())
    assert not parse_querystring("&&")


def test_plus_and_escapes() -> None:
    assert parse_pairs("q=a+b%2Bc%20d") == (("q", "a b+c d"),)
    assert parse_pairs("k%3Dx=v%26w") == (("k=x", "v&w"),)
    assert parse_pairs("u=%E2%82%AC%e2%82%ac") == (("u", "€€"),)
    assert parse_pairs("bad=%FF") == (("bad", "\ufffd"),)


def test_malformed_escapes_are_kept_literally_by_the_lenient_parser() -> None:
    assert parse_pairs("a=100%") == (("a", "100%"),)
    assert parse_pairs("a=%4") == (("a", "%4"),)
    assert parse_pairs("a=%zz") == (("a", "%zz"),)
    assert parse_pairs("a=%%41") == (("a", "%%41"),)  # '%' eats the next two characters
    assert parse_pairs("a=%+1") == (("a", "%+1"),)  # ... so this '+' stays a plus
    assert parse_pairs("a=x%+") == (("a", "x% "),)  # too short to be an escape: + is a space


def test_lenient_whitespace_and_raw_non_ascii() -> None:
    assert parse_pairs(" a = b  c ") == (("a", "b c"),)
    assert parse_pairs("a=\té") == (("a", "\ufffd"),)  # low byte 0xE9 alone is not UTF-8


def test_fragment_is_not_part_of_the_query() -> None:
    assert parse_querystring("a=1#b=2") == Querystring((("a", "1"),))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("a=b c", "Illegal character in query at index 21: http://localhost/?a=b c"),
        ("a=%zz", "Malformed escape pair at index 20: http://localhost/?a=%zz"),
        ("a=100%", "Malformed escape pair at index 23: http://localhost/?a=100%"),
        ("ip=1|2", "Illegal character in query at index 22: http://localhost/?ip=1|2"),
        ('q="x"', 'Illegal character in query at index 20: http://localhost/?q="x"'),
        ("a=1#b#c", "Illegal character in fragment at index 23: http://localhost/?a=1#b#c"),
        ("a=\u00a0", "Illegal character in query at index 20: http://localhost/?a=\u00a0"),
        ("a=\x85", "Illegal character in query at index 20: http://localhost/?a=\x85"),
    ],
)
def test_java_uri_refusals(raw: str, message: str) -> None:
    result = parse_querystring(raw)
    assert result == QuerystringError(raw, message)
    assert check_querystring(raw) == result


@pytest.mark.parametrize(
    "raw",
    ["a=é", "a=☕", "path=/x/y?z:@!$'()*,;[]~-_.", "a=%41%4a%4A", "url=http%3A%2F%2Fexample.org"],
)
def test_java_uri_accepts(raw: str) -> None:
    assert check_querystring(raw) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_never_raises(raw: str) -> None:
    result = parse_querystring(raw)
    assert isinstance(result, Querystring | QuerystringError)
    pairs = parse_pairs(raw)
    assert all(name for name, _ in pairs)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT.filter(bool), _TEXT), max_size=8))
def test_round_trip_of_encoded_pairs(pairs: list[tuple[str, str]]) -> None:
    for encoded in (urlencode(pairs), urlencode(pairs, quote_via=quote)):
        parsed = parse_querystring(encoded)
        assert isinstance(parsed, Querystring)
        assert parsed.pairs == tuple(pairs)


_QUERY_TEXT = st.text(alphabet="ab=&;%2Fe9C3A9x+ \t", max_size=40) | st.lists(
    st.tuples(_TEXT, _TEXT), max_size=6
).map(lambda pairs: urlencode(pairs, quote_via=quote))


@settings(max_examples=500, deadline=None)
@given(_QUERY_TEXT)
def test_the_plain_fast_path_equals_the_general_rules(raw: str) -> None:
    # parse_pairs takes a shortcut for ASCII text without whitespace or malformed escapes;
    # on every such text it must give what the general rules give.
    assert parse_pairs(raw) == _general_pairs(raw)
    well_formed = re.search(r"%(?![0-9A-Fa-f]{2})", raw) is None
    if raw.isascii() and well_formed and not any(c in raw for c in " \t\r\n"):
        assert _plain_pairs(raw) == _general_pairs(raw)
