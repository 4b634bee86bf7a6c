"""Page and referrer URLs: java.net.URI rules, the lenient second parse, the page query."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.urls import ParsedUrl, apply_page_url, apply_referrer, page_query, parse_url


def parsed(value: str) -> ParsedUrl:
    result = parse_url(value)
    assert isinstance(result, ParsedUrl), result
    return result


def parts(value: str) -> tuple[Any, ...]:
    url = parsed(value)
    return (url.scheme, url.host, url.port, url.path, url.query, url.fragment)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://www.example.com/oracles/deck.html?view=print#detail",
            ("http", "www.example.com", 80, "/oracles/deck.html", "view=print", "detail"),
        ),
        (
            "http://example.org/all?utm_term=buy%2Btarot&utm_medium=cpc",
            ("http", "example.org", 80, "/all", "utm_term=buy%2Btarot&utm_medium=cpc", None),
        ),
        (
            "http://example.co.nz:440/login.asp",
            ("http", "example.co.nz", 440, "/login.asp", None, None),
        ),
        (
            "https://www.example.ac.uk#footer",
            ("https", "www.example.ac.uk", 443, None, None, "footer"),
        ),
        ("https://www2.example.com/", ("https", "www2.example.com", 443, "/", None, None)),
        (
            "https://example.com/analytic%0As/index%09nasty.html",
            ("https", "example.com", 443, "/analytic%0As/index%09nasty.html", None, None),
        ),
        ("HTTPS://example.com/", ("HTTPS", "example.com", 80, "/", None, None)),
        (
            "http://127.0.0.1:42099/index.html",
            ("http", "127.0.0.1", 42099, "/index.html", None, None),
        ),
        ("http://[2001:db8::7]:8080/x", ("http", "[2001:db8::7]", 8080, "/x", None, None)),
        ("http://user:pw@example.com/", ("http", "example.com", 80, "/", None, None)),
        ("http://example.com.:81", ("http", "example.com.", 81, None, None, None)),
        ("http://example.com?q=1", ("http", "example.com", 80, None, "q=1", None)),
        ("/relative/page?x=1", (None, None, 80, "/relative/page", "x=1", None)),
        ("mailto:someone@example.com", ("mailto", None, 80, None, None, None)),
        ("android-app://com.example.app/", ("android-app", "com.example.app", 80, "/", None, None)),
        ("http:///only/path", ("http", None, 80, "/only/path", None, None)),
        # Hosts java.net.URI does not take as server names: registry authority, no host.
        ("http://www.ex_ample.com/", ("http", None, 80, "/", None, None)),
        ("http://münchen.de/straße?q=ü", ("http", None, 80, "/straße", "q=ü", None)),
        ("http://example.123/", ("http", None, 80, "/", None, None)),
        ("http://256.1.1.1/", ("http", None, 80, "/", None, None)),
        ("http://example.com:port/", ("http", None, 80, "/", None, None)),
        ("http://example.com:99999999999/", ("http", None, 80, "/", None, None)),
        ("http://-bad.example.com/", ("http", None, 80, "/", None, None)),
    ],
)
def test_components(url: str, expected: tuple[Any, ...]) -> None:
    assert parts(url) == expected
    assert parsed(url).text == url


def test_spaces_become_percent_20() -> None:
    url = parsed("http://www.example.com/sp a ce?q=a b#f g")
    assert url.text == "http://www.example.com/sp%20a%20ce?q=a%20b#f%20g"
    assert (url.path, url.query, url.fragment) == ("/sp%20a%20ce", "q=a%20b", "f%20g")


def test_correctly_encoded_url_kept() -> None:
    assert parsed("www.example.com/a%23b/?c=d%24e").text == "www.example.com/a%23b/?c=d%24e"


def _expected_recoding(url: str) -> str:
    """What the lenient second parse makes of the test URLs below (only these characters)."""
    out = url.replace("%", "%25").replace(" ", "%20").replace("|", "%7C").replace("$", "%24")
    for char, code in (("{", "%7B"), ("}", "%7D"), ("[", "%5B"), ("]", "%5D")):
        out = out.replace(char, code)
    out = out.replace("#", "%23").replace("%23", "#", 1)
    sharp = out.find("#")
    if sharp < 0:
        return out
    tail = out[sharp:]
    for char, code in (("?", "%3F"), ("/", "%2F"), ("=", "%3D"), ("&", "%26")):
        tail = tail.replace(char, code)
    return out[:sharp] + tail


_SPECIAL = ["|", "${a}", "${a b}", "$[a]", "#{a}", "#{{a b}}", "#a#", "##a b##", "%a%", "%%%a%%%"]


@pytest.mark.parametrize("chars", _SPECIAL)
@pytest.mark.parametrize(
    "template",
    [
        "http://www.example.com/a/b/{c}",
        "http://www.example.com/a{c}{c}",
        "http://www.example.com/a{c}/c{c}{c}d",
        "http://www.example.com/a{c}b/456?d=e{c}{c}f&g=h{c}i&j=k",
        "http://www.example.com/a{c}b/c?d=e&f=g{c}{c}{c}h",
    ],
)
def test_lenient_second_parse(template: str, chars: str) -> None:
    url = template.replace("{c}", chars)
    assert parsed(url).text == _expected_recoding(url)


def test_lenient_parse_decodes_then_encodes() -> None:
    url = parsed("http://example.com/a|b?q=%41|%zz&flag#frag|x")
    assert url.text == "http://example.com/a%7Cb?q=A%7C%25zz&flag#frag%7Cx"
    assert (url.host, url.path, url.query) == ("example.com", "/a%7Cb", "q=A%7C%25zz&flag")


@pytest.mark.parametrize(
    ("url", "java_error"),
    [
        ("http:", "Expected scheme-specific part at index 5: http:"),
        ("http://", "Expected authority at index 7: http://"),
        ("http://[::1/x", "Expected closing bracket for IPv6 address at index 11: http://[::1/x"),
    ],
)
def test_unparsable(url: str, java_error: str) -> None:
    error = parse_url(url)
    assert isinstance(error, str)
    assert error.startswith(f"Provided URI [{url}] could not be parsed, neither by Java parsing")
    assert f"(error: [{java_error}])" in error


def test_apply_page_url_prefers_the_url_parameter() -> None:
    fields: dict[str, Any] = {"page_url": "http://example.com/custom page"}
    result = apply_page_url(fields, "http://example.com/original")
    assert isinstance(result, ParsedUrl)
    assert fields == {
        "page_url": "http://example.com/custom%20page",
        "page_urlscheme": "http",
        "page_urlhost": "example.com",
        "page_urlport": 80,
        "page_urlpath": "/custom%20page",
        "page_urlquery": None,
        "page_urlfragment": None,
    }


def test_apply_page_url_falls_back_to_referer_header() -> None:
    fields: dict[str, Any] = {}
    apply_page_url(fields, "https://example.com/landing?utm_source=x")
    assert fields["page_url"] == "https://example.com/landing?utm_source=x"
    assert fields["page_urlport"] == 443
    assert fields["page_urlquery"] == "utm_source=x"
    empty: dict[str, Any] = {}
    assert apply_page_url(empty, None) is None
    assert empty == {}


def test_apply_page_url_failure_leaves_fields() -> None:
    fields: dict[str, Any] = {"page_url": "http://"}
    error = apply_page_url(fields, None)
    assert isinstance(error, str)
    assert "http://" in error
    assert fields == {"page_url": "http://"}


def test_apply_referrer() -> None:
    fields: dict[str, Any] = {"page_referrer": "https://www.google.com/search?q=blue+widget"}
    assert apply_referrer(fields) is None
    assert fields == {
        "page_referrer": "https://www.google.com/search?q=blue+widget",
        "refr_urlscheme": "https",
        "refr_urlhost": "www.google.com",
        "refr_urlport": 443,
        "refr_urlpath": "/search",
        "refr_urlquery": "q=blue+widget",
        "refr_urlfragment": None,
    }
    assert apply_referrer({}) is None
    bad: dict[str, Any] = {"page_referrer": "http:"}
    assert isinstance(apply_referrer(bad), str)
    assert bad == {"page_referrer": "http:"}


def test_page_query() -> None:
    url = parsed("http://example.com/p?utm_source=news+letter&a=%C3%A9;b&_sp=abc.1&a=2#x=1")
    assert page_query(url) == [
        ("utm_source", "news letter"),
        ("a", "é"),
        ("b", None),
        ("_sp", "abc.1"),
        ("a", "2"),
    ]
    assert page_query("http://example.com/?x=1") == [("x", "1")]
    assert page_query("http://example.com/") == []
    assert page_query("http:") == []
    assert page_query(None) == []


_URL_CHARS = st.sampled_from([*list("ab:/?#[]@!$&'()*+,;=%-._~|{}\"<>\\^` é\t"), "%41", "%zz"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_URL_CHARS, max_size=30).map("".join)))
def test_parse_url_never_raises_and_is_stable(value: str) -> None:
    for candidate in (value, "http://example.com/" + value, "https://" + value):
        result = parse_url(candidate)
        if isinstance(result, ParsedUrl):
            # The text a URL is rewritten to parses to the very same parts.
            assert parse_url(result.text) == result
            assert result.port > 0
        else:
            assert result.startswith("Provided URI [")
        page_query(candidate)
