"""Enriched events for the PostgreSQL loader tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from pyplow.event import Contexts, EnrichedEvent, Entity, UnstructEvent
from pyplow.event.values import WholeSecondTimestamp

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
USER = "iglu:com.acme/user_context/jsonschema/1-0-0"
CHECKOUT = "iglu:com.acme/checkout/jsonschema/{}"
BASE_TIME = datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)


def page_view(n: int = 0, *, event_id: str | None = None, **fields: Any) -> EnrichedEvent:
    """A page view with a ``web_page`` and a ``user_context`` entity; ``n`` varies its values."""
    values: dict[str, Any] = {
        "app_id": "shop",
        "platform": "web",
        "etl_tstamp": BASE_TIME + timedelta(seconds=n, milliseconds=5),
        "collector_tstamp": BASE_TIME + timedelta(seconds=n),
        "dvce_created_tstamp": BASE_TIME + timedelta(seconds=n) - timedelta(milliseconds=300),
        "event": "page_view",
        "event_id": event_id or str(uuid.UUID(int=n + 1)),
        "name_tracker": "sp",
        "v_tracker": "js-3.24.0",
        "v_collector": "ssc-3.2.0-stdout",
        "v_etl": "snowplow-enrich-4.1.0",
        "user_ipaddress": "203.0.113.7",
        "domain_userid": "c7e5f3a2-0b7e-4a5b-9d8f-2c4a6e8b1d3f",
        "domain_sessionidx": 3,
        "geo_country": "FR",
        "geo_latitude": 48.8582,
        "geo_longitude": 2.2945,
        "page_url": f"https://shop.example.com/p/{n}?ref=mail",
        "page_title": "Product \t page \\ with \n odd characters",
        "page_urlscheme": "https",
        "page_urlhost": "shop.example.com",
        "page_urlport": 443,
        "page_urlpath": f"/p/{n}",
        "br_features_pdf": True,
        "br_cookies": False,
        "tr_total": Decimal("12.50"),
        "contexts": Contexts(
            data=(
                Entity(WEB_PAGE, {"id": str(uuid.UUID(int=10**6 + n))}),
                Entity(USER, {"userTier": "pro", "loggedIn": True, "visits": n}),
            )
        ),
        "event_fingerprint": f"fp-{n}",
        "derived_tstamp": BASE_TIME + timedelta(seconds=n),
    }
    values.update(fields)
    return EnrichedEvent(**values)


def checkout(version: str, data: dict[str, Any], n: int = 0) -> EnrichedEvent:
    """A self-describing ``com.acme/checkout`` event of the given schema version."""
    entity = Entity(CHECKOUT.format(version), data)
    return page_view(
        n,
        event="unstruct",
        contexts=None,
        unstruct_event=UnstructEvent(data=entity),
    )


def tricky_page_view(n: int) -> EnrichedEvent:
    """A page view whose values test the COPY text encoding: backslashes, ``\\N``-looking
    text, an empty string beside NULLs, TAB/LF/CR, non-ASCII, a value at its length limit,
    decimals with scale, timestamps with micro-, milli- and no fractional seconds or an offset,
    booleans and NULL booleans."""
    return page_view(
        n,
        app_id="back\\slash",
        platform="\\N",
        name_tracker="",
        v_tracker=None,
        page_title="é 漢字 😀 \t tab \n lf \r cr \\t",
        user_id="u" * 255,
        tr_total=Decimal("12.50"),
        tr_shipping=Decimal("1E+1"),
        ti_price=Decimal("-0.01"),
        se_value=Decimal("0.125"),
        geo_longitude=-0.0,
        etl_tstamp=datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        dvce_created_tstamp=WholeSecondTimestamp(2024, 3, 1, 11, 59, 59, tzinfo=UTC),
        true_tstamp=datetime(2024, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        br_features_java=None,
    )
