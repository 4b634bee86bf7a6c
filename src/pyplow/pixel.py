"""Pixel tracking: ``/i`` URLs and ``<img>`` tags for e-mails and pages without JavaScript.

A pixel is a GET request to the collector's ``/i`` path whose querystring is one tracker-protocol
event (tp1). When a mail client or browser loads the image, the collector records the event:

    >>> pixel_url("https://collector.example.com", event="se", se_category="email",
    ...           se_action="open", app_id="newsletter")
    'https://collector.example.com/i?e=se&p=web&tv=pyplow-pixel-1&aid=newsletter&se_ca=email&se_ac=open'

Campaign parameters (``utm_*``) are added to the page URL's querystring, where Enrich's campaign
attribution enrichment reads them (``mkt_*`` fields), so they need ``page_url``. No event id or
timestamp is put in the URL: the same pixel is loaded many times, and Enrich gives every
request its own ``event_id`` and ``collector_tstamp``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal, TypedDict, Unpack
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["PIXEL_TRACKER_VERSION", "PixelEvent", "PixelFields", "pixel_img", "pixel_url"]

PIXEL_TRACKER_VERSION = "pyplow-pixel-1"
PixelEvent = Literal["pv", "se"]


class PixelFields(TypedDict, total=False):
    """The keyword arguments of :func:`pixel_url`, for :func:`pixel_img`."""

    event: PixelEvent
    page_url: str | None
    page_title: str | None
    referrer: str | None
    user_id: str | None
    app_id: str | None
    platform: str
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    se_category: str | None
    se_action: str | None
    se_label: str | None
    se_property: str | None
    se_value: float | int | Decimal | None
    extra: Mapping[str, str] | None


_CAMPAIGN = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _with_campaign(page_url: str, campaign: Mapping[str, str]) -> str:
    parts = urlsplit(page_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in campaign]
    query.extend(campaign.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def pixel_url(
    endpoint: str,
    *,
    event: PixelEvent = "pv",
    page_url: str | None = None,
    page_title: str | None = None,
    referrer: str | None = None,
    user_id: str | None = None,
    app_id: str | None = None,
    platform: str = "web",
    utm_source: str | None = None,
    utm_medium: str | None = None,
    utm_campaign: str | None = None,
    utm_term: str | None = None,
    utm_content: str | None = None,
    se_category: str | None = None,
    se_action: str | None = None,
    se_label: str | None = None,
    se_property: str | None = None,
    se_value: float | int | Decimal | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The ``/i`` URL of one event; ``endpoint`` is the collector's base URL.

    ``extra`` adds further tracker-protocol parameters (e.g. ``{"tna": "email"}``); they
    override the ones built here. Raises ``ValueError`` for a misuse (a programmer error): an
    endpoint without scheme, an unknown event kind, structured-event fields on a page view,
    a structured event without category and action, or campaign parameters without a page URL.
    """
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"endpoint {endpoint!r} must start with http:// or https://")
    if event not in ("pv", "se"):
        raise ValueError(f"event must be 'pv' (page view) or 'se' (structured), got {event!r}")
    structured = {
        "se_ca": se_category,
        "se_ac": se_action,
        "se_la": se_label,
        "se_pr": se_property,
        "se_va": None if se_value is None else format(Decimal(str(se_value)), "f"),
    }
    if event == "pv" and any(v is not None for v in structured.values()):
        raise ValueError("structured-event fields (se_*) need event='se'")
    if event == "se" and (not se_category or not se_action):
        raise ValueError(
            f"a structured event needs a category and an action, got {se_category!r}, {se_action!r}"
        )
    values = (utm_source, utm_medium, utm_campaign, utm_term, utm_content)
    campaign = {k: v for k, v in zip(_CAMPAIGN, values, strict=True) if v is not None}
    if campaign and page_url is None:
        raise ValueError("campaign parameters (utm_*) are read from the page URL: give page_url")
    params: dict[str, str] = {"e": event, "p": platform, "tv": PIXEL_TRACKER_VERSION}
    optional = {
        "aid": app_id,
        "uid": user_id,
        "url": None if page_url is None else _with_campaign(page_url, campaign),
        "page": page_title,
        "refr": referrer,
        **structured,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    params.update(extra or {})
    return f"{endpoint.rstrip('/')}/i?{urlencode(params)}"


def pixel_img(endpoint: str, *, alt: str = "", **fields: Unpack[PixelFields]) -> str:
    """An HTML ``<img>`` tag (1×1, no border) loading :func:`pixel_url` with ``fields``."""
    url = pixel_url(endpoint, **fields)
    return (
        f'<img src="{html.escape(url, quote=True)}" width="1" height="1" '
        f'alt="{html.escape(alt, quote=True)}" style="border:0;display:block">'
    )
