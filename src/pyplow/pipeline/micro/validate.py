"""``POST /micro/validate``: enrich one tracker payload now, store nothing.

The body is either a tp2 ``payload_data`` document (``{"schema": "iglu:…/payload_data/…",
"data": [...]}``), sent on as a POST to ``/com.snowplowanalytics.snowplow/tp2``, or
``{"querystring": "e=pv&…"}``, sent on as a GET to ``/i``. Either way a ``CollectorPayload`` is
built (client address and user agent from the validating request) and run through the engine,
so the answer is exactly what the pipeline would make of it.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from pyplow.enrich.engine import Engine
from pyplow.pipeline.micro.shapes import bad_event_json, good_event_json
from pyplow.protocol import CollectorPayload, encode_collector_payload

__all__ = ["COLLECTOR_NAME", "TP2_PATH", "validate", "validation_payload"]

TP2_PATH = "/com.snowplowanalytics.snowplow/tp2"
GET_PATH = "/i"
COLLECTOR_NAME = "pyplow-micro-validate"

_DECODER = msgspec.json.Decoder()
_ENCODER = msgspec.json.Encoder()


def validation_payload(
    body: bytes,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    now_ms: int | None = None,
) -> CollectorPayload | str:
    """The collector payload for a validation request body, or what is wrong with the body."""
    try:
        value: Any = _DECODER.decode(body)
    except msgspec.DecodeError as exc:
        return f"body must be JSON: {exc}"
    if not isinstance(value, dict):
        return f"body must be a JSON object, got {type(value).__name__}"
    common: dict[str, Any] = {
        "ip_address": ip_address,
        "timestamp": int(time.time() * 1000) if now_ms is None else now_ms,
        "encoding": "UTF-8",
        "collector": COLLECTOR_NAME,
        "user_agent": user_agent,
        "hostname": "localhost",
    }
    if "querystring" in value:
        query = value["querystring"]
        if not isinstance(query, str):
            return f"querystring must be a string, got {type(query).__name__}"
        return CollectorPayload(path=GET_PATH, querystring=query.removeprefix("?"), **common)
    if "schema" in value and "data" in value:
        return CollectorPayload(
            path=TP2_PATH,
            body=_ENCODER.encode(value).decode(),
            content_type="application/json",
            **common,
        )
    return (
        'body must be a payload_data document ({"schema": …, "data": […]}) or '
        f'{{"querystring": "e=…"}}; got an object with keys {sorted(value)[:10]}'
    )


def validate(engine: Engine, payload: CollectorPayload) -> dict[str, list[dict[str, Any]]]:
    """What the engine makes of ``payload``: Micro GoodEvents and BadEvents."""
    outcome = engine.process(encode_collector_payload(payload))
    good: list[dict[str, Any]] = []
    bad = [bad_event_json(row) for row in outcome.bad]
    for row in outcome.good:
        shaped = good_event_json(row)
        if isinstance(shaped, str):  # the engine wrote a row it cannot read back: say so
            bad.append({"collectorPayload": None, "rawEvent": None, "errors": [shaped]})
        else:
            good.append(shaped)
    return {"good": good, "bad": bad}
