"""Raw records that fail in enrich, for the replay tests."""

from __future__ import annotations

import base64
import json
from typing import Any

from pyplow.protocol import CollectorPayload, encode_collector_payload

NUID = "11111111-2222-4333-8444-555555555555"
LINK_CLICK = {
    "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    "data": {
        "schema": "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
        "data": {"elementId": "cta"},
    },
}


def event(n: int, **extra: str) -> dict[str, str]:
    return {
        "e": "pv",
        "p": "web",
        "tv": "js-3.0.0",
        "eid": f"00000000-0000-4000-8000-00000000000{n}",
        "url": "http://shop.example/a",
        "aid": "shop",
        **extra,
    }


def link_click_event(n: int) -> dict[str, str]:
    encoded = base64.urlsafe_b64encode(json.dumps(LINK_CLICK).encode()).decode().rstrip("=")
    return event(n, e="ue", ue_px=encoded)


def tp2_post(events: list[dict[str, Any]]) -> bytes:
    body = {
        "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
        "data": events,
    }
    return encode_collector_payload(
        CollectorPayload(
            ip_address="203.0.113.9",
            timestamp=1_700_000_000_123,
            encoding="UTF-8",
            collector="ssc-test",
            user_agent="Mozilla/5.0 test",
            path="/com.snowplowanalytics.snowplow/tp2",
            body=json.dumps(body),
            headers=("Host: c.example", "X-Test: 1"),
            content_type="application/json",
            hostname="c.example",
            network_user_id=NUID,
        )
    )


FIXES = {
    "rules": [
        {
            "match": {"schema": "schema_violations", "message_contains": '"path":"vid"'},
            "patches": [{"op": "replace", "path": "/parameters/vid", "value": "7"}],
        },
        {
            "name": "link target",
            "match": {"schema": "schema_violations", "message_contains": "link_click"},
            "patches": [
                {
                    "op": "add",
                    "path": "/unstruct_event/data/data/targetUrl",
                    "value": "http://shop.example/b",
                }
            ],
        },
    ]
}
