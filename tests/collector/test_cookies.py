"""Network user id resolution and the cookies that carry it."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from pyplow.collector.cookies import (
    ANONYMOUS_NUID,
    CookieConfig,
    DoNotTrackConfig,
    cookie_domain,
    do_not_track,
    network_user_id,
    parse_cookie_header,
    recorded_cookie_header,
    set_cookie_headers,
)

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
DEFAULT = CookieConfig()


def nuid(**kwargs: object) -> str:
    base: dict[str, object] = {
        "anonymous": False,
        "nuid_param": None,
        "cookies": {},
        "config": DEFAULT,
        "new_id": lambda: "new-id",
    }
    base.update(kwargs)
    return network_user_id(**base)  # type: ignore[arg-type]


def test_resolution_order() -> None:
    assert nuid() == "new-id"
    assert nuid(cookies={"sp": "from-cookie"}) == "from-cookie"
    assert nuid(cookies={"sp": "from-cookie"}, nuid_param="from-param") == "from-param"
    assert nuid(cookies={"sp": "c"}, nuid_param="p", anonymous=True) == ANONYMOUS_NUID
    assert nuid(cookies={"other": "x"}) == "new-id"
    assert nuid(cookies={"nuid": "mine"}, config=CookieConfig(name="nuid")) == "mine"


def test_default_cookie_attributes() -> None:
    (header,) = set_cookie_headers(
        DEFAULT, "abc", now=NOW, origin=None, anonymous=False, had_cookie=False
    )
    assert header == (
        "sp=abc; Expires=Sat, 01 Mar 2025 12:00:00 GMT; Path=/; SameSite=None; Secure; HttpOnly"
    )


def test_domain_from_origin_and_client_cookie() -> None:
    config = CookieConfig(
        domains=("acme.com", "acme.org"),
        fallback_domain="fallback.net",
        same_site="Lax",
        secure=False,
        client_cookie_name="sp_client",
        expiration_days=1,
    )
    server, client = set_cookie_headers(
        config,
        "id1",
        now=NOW,
        origin="https://shop.acme.org:8443",
        anonymous=False,
        had_cookie=True,
    )
    attributes = "Expires=Sat, 02 Mar 2024 12:00:00 GMT; Path=/; Domain=acme.org; SameSite=Lax"
    assert server == f"sp=id1; {attributes}; HttpOnly"
    assert client == f"sp_client=id1; {attributes}"


def test_domain_rule() -> None:
    config = CookieConfig(domains=("acme.com", ".www.acme.com"), fallback_domain="fb.io")
    assert cookie_domain(config, "https://www.acme.com") == "acme.com"  # first configured match
    assert cookie_domain(config, "http://acme.com:8080") == "acme.com"
    assert cookie_domain(config, "https://notacme.com") == "fb.io"  # suffix needs a dot
    assert cookie_domain(config, "https://x.example https://a.acme.com") == "acme.com"
    assert cookie_domain(config, None) == "fb.io"
    assert cookie_domain(CookieConfig(domains=("acme.com",)), "https://evil.test") is None


def test_anonymous_requests_delete_an_existing_cookie_and_set_none() -> None:
    assert (
        set_cookie_headers(
            DEFAULT, ANONYMOUS_NUID, now=NOW, origin=None, anonymous=True, had_cookie=False
        )
        == []
    )
    (deletion,) = set_cookie_headers(
        DEFAULT, ANONYMOUS_NUID, now=NOW, origin=None, anonymous=True, had_cookie=True
    )
    assert deletion.startswith("sp=; Expires=Thu, 02 Mar 2023 12:00:00 GMT;")


def test_disabled_cookie_sets_nothing() -> None:
    config = CookieConfig(enabled=False)
    assert (
        set_cookie_headers(config, "x", now=NOW, origin=None, anonymous=False, had_cookie=False)
        == []
    )


def test_do_not_track_cookie() -> None:
    config = DoNotTrackConfig(enabled=True, name="dnt", value="1|yes")
    assert do_not_track({"dnt": "yes"}, config)
    assert not do_not_track({"dnt": "yes please"}, config)  # the whole value must match
    assert not do_not_track({}, config)
    assert not do_not_track({"dnt": "1"}, DoNotTrackConfig(name="dnt", value="1"))  # disabled


def test_parse_cookie_header() -> None:
    assert parse_cookie_header('sp=abc; _sp_id.dc78=x.y; q="quoted"; sp=second; junk') == {
        "sp": "abc",
        "_sp_id.dc78": "x.y",
        "q": "quoted",
    }
    assert parse_cookie_header(None) == {}


def test_recorded_cookie_header_drops_invalid_parts() -> None:
    header = "sp=abc; bad=has space; _sp_ses.dc78=*; weird=a,b; empty="
    # Spaces go first (as Snowplow does), so "has space" survives as "hasspace".
    assert recorded_cookie_header(header) == "sp=abc;bad=hasspace;_sp_ses.dc78=*;empty="
    assert recorded_cookie_header("bad=a\\b") is None


@given(st.text(max_size=200))
def test_cookie_parsing_never_raises(header: str) -> None:
    parse_cookie_header(header)
    recorded = recorded_cookie_header(header)
    assert recorded is None or " " not in recorded
