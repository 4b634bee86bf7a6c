"""IP anonymisation (``anon_ip``): masks the end of ``user_ipaddress`` with ``x``.

Snowplow's rules, reproduced exactly:

- An IPv4 address (``94.15.223.151``) keeps its first ``4 - anonOctets`` dot-separated parts
  and the rest become ``x`` (``94.x.x.x`` for 3 octets). The original text is split, so the
  result keeps its spelling.
- An IPv4-mapped IPv6 address is an IPv4 address on the JVM: ``::FFFF:a.b.c.d`` keeps the
  ``::FFFF:`` prefix (upper case only) and masks the IPv4 part; other spellings are masked as
  text split on dots.
- Any other IPv6 address is first written as the JVM writes it (eight groups, no ``::``
  compression, no leading zeros), then its last ``anonSegments`` groups become ``x``:
  ``2605:2700:0:3::4713:93e3`` with 4 → ``2605:2700:0:3:x:x:x:x``.
- Text that is not an IP address is masked as IPv4 by position when it contains a dot (or is
  empty), as IPv6 by position when it contains a colon, and is kept otherwise.

``anonSegments`` (1-0-1) defaults to ``anonOctets``.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, ClassVar

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.enrichments._client_ip import java_host_address

__all__ = ["AnonIp", "anonymize_ip"]

_MAPPED_PREFIX = "::FFFF:"
_MASK = "x"
_DOT = re.compile(r"\.")
_COLON = re.compile(":")


def _java_split(pattern: re.Pattern[str], text: str) -> list[str]:
    """``String.split(regex)``: trailing empty strings are removed; no match → ``[text]``."""
    parts = pattern.split(text)
    while parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if parts == [""] and text:
        return []
    return parts


def _mask_v4(text: str, octets: int) -> str:
    parts = _java_split(_DOT, text)
    keep = parts[: 4 - octets]
    return ".".join(keep + [_MASK] * (len(parts) - len(keep)))


def _anonymize_v4(text: str, octets: int) -> str:
    if text.startswith(_MAPPED_PREFIX):
        return _MAPPED_PREFIX + _mask_v4(text.replace(_MAPPED_PREFIX, ""), octets)
    return _mask_v4(text, octets)


def _anonymize_v6(text: str, segments: int) -> str:
    parts = _java_split(_COLON, text)[: 8 - segments]
    return ":".join(parts + [_MASK] * (8 - len(parts)))


def _parse_guava(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if "%" in text or not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def anonymize_ip(text: str, octets: int, segments: int) -> str:
    """``text`` with its last ``octets`` (IPv4) or ``segments`` (IPv6) parts masked."""
    address = _parse_guava(text)
    if isinstance(address, ipaddress.IPv4Address):
        return _anonymize_v4(text, octets)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _anonymize_v4(text, octets)
        return _anonymize_v6(java_host_address(address), segments)
    if "." in text or not text:
        return _anonymize_v4(text, octets)
    if ":" in text:
        return _anonymize_v6(text, segments)
    return text


def _count(value: Any, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EnrichmentConfigError(f"{name} must be an integer 1..{maximum}, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise EnrichmentConfigError(f"{name} must be an integer 1..{maximum}, got {value!r}")
    number = int(value)
    if not 1 <= number <= maximum:
        raise EnrichmentConfigError(f"{name} must be an integer 1..{maximum}, got {value!r}")
    return number


class AnonIp(Enrichment):
    """Masks the end of ``user_ipaddress`` (runs after the enrichments that need the full IP)."""

    schema_name: ClassVar[str] = "anon_ip"
    criteria = (criterion("iglu:com.snowplowanalytics.snowplow/anon_ip/jsonschema/1-0-*"),)
    identifier: ClassVar[str] = "anon_ip"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters = config.parameters
        if "anonOctets" not in parameters:
            raise EnrichmentConfigError("parameters.anonOctets is required (an integer 1..4)")
        self.octets = _count(parameters["anonOctets"], "parameters.anonOctets", 4)
        segments = parameters.get("anonSegments")
        self.segments = (
            self.octets if segments is None else _count(segments, "parameters.anonSegments", 8)
        )
        octets, segs = self.octets, self.segments

        @lru_cache(maxsize=4096)
        def cached(text: str) -> str:
            return anonymize_ip(text, octets, segs)

        self._anonymize = cached

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        ip = event.fields.get("user_ipaddress")
        if isinstance(ip, str):
            event.fields["user_ipaddress"] = self._anonymize(ip)
        return None
