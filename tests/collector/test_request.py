"""From an HTTP request to the raw record Snowplow's collector would write."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pyplow.collector.request import HttpRequest, client_ip, recorded_headers, to_payload
from pyplow.protocol import CollectorPayload, decode_collector_payload, encode_collector_payload

NUID = "c5f3a09f-75f8-4309-bec5-fea560f78455"

POST = HttpRequest(
    method="POST",
    path="/com.snowplowanalytics.snowplow/tp2",
    query="",
    headers=(
        ("host", "collector.acme.com:8080"),
        ("user-agent", "Mozilla/5.0 (X11)"),
        ("origin", "https://shop.acme.com"),
        ("referer", "https://shop.acme.com/basket"),
        ("content-type", "application/json; charset=UTF-8"),
        ("x-forwarded-for", "203.0.113.7, 10.0.0.1"),
        ("cookie", "sp=" + NUID + "; bad=a,b; _sp_ses.dc78=*"),
    ),
    body=b'{"schema":"iglu:x","data":[]}',
    peer="10.0.0.2",
)


def record(request: HttpRequest, **kwargs: object) -> CollectorPayload:
    options: dict[str, object] = {
        "path": request.path,
        "network_user_id": NUID,
        "timestamp_ms": 1_700_000_000_123,
        "collector_name": "pyplow-0.1.0-memory",
    }
    options.update(kwargs)
    return to_payload(request, **options)  # type: ignore[arg-type]


def test_post_is_recorded_like_snowplows_collector() -> None:
    payload = record(POST)
    assert payload == CollectorPayload(
        ip_address="10.0.0.2",  # X-Forwarded-For is not trusted unless configured
        timestamp=1_700_000_000_123,
        encoding="UTF-8",
        collector="pyplow-0.1.0-memory",
        user_agent="Mozilla/5.0 (X11)",
        referer_uri="https://shop.acme.com/basket",
        path="/com.snowplowanalytics.snowplow/tp2",
        querystring=None,
        body='{"schema":"iglu:x","data":[]}',
        headers=(
            "Host: collector.acme.com:8080",
            "User-Agent: Mozilla/5.0 (X11)",
            "Origin: https://shop.acme.com",
            "Referer: https://shop.acme.com/basket",
            "Content-Type: application/json; charset=UTF-8",
            "X-Forwarded-For: 203.0.113.7, 10.0.0.1",
            "Cookie: sp=" + NUID + ";_sp_ses.dc78=*",
            "application/json; charset=utf-8",  # appended, lower-cased, as Snowplow does
        ),
        content_type="application/json; charset=utf-8",
        hostname="collector.acme.com",
        network_user_id=NUID,
    )
    assert decode_collector_payload(encode_collector_payload(payload)) == payload


def test_trusted_forwarded_for_gives_the_first_address() -> None:
    assert record(POST, trust_forwarded_for=True).ip_address == "203.0.113.7"
    bare = HttpRequest(method="GET", path="/i")
    assert client_ip(bare, trust_forwarded_for=True) == "unknown"


def test_get_pixel_keeps_the_raw_query_and_has_no_body() -> None:
    request = HttpRequest(
        method="GET",
        path="/i",
        query="e=pv&url=http%3A%2F%2Fa.test%2F&page=Caf%C3%A9",
        headers=(("host", "[::1]:9090"),),
        peer="::1",
    )
    payload = record(request)
    assert payload.querystring == "e=pv&url=http%3A%2F%2Fa.test%2F&page=Caf%C3%A9"
    assert payload.body is None
    assert payload.content_type is None
    assert payload.hostname == "[::1]"
    assert payload.ip_address == "::1"


def test_anonymous_requests_hide_the_ip_and_identifying_headers() -> None:
    anonymous = HttpRequest(
        method=POST.method,
        path=POST.path,
        headers=(*POST.headers, ("x-real-ip", "203.0.113.7"), ("sp-anonymous", "*")),
        body=POST.body,
        peer=POST.peer,
    )
    payload = record(anonymous, trust_forwarded_for=True)
    assert payload.ip_address == "unknown"
    assert payload.headers is not None
    names = [h.split(":", 1)[0].lower() for h in payload.headers]
    assert "cookie" not in names
    assert "x-forwarded-for" not in names
    assert "x-real-ip" not in names
    assert "sp-anonymous" in names


def test_cookie_header_with_nothing_valid_is_left_out() -> None:
    request = HttpRequest(method="GET", path="/i", headers=(("cookie", "a=b\\c"),))
    assert recorded_headers(request) == ()


def test_invalid_utf8_body_is_kept_with_replacement_characters() -> None:
    request = HttpRequest(method="POST", path="/com.acme/v1", body=b"ok \xff\xfe end")
    assert record(request).body == "ok \ufffd\ufffd end"


_header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=40,
)


@given(
    st.sampled_from(["GET", "POST", "HEAD"]),
    st.text(max_size=40),
    st.text(max_size=80),
    st.lists(st.tuples(_header_text, _header_text), max_size=8),
    st.binary(max_size=200),
)
def test_any_request_gives_an_encodable_record(
    method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    request = HttpRequest(
        method=method, path=path, query=query, headers=tuple(headers), body=body, peer="1.2.3.4"
    )
    payload = record(request)
    assert decode_collector_payload(encode_collector_payload(payload)) == payload
