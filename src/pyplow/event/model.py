"""The canonical enriched event as a frozen Struct: all 131 fields in Snowplow's order.

Field names and order are those of :data:`pyplow.event.fields.FIELDS` (a test checks they agree).
Value types:

- text fields and ``event_id`` (canonical UUID text): ``str``;
- integers: ``int``; ``br_features_*``, ``br_cookies``, ``dvce_ismobile``: ``bool``;
- ``se_value``, ``tr_*`` money, ``ti_price`` and the ``*_base`` amounts: ``decimal.Decimal``
  with the scale the tracker sent (``Decimal("12.50")``);
- ``geo_latitude`` / ``geo_longitude``: ``float``;
- timestamps: timezone-aware UTC ``datetime`` (possibly a
  :class:`~pyplow.event.values.WholeSecondTimestamp`, see :mod:`pyplow.event.values`);
- ``contexts`` / ``derived_contexts``: :class:`~pyplow.event.entities.Contexts`;
  ``unstruct_event``: :class:`~pyplow.event.entities.UnstructEvent`.

Every field defaults to ``None`` (absent). The four fields the Scala Analytics SDK requires
(``collector_tstamp``, ``event_id``, ``v_collector``, ``v_etl``) are typed optional too, which
lets the TSV decoder build events positionally (much faster than by keyword); the decoder never
returns an event where they are missing, and :func:`missing_required` reports them for events
built in code. Empty strings are written as empty TSV fields and so read back as ``None``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from pyplow.event.entities import Contexts, UnstructEvent

__all__ = ["EnrichedEvent", "missing_required"]


class EnrichedEvent(msgspec.Struct, frozen=True):
    """One enriched event (a row of the enriched TSV)."""

    # app, time, event, versions
    app_id: str | None = None
    platform: str | None = None
    etl_tstamp: datetime | None = None
    collector_tstamp: datetime | None = None
    dvce_created_tstamp: datetime | None = None
    event: str | None = None
    event_id: str | None = None
    txn_id: int | None = None
    name_tracker: str | None = None
    v_tracker: str | None = None
    v_collector: str | None = None
    v_etl: str | None = None
    # user and visit
    user_id: str | None = None
    user_ipaddress: str | None = None
    user_fingerprint: str | None = None
    domain_userid: str | None = None
    domain_sessionidx: int | None = None
    network_userid: str | None = None
    # geolocation (see also geo_timezone)
    geo_country: str | None = None
    geo_region: str | None = None
    geo_city: str | None = None
    geo_zipcode: str | None = None
    geo_latitude: float | None = None
    geo_longitude: float | None = None
    geo_region_name: str | None = None
    # IP lookups
    ip_isp: str | None = None
    ip_organization: str | None = None
    ip_domain: str | None = None
    ip_netspeed: str | None = None
    # page URL
    page_url: str | None = None
    page_title: str | None = None
    page_referrer: str | None = None
    page_urlscheme: str | None = None
    page_urlhost: str | None = None
    page_urlport: int | None = None
    page_urlpath: str | None = None
    page_urlquery: str | None = None
    page_urlfragment: str | None = None
    # referrer URL and referer-parser output
    refr_urlscheme: str | None = None
    refr_urlhost: str | None = None
    refr_urlport: int | None = None
    refr_urlpath: str | None = None
    refr_urlquery: str | None = None
    refr_urlfragment: str | None = None
    refr_medium: str | None = None
    refr_source: str | None = None
    refr_term: str | None = None
    # marketing
    mkt_medium: str | None = None
    mkt_source: str | None = None
    mkt_term: str | None = None
    mkt_content: str | None = None
    mkt_campaign: str | None = None
    # custom entities
    contexts: Contexts | None = None
    # structured event
    se_category: str | None = None
    se_action: str | None = None
    se_label: str | None = None
    se_property: str | None = None
    se_value: Decimal | None = None
    # self-describing event
    unstruct_event: UnstructEvent | None = None
    # legacy ecommerce
    tr_orderid: str | None = None
    tr_affiliation: str | None = None
    tr_total: Decimal | None = None
    tr_tax: Decimal | None = None
    tr_shipping: Decimal | None = None
    tr_city: str | None = None
    tr_state: str | None = None
    tr_country: str | None = None
    ti_orderid: str | None = None
    ti_sku: str | None = None
    ti_name: str | None = None
    ti_category: str | None = None
    ti_price: Decimal | None = None
    ti_quantity: int | None = None
    # page pings
    pp_xoffset_min: int | None = None
    pp_xoffset_max: int | None = None
    pp_yoffset_min: int | None = None
    pp_yoffset_max: int | None = None
    # user agent, browser, OS
    useragent: str | None = None
    br_name: str | None = None
    br_family: str | None = None
    br_version: str | None = None
    br_type: str | None = None
    br_renderengine: str | None = None
    br_lang: str | None = None
    br_features_pdf: bool | None = None
    br_features_flash: bool | None = None
    br_features_java: bool | None = None
    br_features_director: bool | None = None
    br_features_quicktime: bool | None = None
    br_features_realplayer: bool | None = None
    br_features_windowsmedia: bool | None = None
    br_features_gears: bool | None = None
    br_features_silverlight: bool | None = None
    br_cookies: bool | None = None
    br_colordepth: str | None = None
    br_viewwidth: int | None = None
    br_viewheight: int | None = None
    os_name: str | None = None
    os_family: str | None = None
    os_manufacturer: str | None = None
    os_timezone: str | None = None
    # device
    dvce_type: str | None = None
    dvce_ismobile: bool | None = None
    dvce_screenwidth: int | None = None
    dvce_screenheight: int | None = None
    # document
    doc_charset: str | None = None
    doc_width: int | None = None
    doc_height: int | None = None
    # currency conversion
    tr_currency: str | None = None
    tr_total_base: Decimal | None = None
    tr_tax_base: Decimal | None = None
    tr_shipping_base: Decimal | None = None
    ti_currency: str | None = None
    ti_price_base: Decimal | None = None
    base_currency: str | None = None
    # misc: geo_timezone, click id, etl_tags, dvce_sent, cross-domain
    geo_timezone: str | None = None
    mkt_clickid: str | None = None
    mkt_network: str | None = None
    etl_tags: str | None = None
    dvce_sent_tstamp: datetime | None = None
    refr_domain_userid: str | None = None
    refr_dvce_tstamp: datetime | None = None
    # derived entities and the rest
    derived_contexts: Contexts | None = None
    domain_sessionid: str | None = None
    derived_tstamp: datetime | None = None
    event_vendor: str | None = None
    event_name: str | None = None
    event_format: str | None = None
    event_version: str | None = None
    event_fingerprint: str | None = None
    true_tstamp: datetime | None = None


_REQUIRED = ("collector_tstamp", "event_id", "v_collector", "v_etl")


def missing_required(event: EnrichedEvent) -> tuple[str, ...]:
    """Names of the SDK-required fields that are ``None`` or empty in ``event``."""
    return tuple(name for name in _REQUIRED if not getattr(event, name))
