"""A hand-built event set whose model answers are known, loaded through the real loaders.

Times are UTC on 2024-03-01 unless a test says otherwise. Page view ids and event ids are
UUIDs derived from short names (:func:`uid`) so that tests can speak in names.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pyplow.event import Contexts, EnrichedEvent, Entity
from pyplow.loaders.base import LoadBatch, Loader

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
UA_PARSER = "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0"
CHROME_MAC = {
    "useragentFamily": "Chrome",
    "useragentMajor": "120",
    "useragentMinor": "0",
    "useragentPatch": "0",
    "useragentVersion": "Chrome 120.0.0",
    "osFamily": "Mac OS X",
    "osMajor": "10",
    "osMinor": "15",
    "osPatch": "7",
    "osPatchMinor": None,
    "osVersion": "Mac OS X 10.15.7",
    "deviceFamily": "Mac",
}
SAFARI_IPHONE = {
    **CHROME_MAC,
    "useragentFamily": "Mobile Safari",
    "useragentVersion": "Mobile Safari 17.0",
    "osFamily": "iOS",
    "osVersion": "iOS 17.0",
    "deviceFamily": "iPhone",
}
NS = uuid.UUID("6f1c9a1e-2a59-4b1c-9d5e-0c6f1b2a3d4e")


def uid(name: str) -> str:
    """A stable UUID for a short name (event ids, page view ids, session ids)."""
    return str(uuid.uuid5(NS, name))


def at(hms: str, day: int = 1) -> datetime:
    """``12:00:05`` on 2024-03-``day``, UTC."""
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2024, 3, day, h, m, s, tzinfo=UTC)


def _event(
    name: str,
    kind: str,
    *,
    session: str,
    user: str,
    when: datetime,
    page_view: str | None,
    ua: dict[str, Any] | None = CHROME_MAC,
    delay: float = 1.0,
    fingerprint: str | None = None,
    **fields: Any,
) -> EnrichedEvent:
    contexts = Contexts(data=(Entity(WEB_PAGE, {"id": uid(page_view)}),)) if page_view else None
    derived = Contexts(data=(Entity(UA_PARSER, ua),)) if ua else None
    base: dict[str, Any] = {
        "event_id": uid(name),
        "app_id": "shop",
        "platform": "web",
        "event": kind,
        "event_vendor": "com.snowplowanalytics.snowplow",
        "event_name": kind,
        "event_format": "jsonschema",
        "event_version": "1-0-0",
        "collector_tstamp": when + timedelta(seconds=delay),
        "dvce_created_tstamp": when,
        "dvce_sent_tstamp": when,
        "derived_tstamp": when,
        "etl_tstamp": when + timedelta(seconds=delay + 1),
        "v_collector": "ssc-3.0.0",
        "v_etl": "pyplow-test",
        "v_tracker": "js-4.0.0",
        "domain_sessionid": uid(session),
        "domain_sessionidx": 1,
        "domain_userid": uid(user),
        "network_userid": uid("n-" + user),
        "event_fingerprint": fingerprint or uid("fp-" + name),
        "useragent": "Mozilla/5.0 test",
        "br_viewwidth": 1200,
        "br_viewheight": 800,
        "doc_width": 1200,
        "doc_height": 2000,
    }
    base.update(fields)
    return EnrichedEvent(contexts=contexts, derived_contexts=derived, **base)


def page_view(
    name: str, *, session: str, user: str, when: datetime, url: str, pv: str | None = None, **f: Any
) -> EnrichedEvent:
    """A page view; ``pv`` is the page view id (default: the event's name)."""
    host, _, path = url.removeprefix("https://").partition("/")
    return _event(
        name,
        "page_view",
        session=session,
        user=user,
        when=when,
        page_view=name if pv is None else pv or None,
        page_url=url,
        page_urlhost=host,
        page_urlpath="/" + path,
        page_title=f"Title of /{path}",
        **f,
    )


def ping(
    name: str, *, session: str, user: str, when: datetime, pv: str | None, y: int = 0, **f: Any
) -> EnrichedEvent:
    """A page ping of page view ``pv`` (``None``: a ping without the web page entity)."""
    return _event(
        name,
        "page_ping",
        session=session,
        user=user,
        when=when,
        page_view=pv,
        pp_xoffset_min=0,
        pp_xoffset_max=0,
        pp_yoffset_min=0,
        pp_yoffset_max=y,
        **f,
    )


def struct(name: str, *, session: str, user: str, when: datetime, **f: Any) -> EnrichedEvent:
    return _event(
        name, "struct", session=session, user=user, when=when, page_view=None,
        se_category="shop", se_action="add", event_name="event",
        **f,
    )  # fmt: skip


GOOGLE = {"refr_medium": "search", "refr_source": "Google", "refr_urlhost": "www.google.com"}


def first_batch() -> list[EnrichedEvent]:
    """Everything but the late arrivals (see :func:`late_batch`)."""
    return [
        # s1 (user u1): organic search landing, 3 ping windows on /home, then /pricing
        page_view("v1", session="s1", user="u1", when=at("10:00:00"),
                  url="https://shop.test/home", page_referrer="https://www.google.com/", **GOOGLE),
        ping("p1a", session="s1", user="u1", when=at("10:00:05"), pv="v1", y=200),
        ping("p1b", session="s1", user="u1", when=at("10:00:15"), pv="v1", y=700),
        ping("p1c", session="s1", user="u1", when=at("10:00:25"), pv="v1", y=1000),
        struct("e1", session="s1", user="u1", when=at("10:00:40")),
        page_view("v2", session="s1", user="u1", when=at("10:01:00"),
                  url="https://shop.test/pricing", refr_medium="internal"),
        # s2 (user u1, the next day): a paid-search bounce during which u1 signs in as alice
        page_view("v3", session="s2", user="u1", when=at("09:00:00", day=2),
                  url="https://shop.test/offer", mkt_medium="cpc", mkt_source="google",
                  mkt_campaign="spring", user_id="alice", domain_sessionidx=2),
        # s3 (user u2, a phone): across midnight, pings on both sides, one ping duplicated
        page_view("v4", session="s3", user="u2", when=at("23:59:50"), ua=SAFARI_IPHONE,
                  url="https://shop.test/blog", geo_country="FR", geo_city="Paris"),
        ping("p4a", session="s3", user="u2", when=at("23:59:55"), pv="v4", y=100,
             ua=SAFARI_IPHONE),
        ping("p4b", session="s3", user="u2", when=at("00:00:05", day=2), pv="v4", y=300,
             ua=SAFARI_IPHONE),
        ping("p4b-again", session="s3", user="u2", when=at("00:00:06", day=2), pv="v4", y=300,
             ua=SAFARI_IPHONE),
        ping("p4c", session="s3", user="u2", when=at("00:00:15", day=2), pv="v4", y=400,
             ua=SAFARI_IPHONE),
        page_view("v5", session="s3", user="u2", when=at("00:01:00", day=2), ua=SAFARI_IPHONE,
                  url="https://shop.test/blog/post", geo_country="FR", geo_city="Paris"),
        # the same page view again under another event id (a tracker resend): counted once
        page_view("v5-resent", session="s3", user="u2", when=at("00:01:00", day=2), pv="v5",
                  ua=SAFARI_IPHONE, url="https://shop.test/blog/post", geo_country="FR"),
        # s4 (user u3): direct, a bounce
        page_view("v6", session="s4", user="u3", when=at("15:00:00"), url="https://shop.test/",
                  doc_width=None, doc_height=None),
        # s5 (user u4, a server-side tracker): no web page entity; pings follow their page view
        page_view("v7", session="s5", user="u4", when=at("16:00:00"), pv="",
                  url="https://shop.test/a", mkt_medium="email", mkt_source="newsletter"),
        ping("p7a", session="s5", user="u4", when=at("16:00:06"), pv=None, y=0),
        page_view("v8", session="s5", user="u4", when=at("16:00:30"), pv="",
                  url="https://shop.test/b"),
        ping("p8a", session="s5", user="u4", when=at("16:00:36"), pv=None, y=0),
        ping("p8b", session="s5", user="u4", when=at("16:00:46"), pv=None, y=0),
    ]  # fmt: skip


def late_batch() -> list[EnrichedEvent]:
    """Arrivals after a first model run: a ping for /pricing in s1 that reaches the collector
    a day late (5 s more for s1), a redelivered ping, and u2 signing in as bob in a new
    session."""
    return [
        ping("p2a-late", session="s1", user="u1", when=at("10:01:06"), pv="v2", y=1200,
             delay=3600 * 24),
        # p4c delivered again with another fingerprint: the loader gives it a new event id
        ping("p4c", session="s3", user="u2", when=at("00:00:15", day=2), pv="v4", y=400,
             ua=SAFARI_IPHONE, fingerprint="another"),
        page_view("v9", session="s6", user="u2", when=at("08:00:00", day=3),
                  url="https://shop.test/account", user_id="bob", refr_medium="social",
                  refr_source="Facebook", refr_urlhost="m.facebook.com", domain_sessionidx=2),
    ]  # fmt: skip


def load(loader: Loader, events: Sequence[EnrichedEvent]) -> None:
    result = loader.load(LoadBatch(events=list(events)))
    assert result.bad == [], result.bad
    assert result.loaded == len(events)
