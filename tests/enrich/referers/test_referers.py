from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.referers import (
    MEDIA,
    Provider,
    Referer,
    RefererDatabase,
    RefererDatabaseError,
    RefererParser,
    builtin_database,
    decode_form_component,
    load_database,
)

DB = RefererDatabase.from_json(
    {
        "unknown": {"Example Maps": {"domains": ["maps.example.com"]}},
        "search": {
            "Example": {"domains": ["example.com", "search.example.org"], "parameters": ["q", "p"]},
            "Example Images": {"domains": ["example.com/images"], "parameters": ["q"]},
            "Deep": {"domains": ["example.com/images/deep/x"], "parameters": ["q"]},
        },
        "social": {"Chirp": {"domains": ["chirp.example", "c.ex"]}},
        "email": {"ExMail": {"domains": ["example.org/webmail"]}},
    }
)
PARSER = RefererParser(DB, ["cdn.mysite.com "])


def classify(
    scheme: str,
    host: str,
    path: str = "/",
    query: str | None = None,
    page: str | None = "mysite.com",
) -> Referer | None:
    return PARSER.classify(scheme, host, path, query, page)


def test_lookup_parent_domains_and_paths() -> None:
    assert DB.lookup("www.example.com", "/") == Provider("search", "Example", ("q", "p"))
    assert DB.lookup("a.b.example.com", "/images/1") == Provider("search", "Example Images", ("q",))
    assert DB.lookup("example.com", "/images/deep/x") == Provider("search", "Deep", ("q",))
    assert DB.lookup("example.org", "/webmail/inbox").source == "ExMail"  # type: ignore[union-attr]
    assert DB.lookup("example.org", "/other") is None
    assert DB.lookup("example.com.", "") == Provider("search", "Example", ("q", "p"))
    assert DB.lookup("nothing.test", "/") is None


def test_classification() -> None:
    assert classify("https", "mysite.com") == Referer("internal")
    assert classify("http", "cdn.mysite.com") == Referer("internal")
    assert classify("https", "unknown.test") == Referer("unknown")
    assert classify("https", "maps.example.com") == Referer("unknown")
    assert classify("https", "c.ex", "/x") == Referer("social", "Chirp")
    assert classify("ftp", "example.com") is None
    assert classify("https", "") is None
    assert classify("android-app", "c.ex", "") == Referer("social", "Chirp")


def test_search_term_first_matching_pair_in_url_order() -> None:
    result = classify("https", "www.example.com", "/search", "x=1&p=second&q=first+term%21")
    assert result == Referer("search", "Example", "second")
    assert classify("https", "example.com", "/s", "q=caf%C3%A9") == Referer(
        "search", "Example", "café"
    )
    assert classify("https", "example.com", "/s", "q=%zz&p=ok") == Referer(
        "search", "Example", "ok"
    )
    assert classify("https", "example.com", "/s", "q") == Referer("search", "Example", "")
    assert classify("https", "example.com", "/s") == Referer("search", "Example", None)


def test_later_entries_and_inline_referrers_win() -> None:
    extended = DB.extended({"paid": {"Ads": {"domains": ["c.ex"]}}})
    assert extended.lookup("c.ex", "/") == Provider("paid", "Ads")
    assert DB.lookup("c.ex", "/") == Provider("social", "Chirp")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "object of media"),
        ({"video": {}}, "unknown medium"),
        ({"search": {"X": {"domains": "x.com"}}}, "search.X"),
        ({"search": {"X": {"domains": ["x.com"], "parameters": [1]}}}, "search.X"),
    ],
)
def test_malformed_databases(data: object, message: str) -> None:
    with pytest.raises(RefererDatabaseError, match=message):
        RefererDatabase.from_json(data)


def test_load_database_errors(tmp_path: Path) -> None:
    with pytest.raises(RefererDatabaseError, match="cannot read"):
        load_database(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(RefererDatabaseError, match="not valid JSON"):
        load_database(broken)


def test_builtin_database_is_well_formed_and_knows_the_majors() -> None:
    db = builtin_database()
    assert len(db) > 200
    parser = RefererParser(db)
    expectations = {
        ("www.google.co.uk", "/search", "q=shoes"): Referer("search", "Google", "shoes"),
        ("www.bing.com", "/search", "q=a+b"): Referer("search", "Bing", "a b"),
        ("duckduckgo.com", "/", "q=x"): Referer("search", "DuckDuckGo", "x"),
        ("l.facebook.com", "/l.php", None): Referer("social", "Facebook"),
        ("t.co", "/abc", None): Referer("social", "Twitter"),
        ("mail.google.com", "/mail/u/0", None): Referer("email", "Gmail"),
        ("www.googleadservices.com", "/pagead", None): Referer("paid", "Google"),
        ("chatgpt.com", "/", None): Referer("chatbot", "ChatGPT"),
        ("docs.google.com", "/", None): Referer("unknown"),
    }
    for (host, path, query), expected in expectations.items():
        assert parser.classify("https", host, path, query, None) == expected, host


@settings(max_examples=100)
@given(st.text(alphabet=st.sampled_from("%+aZ09=&é"), max_size=12))
def test_decode_never_raises(text: str) -> None:
    decoded = decode_form_component(text)
    assert decoded is None or "+" not in decoded


@settings(max_examples=100)
@given(st.text(max_size=20), st.text(max_size=20), st.one_of(st.none(), st.text(max_size=20)))
def test_classify_never_raises(host: str, path: str, query: str | None) -> None:
    result = RefererParser(builtin_database()).classify("https", host, path, query, "mysite.com")
    assert result is None or result.medium in MEDIA | {"internal"}
