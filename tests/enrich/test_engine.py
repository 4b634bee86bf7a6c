"""The enrich engine: raw records in, exactly one enriched row or one bad row per event out."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.enrich.engine import Engine, EngineSettings
from pyplow.enrich.loading import DEFAULT_CONFIGS, build_enrichments
from pyplow.event import EnrichedEvent, decode_tsv
from pyplow.iglu import Resolver, Validator, builtin_repository
from pyplow.protocol import CollectorPayload, encode_collector_payload

NOW = datetime(2024, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)
NUID = "c5f3a09f-75f8-4309-bec5-fea560f78455"
TP2 = "/com.snowplowanalytics.snowplow/tp2"
UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
VALIDATOR = Validator(Resolver([builtin_repository()]))
DEFAULTS = build_enrichments([("defaults", c) for c in DEFAULT_CONFIGS], VALIDATOR, trusted=True)


def engine(**kwargs: Any) -> Engine:
    ids = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10**6))
    return Engine(DEFAULTS, VALIDATOR, clock=lambda: NOW, new_id=lambda: next(ids), **kwargs)


def payload(**kwargs: Any) -> bytes:
    base: dict[str, Any] = {
        "ip_address": "203.0.113.7",
        "timestamp": 1_709_294_400_000,
        "encoding": "UTF-8",
        "collector": "pyplow-test",
        "user_agent": UA,
        "path": "/i",
        "headers": ("Host: c.test",),
        "hostname": "c.test",
        "network_user_id": NUID,
    }
    base.update(kwargs)
    return encode_collector_payload(CollectorPayload(**base))


def post(events: list[dict[str, str]], **kwargs: Any) -> bytes:
    body = {
        "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
        "data": events,
    }
    return payload(path=TP2, body=json.dumps(body), content_type="application/json", **kwargs)


def sdj(schema: str, data: Any) -> dict[str, Any]:
    return {"schema": schema, "data": data}


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


LINK_CLICK = sdj(
    "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    sdj(
        "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
        {"targetUrl": "https://acme.test/next"},
    ),
)
WEB_PAGE = sdj(
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    [
        sdj(
            "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
            {"id": "4c1b0b5e-8f1a-4a6e-9d7f-2b3c4d5e6f70"},
        )
    ],
)


def good_events(outcome: Any) -> list[EnrichedEvent]:
    events = [decode_tsv(line.decode()) for line in outcome.good]
    assert all(isinstance(e, EnrichedEvent) for e in events), events
    return events  # type: ignore[return-value]


def bad_rows(outcome: Any) -> list[dict[str, Any]]:
    return [json.loads(row) for row in outcome.bad]


def test_page_view_is_enriched_with_the_defaults() -> None:
    query = (
        "e=pv&url=https%3A%2F%2Fshop.acme.test%2Fp%3Futm_source%3Dnews%26utm_medium%3Demail"
        "&refr=https%3A%2F%2Fwww.google.com%2Fsearch%3Fq%3Dblue%2Bwidget&tv=js-4.6.8&p=web"
        "&aid=shop&dtm=1709294399000&stm=1709294399500&eid=7cad8054-c5b7-400a-bdca-3cce63c0f6b7"
        "&cx=" + b64(WEB_PAGE)
    )
    outcome = engine().process(payload(querystring=query))
    assert outcome.bad == []
    (event,) = good_events(outcome)
    assert event.event == "page_view"
    assert event.event_id == "7cad8054-c5b7-400a-bdca-3cce63c0f6b7"
    assert event.collector_tstamp == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert event.etl_tstamp == datetime(2024, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)
    assert event.derived_tstamp == datetime(2024, 3, 1, 11, 59, 59, 500_000, tzinfo=UTC)
    assert event.v_collector == "pyplow-test"
    assert event.v_etl is not None
    assert event.v_etl.startswith("pyplow-enrich-")
    assert (event.page_urlhost, event.page_urlpath, event.page_urlport) == (
        "shop.acme.test",
        "/p",
        443,
    )
    assert (event.refr_medium, event.refr_source, event.refr_term) == (
        "search",
        "Google",
        "blue widget",
    )
    assert (event.mkt_source, event.mkt_medium) == ("news", "email")
    assert event.event_vendor == "com.snowplowanalytics.snowplow"
    assert event.event_name == "page_view"
    assert event.event_fingerprint is not None
    assert event.network_userid == NUID
    assert event.contexts is not None
    assert event.contexts.schema.endswith("contexts/jsonschema/1-0-1")  # re-wrapped as Enrich does
    assert [e.schema.split("/")[1] for e in event.contexts.data] == ["web_page"]
    assert event.derived_contexts is not None
    derived = {e.schema.split("/")[1] for e in event.derived_contexts.data}
    assert derived == {"ua_parser_context", "spiders_and_robots"}


def test_post_batch_gives_one_row_per_event_and_events_fail_alone() -> None:
    events = [
        {"e": "pv", "tv": "js-4.6.8", "p": "web", "url": "https://a.test/1"},
        {"e": "ue", "tv": "js-4.6.8", "p": "web", "ue_px": b64(LINK_CLICK)},
        {"e": "pv", "tv": "js-4.6.8", "p": "web", "vid": "not-a-number"},
        {"e": "se", "tv": "js-4.6.8", "p": "web", "se_ca": "c", "se_ac": "a", "se_va": "1.50"},
    ]
    outcome = engine().process(post(events))
    assert outcome.events == 4
    good = good_events(outcome)
    assert [e.event for e in good] == ["page_view", "unstruct", "struct"]
    assert good[1].event_name == "link_click"
    assert good[1].event_version == "1-0-1"
    assert str(good[2].se_value) == "1.50"
    (bad,) = bad_rows(outcome)
    assert bad["schema"].split("/")[1] == "schema_violations"
    (message,) = bad["data"]["failure"]["messages"]
    assert message["schemaKey"] == "iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0"
    report = message["error"]["dataReports"][0]
    assert report["keyword"] == "atomic_field_parse_error"
    raw = bad["data"]["payload"]["raw"]
    assert {"name": "vid", "value": "not-a-number"} in raw["parameters"]
    assert bad["data"]["payload"]["enriched"]["event"] == "page_view"


def test_invalid_entity_is_a_schema_violation() -> None:
    broken = sdj(
        "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        sdj("iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1", {"nope": 1}),
    )
    query = "e=ue&p=web&ue_pr=" + quote(json.dumps(broken))
    outcome = engine().process(payload(querystring=query))
    (bad,) = bad_rows(outcome)
    assert bad["schema"].endswith("/schema_violations/jsonschema/2-0-1")
    (message,) = bad["data"]["failure"]["messages"]
    assert message["schemaKey"].endswith("link_click/jsonschema/1-0-1")
    keywords = {r["keyword"] for r in message["error"]["dataReports"]}
    assert "required" in keywords


def test_unknown_schema_is_a_resolution_error() -> None:
    event = sdj(
        "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
        sdj("iglu:com.acme/unknown/jsonschema/1-0-0", {}),
    )
    outcome = engine().process(payload(querystring="e=ue&p=web&ue_px=" + b64(event)))
    (bad,) = bad_rows(outcome)
    (message,) = bad["data"]["failure"]["messages"]
    assert message["error"]["error"] == "ResolutionError"


def test_event_type_without_schema_is_an_enrichment_failure() -> None:
    outcome = engine().process(payload(querystring="e=ad&p=web"))
    (bad,) = bad_rows(outcome)
    assert bad["schema"].endswith("/enrichment_failures/jsonschema/2-0-1")
    (message,) = bad["data"]["failure"]["messages"]
    assert message["enrichment"] is None
    assert message["message"]["field"] == "event"


def test_request_level_failures() -> None:
    e = engine()
    garbage = bad_rows(e.process(b"\x0b\x00\x01"))
    assert garbage[0]["schema"].split("/")[1] == "collector_payload_format_violation"
    empty_tp1 = bad_rows(e.process(payload(querystring=None)))
    assert empty_tp1[0]["schema"].split("/")[1] == "adapter_failures"
    bad_body = bad_rows(e.process(payload(path=TP2, body="[", content_type="application/json")))
    assert bad_body[0]["schema"].split("/")[1] == "tracker_protocol_violations"
    unknown = bad_rows(e.process(payload(path="/com.acme/v9", querystring="a=1")))
    assert unknown[0]["schema"].split("/")[1] == "adapter_failures"


def test_oversized_enriched_row_is_a_size_violation() -> None:
    e = engine(settings=EngineSettings(max_record_bytes=300))
    outcome = e.process(payload(querystring="e=pv&p=web&page=" + "x" * 400))
    (bad,) = bad_rows(outcome)
    assert bad["schema"].split("/")[1] == "size_violation"
    assert bad["data"]["failure"]["maximumAllowedSizeBytes"] == 300


def test_too_long_field_is_a_schema_violation_unless_accepted() -> None:
    record = payload(querystring="e=pv&p=web&tna=" + "n" * 129)
    (bad,) = bad_rows(engine().process(record))
    (message,) = bad["data"]["failure"]["messages"]
    assert message["error"]["dataReports"][0]["keyword"] == "atomic_field_length_exceeded"
    accepted = engine(settings=EngineSettings(accept_invalid=True)).process(record)
    assert len(accepted.good) == 1


# --- the invariant ----------------------------------------------------------------------------

_value = st.one_of(
    st.sampled_from(["pv", "pp", "se", "ue", "tr", "ti", "zz", "", "null", "1.5", "x" * 300]),
    st.text(max_size=20),
)
_param = st.sampled_from(
    [
        "e",
        "p",
        "tv",
        "eid",
        "vid",
        "res",
        "url",
        "refr",
        "dtm",
        "se_va",
        "tr_tt",
        "cookie",
        "ue_pr",
        "ue_px",
        "co",
        "cx",
        "page",
        "duid",
        "sid",
        "ttm",
        "extra",
    ]
)
_event = st.dictionaries(_param, _value, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_event, min_size=1, max_size=5), st.booleans())
def test_every_event_ends_as_one_row_or_one_bad_row(
    events: list[dict[str, str]], as_post: bool
) -> None:
    e = engine()
    if as_post:
        for item in events:
            item.update({"tv": "t", "p": "web", "e": item.get("e") or "pv"})
        outcome = e.process(post(events))
    else:
        from urllib.parse import urlencode

        outcome = e.process(payload(querystring=urlencode(events[0]) or None))
        events = events[:1]
    if outcome.bad and len(outcome.good) == 0 and outcome.events == 1 and len(outcome.bad) >= 1:
        # A request-level failure: one row stands for the whole request.
        kind = json.loads(outcome.bad[0])["schema"].split("/")[1]
        if kind in ("adapter_failures", "tracker_protocol_violations"):
            assert len(outcome.bad) == 1
            return
    assert outcome.events == len(events)
    assert len(outcome.good) + len(outcome.bad) + outcome.dropped == len(events)


@pytest.mark.parametrize("field", ["vid", "res", "dtm", "cookie", "eid"])
def test_each_bad_parameter_kind_is_reported(field: str) -> None:
    outcome = engine().process(payload(querystring=f"e=pv&p=web&{field}=%%bad"))
    assert len(outcome.bad) == 1
    assert outcome.good == []


def test_iglu_webhook_event_is_enriched() -> None:
    query = (
        "schema=iglu%3Acom.snowplowanalytics.snowplow%2Flink_click%2Fjsonschema%2F1-0-1"
        "&targetUrl=https%3A%2F%2Facme.test%2F&aid=hooks"
    )
    outcome = engine().process(payload(path="/com.snowplowanalytics.iglu/v1", querystring=query))
    assert outcome.bad == []
    (event,) = good_events(outcome)
    assert (event.event, event.event_name, event.app_id) == ("unstruct", "link_click", "hooks")
    assert event.v_tracker == "com.snowplowanalytics.iglu-v1"
    assert event.platform == "app"
    assert event.unstruct_event is not None
    assert event.unstruct_event.data.data == {"targetUrl": "https://acme.test/"}


def test_a_custom_order_runs_enrichments_where_it_says() -> None:
    from pyplow.enrich.context import EnrichmentConfigError
    from pyplow.enrich.registry import ORDER

    order = [s for s in ORDER if s != "event_fingerprint_config"]
    order.insert(0, "event_fingerprint_config")  # first, before the built-in steps
    custom = engine(order=order)
    outcome = custom.process(payload(querystring="e=pv&p=web"))
    (event,) = good_events(outcome)
    assert event.event_fingerprint is not None
    with pytest.raises(EnrichmentConfigError, match="built-in steps missing"):
        engine(order=["ua_parser_config"])
    with pytest.raises(EnrichmentConfigError, match="unknown steps"):
        engine(order=[*ORDER, "nope"])


# A PII enrichment that hashes user_id and emits the pii_transformation event.
_PII_NAME = {
    "vendor": "com.snowplowanalytics.snowplow.enrichments",
    "name": "pii_enrichment_config",
}
_PII_RULES = {
    "pii": [{"pojo": {"field": "user_id"}}],
    "strategy": {"pseudonymize": {"hashFunction": "SHA-256", "salt": "pepper"}},
}
PII_CONFIG = sdj(
    "iglu:com.snowplowanalytics.snowplow.enrichments/pii_enrichment_config/jsonschema/2-0-0",
    {**_PII_NAME, "enabled": True, "emitEvent": True, "parameters": _PII_RULES},
)


def _ids(outcome: Any) -> list[str | None]:
    return [e.event_id for e in good_events(outcome)]


def test_events_without_an_id_get_the_same_id_each_time_their_record_is_enriched() -> None:
    events = [{"e": "pv", "p": "web", "tv": "t-1", "url": "https://a.test/"}] * 2
    record = post([*events, {**events[0], "eid": "7cad8054-c5b7-400a-bdca-3cce63c0f6b7"}])
    enriched = good_events(Engine(DEFAULTS, VALIDATOR).process(record))
    replayed = good_events(Engine(DEFAULTS, VALIDATOR).process(record))  # after a restart
    first = [e.event_id for e in enriched]
    assert first == [e.event_id for e in replayed]
    # Same id and same fingerprint: the loaders' deduplication keeps the replayed rows once.
    assert [e.event_fingerprint for e in enriched] == [e.event_fingerprint for e in replayed]
    one, two, sent = first
    assert one != two  # two identical events of one request are still two events
    assert sent == "7cad8054-c5b7-400a-bdca-3cce63c0f6b7"  # a tracker's id is kept
    for event_id in (one, two):
        assert event_id is not None
        assert uuid.UUID(event_id).version == 5
    other = post(events, timestamp=1_709_294_400_001)  # the next millisecond
    assert set(_ids(Engine(DEFAULTS, VALIDATOR, clock=lambda: NOW).process(other))).isdisjoint(
        first
    )
    pixel = payload(querystring="e=pv&p=web")
    assert _ids(Engine(DEFAULTS, VALIDATOR).process(pixel)) == _ids(
        Engine(DEFAULTS, VALIDATOR).process(pixel)
    )


def test_the_pii_transformation_event_gets_an_id_derived_from_its_parent() -> None:
    pii = build_enrichments([("pii", PII_CONFIG)], VALIDATOR, trusted=True)

    def run(eid: str) -> list[EnrichedEvent]:
        query = f"e=pv&p=web&uid=alice&eid={eid}"
        return good_events(Engine([*DEFAULTS, *pii], VALIDATOR).process(payload(querystring=query)))

    parent, transformation = run("7cad8054-c5b7-400a-bdca-3cce63c0f6b7")
    assert parent.user_id == hashlib.sha256(b"alicepepper").hexdigest()
    assert transformation.event == "pii_transformation"
    assert transformation.contexts is not None
    assert transformation.contexts.data[0].data == {"parentEventId": parent.event_id}
    assert transformation.event_id is not None
    assert uuid.UUID(transformation.event_id).version == 5
    assert run("7cad8054-c5b7-400a-bdca-3cce63c0f6b7")[1].event_id == transformation.event_id
    assert run("9cad8054-c5b7-400a-bdca-3cce63c0f6b7")[1].event_id != transformation.event_id
