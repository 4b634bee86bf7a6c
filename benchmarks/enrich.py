"""Enrich throughput with the default enrichments, next to the decode floor of the same data.

Run: ``python benchmarks/enrich.py [records]``. Generates a mixed corpus of raw records, as
collectors write them (base64 lines): GET pixels and POST batches carrying page views, page
pings, structured events and self-describing events, with 1 to 3 entities, varied user agents,
referrers, campaign parameters and client IPs. Then, on one core, in one run:

- the decode floor: base64 (pybase64, as pyplow uses) + Thrift decode + JSON parse of each
  POST body / carried JSON of the same records (the least any enricher must do);
- enrich: the engine with the default enrichments, records → enriched TSV rows / bad rows.

Prints events per second per core for both and the ratio. Targets: ≥ 20,000 events/s/core and
≤ 4× the floor.
"""

from __future__ import annotations

import base64
import json
import random
import sys
import time
from typing import Any
from urllib.parse import urlencode

import orjson
import pybase64

from pyplow.enrich.engine import Engine
from pyplow.enrich.loading import DEFAULT_CONFIGS, build_enrichments
from pyplow.iglu import Resolver, Validator, builtin_repository
from pyplow.protocol import (
    CollectorPayload,
    decode_collector_payload,
    encode_collector_payload,
    parse_pairs,
)
from pyplow.runtime import freeze_startup_objects

SP = "iglu:com.snowplowanalytics.snowplow"
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{v}.0.0.0 Safari/537.36"
    for v in range(110, 127)
] + [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
REFERRERS = [
    "https://www.google.com/search?q=blue+widgets",
    "https://www.bing.com/search?q=acme",
    "https://www.facebook.com/",
    "https://t.co/abc",
    "https://news.example.org/article",
    "",
]
CAMPAIGNS = [
    "",
    "?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
    "?utm_source=google&utm_medium=cpc&gclid=abc123",
]


def entity(rng: random.Random) -> dict[str, object]:
    kind = rng.randrange(3)
    if kind == 0:
        return {"schema": f"{SP}/web_page/jsonschema/1-0-0", "data": {"id": _uuid(rng)}}
    if kind == 1:
        return {
            "schema": f"{SP}/client_session/jsonschema/1-0-2",
            "data": {
                "userId": _uuid(rng),
                "sessionId": _uuid(rng),
                "sessionIndex": rng.randrange(1, 20),
                "previousSessionId": None,
                "storageMechanism": "COOKIE_1",
            },
        }
    return {
        "schema": f"{SP}/browser_context/jsonschema/2-0-0",
        "data": {
            "viewport": "1280x720",
            "documentSize": "1280x2400",
            "resolution": "1920x1080",
            "colorDepth": 24,
            "devicePixelRatio": 1,
            "cookiesEnabled": True,
            "online": True,
            "browserLanguage": "en-GB",
            "documentLanguage": "en",
            "webdriver": False,
        },
    }


def _uuid(rng: random.Random) -> str:
    return str(__import__("uuid").UUID(int=rng.getrandbits(128), version=4))


def event(rng: random.Random, i: int) -> dict[str, str]:
    kind = rng.choices(["pv", "pp", "se", "ue"], weights=[4, 3, 2, 2])[0]
    url = f"https://shop.acme.test/products/{rng.randrange(500)}{rng.choice(CAMPAIGNS)}"
    params = {
        "e": kind,
        "eid": _uuid(rng),
        "tv": "js-4.6.8",
        "tna": "sp",
        "aid": "shop",
        "p": "web",
        "url": url,
        "page": "Product page",
        "cookie": "1",
        "cs": "UTF-8",
        "lang": "en-GB",
        "res": "1920x1080",
        "cd": "24",
        "tz": "Europe/London",
        "dtm": str(1_700_000_000_000 + i),
        "stm": str(1_700_000_000_500 + i),
        "vp": "1280x720",
        "ds": "1280x2400",
        "vid": str(rng.randrange(1, 9)),
        "sid": _uuid(rng),
        "duid": _uuid(rng),
    }
    referrer = rng.choice(REFERRERS)
    if referrer:
        params["refr"] = referrer
    if kind == "pp":
        params.update(pp_mix="0", pp_max="20", pp_miy="100", pp_may="900")
    elif kind == "se":
        params.update(se_ca="shop", se_ac="add-to-basket", se_la="sku-42", se_va="19.99")
    elif kind == "ue":
        click = {
            "schema": f"{SP}/link_click/jsonschema/1-0-1",
            "data": {"targetUrl": "https://shop.acme.test/next", "elementId": "next"},
        }
        params["ue_px"] = _b64({"schema": f"{SP}/unstruct_event/jsonschema/1-0-0", "data": click})
    contexts = [entity(rng) for _ in range(rng.randint(1, 3))]
    params["cx"] = _b64({"schema": f"{SP}/contexts/jsonschema/1-0-0", "data": contexts})
    return params


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def corpus(records: int, seed: int = 7) -> tuple[list[bytes], int]:
    rng = random.Random(seed)
    out: list[bytes] = []
    events = 0
    for i in range(records):
        ip = ".".join(
            str(rng.randrange(1, 223) if n == 0 else rng.randrange(256)) for n in range(4)
        )
        base = {
            "ip_address": ip,
            "timestamp": 1_700_000_001_000 + i,
            "encoding": "UTF-8",
            "collector": "pyplow-bench",
            "user_agent": rng.choice(USER_AGENTS),
            "headers": ("Host: c.acme.test", "Accept: */*"),
            "hostname": "c.acme.test",
            "network_user_id": _uuid(rng),
        }
        if rng.random() < 0.5:
            payload = CollectorPayload(path="/i", querystring=urlencode(event(rng, i)), **base)
            events += 1
        else:
            batch = [event(rng, i) for _ in range(rng.randint(1, 6))]
            body = json.dumps({"schema": f"{SP}/payload_data/jsonschema/1-0-4", "data": batch})
            payload = CollectorPayload(
                path="/com.snowplowanalytics.snowplow/tp2",
                body=body,
                content_type="application/json; charset=utf-8",
                **base,
            )
            events += len(batch)
        out.append(base64.b64encode(encode_collector_payload(payload)))
    return out, events


def decoded(line: bytes) -> tuple[CollectorPayload, list[dict[str, str]]]:
    """A record line's payload and its events' parameters (POST body items, or the query)."""
    payload = decode_collector_payload(pybase64.b64decode(line))
    assert isinstance(payload, CollectorPayload)
    if payload.body is not None:
        return payload, orjson.loads(payload.body)["data"]
    return payload, [dict(parse_pairs(payload.querystring or ""))]


def carried_json(text: str) -> Any:
    """The JSON of an unpadded base64url ``ue_px`` / ``cx`` value."""
    return orjson.loads(pybase64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def floor(lines: list[bytes]) -> None:
    """base64 + Thrift decode + JSON parse of what each record carries."""
    for line in lines:
        _, items = decoded(line)
        for item in items:
            for key in ("cx", "ue_px"):
                if key in item:
                    carried_json(item[key])


def default_engine() -> tuple[Engine, Validator]:
    """The engine with the default enrichments (as with no configuration), and its validator."""
    validator = Validator(Resolver([builtin_repository()]))
    enrichments = build_enrichments(
        [("defaults", c) for c in DEFAULT_CONFIGS], validator, trusted=True
    )
    return Engine(enrichments, validator), validator


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    lines, events = corpus(records)
    engine, _ = default_engine()
    for line in lines[:200]:  # warm caches of schemas and validators
        engine.process(pybase64.b64decode(line))
    freeze_startup_objects()  # as pyplow enrich does before it starts working

    start = time.perf_counter()
    floor(lines)
    floor_seconds = time.perf_counter() - start

    good = bad = 0
    start = time.perf_counter()
    for line in lines:
        outcome = engine.process(pybase64.b64decode(line))
        good += len(outcome.good)
        bad += len(outcome.bad)
    enrich_seconds = time.perf_counter() - start

    print(f"corpus: {records} records, {events} events (GET and POST, 1-3 entities each)")
    print(f"enriched {good}, bad rows {bad}")
    print(f"decode floor: {events / floor_seconds:10.0f} events/s/core")
    print(
        f"enrich:       {events / enrich_seconds:10.0f} events/s/core "
        f"({enrich_seconds / events * 1e6:.1f} µs per event)"
    )
    print(f"ratio enrich/floor: {enrich_seconds / floor_seconds:.1f}x")


if __name__ == "__main__":
    main()
