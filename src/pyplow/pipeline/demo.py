"""Realistic demo traffic for ``pyplow quickstart --demo``.

Simulates visitors of a small shop, as Snowplow's JavaScript tracker reports them: sessions of
page views with page pings, structured events, link clicks (self-describing), web_page and
client_session entities, varied referrers (search, social, email, direct), campaign
parameters, devices and browsers, client addresses — and a few invalid events, so that bad
rows show up too. Sent to the collector over HTTP (GET pixels and POST batches), like real
trackers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import uuid
from typing import Any

import httpx

SP = "iglu:com.snowplowanalytics.snowplow"
PAGES = ["/", "/products", "/products/blue-widget", "/products/red-widget", "/basket", "/about"]
REFERRERS = [
    "",
    "",
    "https://www.google.com/search?q=blue+widget",
    "https://www.bing.com/search?q=widgets",
    "https://www.facebook.com/",
    "https://t.co/xyz",
    "https://mail.example.com/",
]
CAMPAIGNS = [
    "",
    "",
    "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale",
    "?utm_source=google&utm_medium=cpc&utm_campaign=widgets&gclid=Cj0KCQ",
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
]


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _contexts(page_id: str, visitor: dict[str, Any], session: dict[str, Any]) -> str:
    entities = [
        {"schema": f"{SP}/web_page/jsonschema/1-0-0", "data": {"id": page_id}},
        {
            "schema": f"{SP}/client_session/jsonschema/1-0-2",
            "data": {
                "userId": visitor["duid"],
                "sessionId": session["sid"],
                "sessionIndex": session["index"],
                "previousSessionId": None,
                "storageMechanism": "COOKIE_1",
            },
        },
    ]
    return _b64({"schema": f"{SP}/contexts/jsonschema/1-0-0", "data": entities})


def visit_events(rng: random.Random, visitor: dict[str, Any], now_ms: int) -> list[dict[str, str]]:
    """The events of one session of ``visitor``."""
    visitor["sessions"] += 1
    session = {
        "sid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "index": visitor["sessions"],
    }
    referrer = rng.choice(REFERRERS)
    campaign = rng.choice(CAMPAIGNS)
    events: list[dict[str, str]] = []
    clock = now_ms
    for n in range(rng.randint(1, 6)):
        page = rng.choice(PAGES)
        url = f"https://shop.acme.test{page}{campaign if n == 0 else ''}"
        page_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        common = {
            "tv": "js-4.6.8",
            "tna": "sp",
            "aid": "demo-shop",
            "p": "web",
            "url": url,
            "page": f"Acme shop – {page.strip('/') or 'home'}",
            "duid": visitor["duid"],
            "sid": session["sid"],
            "vid": str(session["index"]),
            "lang": "en-GB",
            "res": visitor["res"],
            "vp": "1280x720",
            "ds": f"1280x{1400 + 600 * (len(page) % 4)}",
            "cd": "24",
            "tz": "Europe/London",
            "cs": "UTF-8",
            "cookie": "1",
            "ip": visitor["ip"],
            "ua": visitor["ua"],
            "cx": _contexts(page_id, visitor, session),
        }
        if visitor.get("uid"):
            common["uid"] = visitor["uid"]
        view = {"e": "pv", "eid": str(uuid.uuid4()), "dtm": str(clock), **common}
        if n == 0 and referrer:
            view["refr"] = referrer
        events.append(view)
        for ping in range(rng.randint(0, 4)):
            clock += 10_000
            events.append(
                {
                    "e": "pp",
                    "eid": str(uuid.uuid4()),
                    "dtm": str(clock),
                    "pp_mix": "0",
                    "pp_max": "0",
                    "pp_miy": str(ping * 300),
                    "pp_may": str(ping * 300 + 600),
                    **common,
                }
            )
        if rng.random() < 0.3:
            events.append(
                {
                    "e": "se",
                    "eid": str(uuid.uuid4()),
                    "dtm": str(clock),
                    "se_ca": "basket",
                    "se_ac": "add",
                    "se_la": page,
                    "se_va": f"{rng.randint(5, 60)}.99",
                    **common,
                }
            )
        if rng.random() < 0.3:
            click = {
                "schema": f"{SP}/link_click/jsonschema/1-0-1",
                "data": {"targetUrl": f"https://shop.acme.test{rng.choice(PAGES)}"},
            }
            events.append(
                {
                    "e": "ue",
                    "eid": str(uuid.uuid4()),
                    "dtm": str(clock),
                    "ue_px": _b64(
                        {"schema": f"{SP}/unstruct_event/jsonschema/1-0-0", "data": click}
                    ),
                    **common,
                }
            )
        clock += rng.randint(5_000, 60_000)
    if rng.random() < 0.08:  # an invalid event: a link click without its required target
        broken = {"schema": f"{SP}/link_click/jsonschema/1-0-1", "data": {"elementId": "x"}}
        events.append(
            {
                "e": "ue",
                "eid": str(uuid.uuid4()),
                "dtm": str(clock),
                "ue_px": _b64({"schema": f"{SP}/unstruct_event/jsonschema/1-0-0", "data": broken}),
                "tv": "js-4.6.8",
                "p": "web",
            }
        )
    return events


def visitors(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [
        {
            "duid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "ua": rng.choice(AGENTS),
            "res": rng.choice(["1920x1080", "1440x900", "390x844", "412x915"]),
            "ip": f"203.0.113.{rng.randrange(1, 255)}" if n % 2 else f"198.51.100.{n % 250 + 1}",
            "uid": f"user-{n}@example.com" if rng.random() < 0.3 else None,
            "sessions": 0,
        }
        for n in range(count)
    ]


async def send_demo_traffic(
    endpoint: str,
    *,
    visitors_count: int = 40,
    rounds: int = 3,
    seed: int = 1,
    pause_seconds: float = 0.2,
) -> int:
    """Send ``rounds`` sessions per visitor to ``endpoint``; returns the number of events."""
    rng = random.Random(seed)
    people = visitors(rng, visitors_count)
    sent = 0
    schema = f"{SP}/payload_data/jsonschema/1-0-4"
    async with httpx.AsyncClient(base_url=endpoint, timeout=10) as client:
        for _ in range(rounds):
            for person in people:
                events = visit_events(rng, person, 1_700_000_000_000 + sent * 1000)
                stm = str(1_700_000_000_000 + sent * 1000)
                if rng.random() < 0.5:
                    for event in events:
                        await client.get("/i", params={**event, "stm": stm})
                else:
                    body = {"schema": schema, "data": [{**e, "stm": stm} for e in events]}
                    await client.post(
                        "/com.snowplowanalytics.snowplow/tp2",
                        content=json.dumps(body),
                        headers={"Content-Type": "application/json; charset=UTF-8"},
                    )
                sent += len(events)
            await asyncio.sleep(pause_seconds)
    return sent
