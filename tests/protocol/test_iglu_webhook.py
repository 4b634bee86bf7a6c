"""The Iglu webhook adapter: any self-describing event by GET, JSON or form POST."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from pyplow.protocol import CollectorPayload, InputData, NotIglu, to_raw_events
from pyplow.protocol.iglu_webhook import iglu_webhook_parameters

IGLU = "/com.snowplowanalytics.iglu/v1"
LINK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"


def unstruct(params: dict[str, str | None]) -> dict[str, object]:
    text = params["ue_pr"]
    assert text is not None
    envelope = json.loads(text)
    assert envelope["schema"].endswith("/unstruct_event/jsonschema/1-0-0")
    inner: dict[str, object] = envelope["data"]
    return inner


def test_get_with_schema_and_fields() -> None:
    query = {"schema": LINK, "targetUrl": "https://a.test", "aid": "shop", "nuid": "n", "x": None}
    (event,) = iglu_webhook_parameters(query, None, None)  # type: ignore[misc]
    assert event["e"] == "ue"
    assert event["tv"] == "com.snowplowanalytics.iglu-v1"
    assert event["p"] == "app"
    assert event["aid"] == "shop"
    assert event["nuid"] == "n"
    assert unstruct(event) == {"schema": LINK, "data": {"targetUrl": "https://a.test", "x": ""}}


def test_post_whole_self_describing_json() -> None:
    body = json.dumps({"schema": LINK, "data": {"targetUrl": "https://a.test"}})
    (event,) = iglu_webhook_parameters({"p": "srv"}, body, "application/json")  # type: ignore[misc]
    assert event["p"] == "srv"
    assert unstruct(event)["data"] == {"targetUrl": "https://a.test"}


def test_post_array_with_schema_parameter_gives_several_events() -> None:
    body = json.dumps([{"targetUrl": "https://a.test/1"}, {"targetUrl": "https://a.test/2"}])
    events = iglu_webhook_parameters({"schema": LINK}, body, "application/json; charset=utf-8")
    assert isinstance(events, list)
    assert [unstruct(e)["data"] for e in events] == [
        {"targetUrl": "https://a.test/1"},
        {"targetUrl": "https://a.test/2"},
    ]


def test_post_form() -> None:
    events = iglu_webhook_parameters(
        {"schema": LINK},
        "targetUrl=https%3A%2F%2Fa.test&elementId=x",
        "application/x-www-form-urlencoded",
    )
    assert isinstance(events, list)
    assert events[0]["p"] == "srv"
    assert unstruct(events[0])["data"] == {"targetUrl": "https://a.test", "elementId": "x"}


def test_failures() -> None:
    assert isinstance(iglu_webhook_parameters({}, None, None), InputData)
    assert isinstance(iglu_webhook_parameters({"schema": "nope"}, None, None), InputData)
    wrong_type = iglu_webhook_parameters({"schema": LINK}, "{}", "text/plain")
    assert isinstance(wrong_type, InputData)
    assert wrong_type.field == "contentType"
    not_sdj = iglu_webhook_parameters({}, '{"a": 1}', "application/json")
    assert isinstance(not_sdj, NotIglu)
    scalars = iglu_webhook_parameters({"schema": LINK}, "[1, 2]", "application/json")
    assert isinstance(scalars, InputData)


def test_through_the_adapter_dispatch() -> None:
    payload = CollectorPayload(
        collector="c", path=IGLU, querystring=f"schema={LINK}&targetUrl=x", timestamp=0
    )
    result = to_raw_events(payload)
    assert result.ok
    (event,) = result.events
    assert (event.vendor, event.version) == ("com.snowplowanalytics.iglu", "v1")
    bad = to_raw_events(CollectorPayload(collector="c", path=IGLU, timestamp=0))
    assert bad.family.value == "adapter_failures"


@given(
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text(max_size=8)), max_size=4),
    st.one_of(st.none(), st.text(max_size=40)),
    st.sampled_from([None, "application/json", "application/x-www-form-urlencoded", "x"]),
)
def test_never_raises(query: dict[str, str | None], body: str | None, ct: str | None) -> None:
    iglu_webhook_parameters(query, body, ct)
