"""``RawEvent``: one tracker event cut out of a collector request, with its request context.

An adapter turns one collector request into N raw events; each then succeeds or fails in
enrichment on its own. A raw event keeps what Snowplow's per-event bad rows
(``schema_violations``, ``enrichment_failures``) report under ``payload.raw``; the bad-row
form itself is built by ``pyplow.badrows``.
"""

from __future__ import annotations

import msgspec

__all__ = ["RawEvent"]


class RawEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event's tracker parameters plus the context of the request that carried it.

    ``parameters`` keeps the adapter's order (body keys, then querystring keys); a value is
    None for a querystring key sent without ``=``. ``timestamp`` is the collector time in
    epoch milliseconds; ``user_id`` is the collector's network user id.
    """

    vendor: str
    version: str
    parameters: dict[str, str | None]
    content_type: str | None = None
    loader_name: str = ""
    encoding: str = "UTF-8"
    hostname: str | None = None
    timestamp: int | None = None
    ip_address: str | None = None
    useragent: str | None = None
    referer_uri: str | None = None
    headers: tuple[str, ...] = ()
    user_id: str | None = None
