"""Bad rows from the real enrich engine, replayed with fixes, come out of enrich good."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.replay.helpers import FIXES, NUID, event, link_click_event, tp2_post

from pyplow.enrich.config import EnrichConfig, build_engine
from pyplow.enrich.engine import Engine
from pyplow.event import FIELDS
from pyplow.protocol import decode_base64_text, decode_collector_payload
from pyplow.replay import FixFailed, NotReplayable, Replayed, Replayer, parse_fixes


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(EnrichConfig())


def _replayer() -> Replayer:
    fixes = parse_fixes(json.dumps(FIXES).encode())
    assert not isinstance(fixes, Exception)
    assert len(fixes) == 2
    return Replayer(fixes)  # type: ignore[arg-type]


_INDEX = {f.name: i for i, f in enumerate(FIELDS)}


def _field(tsv: bytes, name: str) -> str:
    return tsv.decode().split("\t")[_INDEX[name]]


def test_batch_with_one_bad_vid_and_a_bad_link_click(engine: Engine) -> None:
    record = tp2_post([event(1), event(2, vid="abc"), event(3), link_click_event(4)])
    first = engine.process(record)
    assert len(first.good) == 2
    assert len(first.bad) == 2
    replayer = _replayer()
    outcomes = [replayer.replay(row) for row in first.bad]
    assert all(isinstance(o, Replayed) and o.changed for o in outcomes)
    replayed: list[Replayed] = outcomes  # type: ignore[assignment]
    good: list[bytes] = []
    for outcome in replayed:
        second = engine.process(outcome.record)
        assert second.bad == [], second.bad
        good.extend(second.good)
    # exactly the two fixed events, the good ones of the batch are not sent again
    assert len(good) == 2
    event_ids = sorted(_field(row, "event_id") for row in good)
    assert event_ids == [
        "00000000-0000-4000-8000-000000000002",
        "00000000-0000-4000-8000-000000000004",
    ]
    by_id = {_field(row, "event_id"): row for row in good}
    fixed_vid = by_id["00000000-0000-4000-8000-000000000002"]
    assert _field(fixed_vid, "domain_sessionidx") == "7"
    unstruct = json.loads(_field(by_id["00000000-0000-4000-8000-000000000004"], "unstruct_event"))
    assert unstruct["data"]["data"]["targetUrl"] == "http://shop.example/b"
    # collector time, ip, nuid kept
    assert _field(fixed_vid, "collector_tstamp") == "2023-11-14 22:13:20.123"
    assert _field(fixed_vid, "user_ipaddress") == "203.0.113.9"
    assert _field(fixed_vid, "network_userid") == NUID


def test_replayed_event_is_a_single_event_post_and_keeps_base64(engine: Engine) -> None:
    bad = engine.process(tp2_post([event(1), link_click_event(4)])).bad
    outcome = _replayer().replay(bad[0])
    assert isinstance(outcome, Replayed)
    payload = decode_collector_payload(outcome.record)
    assert not isinstance(payload, Exception)
    assert payload.path == "/com.snowplowanalytics.snowplow/tp2"  # type: ignore[union-attr]
    body = json.loads(payload.body or "")  # type: ignore[union-attr]
    assert body["schema"].endswith("payload_data/jsonschema/1-0-4")
    assert len(body["data"]) == 1
    item: dict[str, Any] = body["data"][0]
    assert "ue_pr" not in item
    decoded = json.loads(str(decode_base64_text(item["ue_px"])))
    assert decoded["data"]["data"] == {"elementId": "cta", "targetUrl": "http://shop.example/b"}
    assert payload.headers == ("Host: c.example", "X-Test: 1")  # type: ignore[union-attr]
    assert payload.user_agent == "Mozilla/5.0 test"  # type: ignore[union-attr]


def test_without_fix_the_event_replays_unchanged_and_fails_again(engine: Engine) -> None:
    bad = engine.process(tp2_post([event(2, vid="abc")])).bad
    outcome = Replayer().replay(bad[0])
    assert isinstance(outcome, Replayed)
    assert not outcome.changed
    again = engine.process(outcome.record)
    assert again.good == []
    assert len(again.bad) == 1
    assert b'"path":"vid"' in again.bad[0]


def test_tracker_protocol_violation_fixed_through_the_body(engine: Engine) -> None:
    record = tp2_post([event(1)])
    payload = decode_collector_payload(record)
    from msgspec.structs import replace

    broken = replace(payload, body="{not json")  # type: ignore[type-var]
    from pyplow.protocol import encode_collector_payload

    bad = engine.process(encode_collector_payload(broken)).bad  # type: ignore[arg-type]
    assert b"tracker_protocol_violations" in bad[0]
    good_body = json.dumps(
        {
            "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
            "data": [event(5)],
        }
    )
    fixes = parse_fixes(
        json.dumps(
            [
                {
                    "match": {
                        "schema": "tracker_protocol_violations",
                        "vendor": "com.snowplowanalytics.snowplow",
                        "version": "tp2",
                    },
                    "patches": [{"op": "replace", "path": "/request/body", "value": good_body}],
                }
            ]
        ).encode()
    )
    outcome = Replayer(fixes).replay(bad[0])  # type: ignore[arg-type]
    assert isinstance(outcome, Replayed)
    out = engine.process(outcome.record)
    assert len(out.good) == 1
    assert out.bad == []


def test_unreplayable_types_are_reported(engine: Engine) -> None:
    garbage = engine.process(b"\x0b\x00\x01junk").bad[0]
    outcome = Replayer().replay(garbage)
    assert isinstance(outcome, NotReplayable)
    assert outcome.type_name == "collector_payload_format_violation"
    assert "not a readable CollectorPayload" in outcome.reason
    size = (
        b'{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/size_violation/jsonschema/1-0-0",'
        b'"data":{"processor":{"artifact":"a","version":"1"},"failure":{"timestamp":'
        b'"2020-01-01T00:00:00Z","maximumAllowedSizeBytes":10,"actualSizeBytes":20,'
        b'"expectation":"x"},"payload":"abc"}}'
    )
    size_outcome = Replayer().replay(size)
    assert isinstance(size_outcome, NotReplayable)
    assert "truncated" in size_outcome.reason
    loader = (
        b'{"schema":"iglu:com.snowplowanalytics.snowplow.badrows/loader_parsing_error/jsonschema/'
        b'2-0-0","data":{"processor":{"artifact":"a","version":"1"},"failure":{"type":"NotTSV"},'
        b'"payload":"x"}}'
    )
    loader_outcome = Replayer().replay(loader)
    assert isinstance(loader_outcome, NotReplayable)
    assert "enriched events" in loader_outcome.reason


def test_failing_patch_is_a_fix_failure(engine: Engine) -> None:
    bad = engine.process(tp2_post([event(2, vid="abc")])).bad
    fixes = parse_fixes(
        b'[{"match": {"schema": "schema_violations"},'
        b' "patches": [{"op": "remove", "path": "/parameters/nothere"}]}]'
    )
    outcome = Replayer(fixes).replay(bad[0])  # type: ignore[arg-type]
    assert isinstance(outcome, FixFailed)
    assert "rule 1" in outcome.reason
    assert "nothere" in outcome.reason
