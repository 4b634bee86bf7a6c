"""Cross-domain navigation: the ``_sp`` parameter of the page URL.

A tracker that decorates links to another domain appends ``_sp`` to them. Its value is up to
seven parts joined by ``.``::

    domain_user_id . timestamp [. session_id . user_id . source_id . source_platform . reason]

``timestamp`` is epoch milliseconds; ``user_id``, ``source_id`` and ``reason`` are base64url
(decoded leniently, as Enrich does). Missing trailing parts are empty; a part that is empty (or
only whitespace) means "absent"; a value with more than seven parts is ignored entirely.

Enrich always sets ``refr_domain_userid`` and ``refr_dvce_tstamp`` from ``_sp`` (the built-in
step); the ``cross_navigation_config`` enrichment additionally derives a ``cross_navigation``
entity (:func:`cross_navigation_entity`). A timestamp that is not epoch milliseconds is a
failure of that step, reported with the message :func:`parse_sp` returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import msgspec

from pyplow.protocol import ConversionError, decode_base64_text, parse_timestamp, tsv_safe

__all__ = [
    "CROSS_NAVIGATION_SCHEMA",
    "SP_PARAMETER",
    "CrossDomain",
    "apply_cross_domain",
    "cross_navigation_entity",
    "parse_sp",
    "sp_value",
]

#: The entity the cross_navigation_config enrichment derives.
CROSS_NAVIGATION_SCHEMA: Final = (
    "iglu:com.snowplowanalytics.snowplow/cross_navigation/jsonschema/1-0-0"
)
#: The page-URL query parameter carrying the cross-domain values.
SP_PARAMETER: Final = "_sp"

_PARTS: Final = 7
_TIMESTAMP_FIELD: Final = "sp_dtm"  # how Enrich names the _sp timestamp in its failures


class CrossDomain(msgspec.Struct, frozen=True, kw_only=True):
    """The values found in one ``_sp`` parameter (None: absent)."""

    domain_user_id: str | None = None
    timestamp: dt.datetime | None = None
    session_id: str | None = None
    user_id: str | None = None
    source_id: str | None = None
    source_platform: str | None = None
    reason: str | None = None


def _blank(value: str) -> bool:
    """Java's ``trim().isEmpty()``: nothing but characters up to U+0020."""
    return all(c <= " " for c in value)


def _plain(value: str) -> str | None:
    return None if _blank(value) else value


def _decoded(value: str) -> str | None:
    if not value:
        return None
    text = decode_base64_text(value)
    assert isinstance(text, str)  # lenient decoding never fails
    return None if _blank(text) else text


def sp_value(page_query: Sequence[tuple[str, str | None]]) -> str | None:
    """The ``_sp`` value of a page query (the last occurrence wins; ``_sp`` without a value
    counts as empty); None when there is none."""
    found: str | None = None
    for name, value in page_query:
        if name == SP_PARAMETER:
            found = value or ""
    return found


def parse_sp(value: str | None) -> CrossDomain | str | None:
    """Parse an ``_sp`` value; None when it carries nothing (absent, empty, or more than seven
    parts), an error message when its timestamp is not epoch milliseconds."""
    if not value:
        return None
    parts = value.split(".")
    if len(parts) > _PARTS:
        return None
    parts += [""] * (_PARTS - len(parts))
    duid, tstamp, session_id, user_id, source_id, source_platform, reason = parts
    timestamp: dt.datetime | None = None
    if tstamp:
        parsed = parse_timestamp(tstamp)
        if isinstance(parsed, ConversionError):
            return (
                f"{_TIMESTAMP_FIELD}: value [{tstamp}] of the _sp parameter "
                f"[{value}] is invalid: {parsed.message}"
            )
        timestamp = parsed
    return CrossDomain(
        domain_user_id=tsv_safe(duid),
        timestamp=timestamp,
        session_id=_plain(session_id),
        user_id=_decoded(user_id),
        source_id=_decoded(source_id),
        source_platform=_plain(source_platform),
        reason=_decoded(reason),
    )


def apply_cross_domain(
    fields: dict[str, Any], page_query: Sequence[tuple[str, str | None]]
) -> CrossDomain | str | None:
    """The built-in cross-domain step: set ``refr_domain_userid`` and ``refr_dvce_tstamp``
    from the page URL's ``_sp``. Returns what :func:`parse_sp` returned."""
    result = parse_sp(sp_value(page_query))
    if isinstance(result, CrossDomain):
        if result.domain_user_id is not None:
            fields["refr_domain_userid"] = result.domain_user_id
        if result.timestamp is not None:
            fields["refr_dvce_tstamp"] = result.timestamp
    return result


def _iso(moment: dt.datetime) -> str:
    """ISO-8601 as Java's ``ISO_DATE_TIME`` prints a local time, plus ``Z``: the fraction
    without trailing zeros, left out when zero."""
    m = moment
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    millis = moment.microsecond // 1000
    if millis:
        text += f".{millis:03d}".rstrip("0")
    return text + "Z"


def cross_navigation_entity(cd: CrossDomain) -> dict[str, Any] | None:
    """The data of the ``cross_navigation`` 1-0-0 entity, or None when the ``_sp`` value
    lacks the domain user id or the timestamp (Enrich then derives no entity)."""
    if cd.domain_user_id is None or cd.timestamp is None:
        return None
    return {
        "domain_user_id": cd.domain_user_id,
        "timestamp": _iso(cd.timestamp),
        "session_id": cd.session_id,
        "user_id": cd.user_id,
        "source_id": cd.source_id,
        "source_platform": cd.source_platform,
        "reason": cd.reason,
    }
