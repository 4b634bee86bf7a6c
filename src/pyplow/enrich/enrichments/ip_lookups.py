"""IP lookups (``ip_lookups`` 2-0-*): MaxMind databases → geo, ISP, domain, connection type, ASN.

Configured as Snowplow configures it: ``parameters.geo`` / ``isp`` / ``domain`` /
``connectionType`` / ``asn``, each ``{"database": <file>, "uri": <folder or URL>}``. Databases
are MaxMind DB (``.mmdb``) files read with ``maxminddb`` (install ``pyplow[enrich]``).

The input is ``user_ipaddress`` before anonymisation: an IP literal, possibly with a port
(``1.2.3.4:8080``, ``[2001:db8::1]:443``); IPv4-mapped IPv6 addresses are looked up as IPv4.
As in Snowplow, a failed lookup (unknown address, not an IP, missing record) is swallowed: the
fields stay unset and nothing is reported.

Outputs, as Snowplow writes them:

- geo (City database): ``geo_country`` (ISO code), ``geo_region`` / ``geo_region_name`` (ISO
  code and English name of the most specific subdivision), ``geo_city``, ``geo_zipcode``,
  ``geo_latitude`` / ``geo_longitude`` (the JVM reads them as 32-bit floats: values are rounded
  to float precision and printed shortest, 0.0 when the record has no location), and
  ``geo_timezone``;
- isp (ISP database): ``ip_isp`` and ``ip_organization``; domain: ``ip_domain``; connection
  type: ``ip_netspeed`` (``Cable/DSL``, ``Cellular``, ``Corporate``, ``Satellite``);
- asn (ASN database): the entity ``com.snowplowanalytics.snowplow/asn/jsonschema/1-0-1``
  ``{"number": <int>, "organization": <string or null>}``.

Results are cached per address text (LRU, 20,000 entries like Snowplow's).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar, Final

from pyplow.enrich.assets import resolve_asset
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.enrichments._client_ip import IpAddress, parse_client_ip
from pyplow.event.entities import Entity

__all__ = ["ASN_SCHEMA", "IpLookups", "java_float"]

ASN_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/asn/jsonschema/1-0-1"

_DATABASES: Final = ("geo", "isp", "domain", "connectionType", "asn")
_CACHE_SIZE: Final = 20_000
_FLOAT32 = struct.Struct("<f")


def java_float(value: float) -> float:
    """``value`` rounded to a 32-bit float, as the double whose shortest form is the float's
    ``Float.toString`` (``37.751`` stays ``37.751``, not ``37.75099945068359``)."""
    packed = _FLOAT32.pack(value)
    single = _FLOAT32.unpack(packed)[0]
    for digits in range(1, 10):
        candidate = float(f"{single:.{digits}g}")
        if _FLOAT32.pack(candidate) == packed:
            return candidate
    return float(single)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _name(record: Any) -> str | None:
    if not isinstance(record, Mapping):
        return None
    names = record.get("names")
    return _text(names.get("en")) if isinstance(names, Mapping) else None


def _mapping(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = record.get(key)
    return value if isinstance(value, Mapping) else {}


def _coordinate(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return java_float(float(value))
    return 0.0


def geo_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The atomic ``geo_*`` fields of one City database record."""
    subdivisions = record.get("subdivisions")
    last: Mapping[str, Any] = (
        subdivisions[-1]
        if isinstance(subdivisions, list) and subdivisions and isinstance(subdivisions[-1], Mapping)
        else {}
    )
    location = _mapping(record, "location")
    return {
        "geo_country": _text(_mapping(record, "country").get("iso_code")),
        "geo_region": _text(last.get("iso_code")),
        "geo_city": _name(record.get("city")),
        "geo_zipcode": _text(_mapping(record, "postal").get("code")),
        "geo_latitude": _coordinate(location.get("latitude")),
        "geo_longitude": _coordinate(location.get("longitude")),
        "geo_region_name": _name(last),
        "geo_timezone": _text(location.get("time_zone")),
    }


class _Result:
    __slots__ = ("asn", "fields")

    def __init__(self, fields: dict[str, Any], asn: Entity | None) -> None:
        self.fields = fields
        self.asn = asn


_EMPTY = _Result({}, None)


class IpLookups(Enrichment):
    """Geo, ISP, domain, connection-type and ASN lookups of ``user_ipaddress``."""

    schema_name: ClassVar[str] = "ip_lookups"
    criteria = (criterion("iglu:com.snowplowanalytics.snowplow/ip_lookups/jsonschema/2-0-*"),)
    identifier: ClassVar[str] = "ip_lookups"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        try:
            import maxminddb  # optional dependency, loaded when configured
        except ImportError:
            raise EnrichmentConfigError(
                "the maxminddb package is missing: install pyplow[enrich]"
            ) from None
        parameters = config.parameters
        unknown = sorted(set(parameters) - set(_DATABASES))
        if unknown:
            raise EnrichmentConfigError(
                f"unknown parameters {unknown}; expected any of {list(_DATABASES)}"
            )
        self._readers: dict[str, Any] = {}
        for name in _DATABASES:
            if name not in parameters:
                continue
            path = resolve_asset(parameters[name], f"parameters.{name}")
            try:
                self._readers[name] = maxminddb.open_database(str(path), maxminddb.MODE_MEMORY)
            except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
                raise EnrichmentConfigError(
                    f"parameters.{name}: {path} is not a MaxMind DB file ({exc})"
                ) from None
        self._lookup = lru_cache(maxsize=_CACHE_SIZE)(self._lookup_uncached)

    def _get(self, name: str, address: IpAddress) -> Mapping[str, Any] | None:
        reader = self._readers.get(name)
        if reader is None:
            return None
        try:
            record = reader.get(address)
        except (ValueError, TypeError, OSError):
            return None
        return record if isinstance(record, Mapping) else None

    def _lookup_uncached(self, text: str) -> _Result:
        address = parse_client_ip(text)
        if address is None:
            return _EMPTY
        fields: dict[str, Any] = {}
        geo = self._get("geo", address)
        if geo is not None:
            fields.update(geo_fields(geo))
        isp = self._get("isp", address)
        if isp is not None:
            if (value := _text(isp.get("isp"))) is not None:
                fields["ip_isp"] = value
            if (value := _text(isp.get("organization"))) is not None:
                fields["ip_organization"] = value
        domain = self._get("domain", address)
        if domain is not None and (value := _text(domain.get("domain"))) is not None:
            fields["ip_domain"] = value
        connection = self._get("connectionType", address)
        if (
            connection is not None
            and (value := _text(connection.get("connection_type"))) is not None
        ):
            fields["ip_netspeed"] = value
        asn_entity: Entity | None = None
        asn = self._get("asn", address)
        if asn is not None:
            number = asn.get("autonomous_system_number")
            if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
                asn_entity = Entity(
                    ASN_SCHEMA,
                    {
                        "number": number,
                        "organization": _text(asn.get("autonomous_system_organization")),
                    },
                )
        return _Result(fields, asn_entity)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        ip = event.fields.get("user_ipaddress")
        if not isinstance(ip, str) or not ip:
            return None
        result = self._lookup(ip)
        if result.fields:
            event.fields.update(result.fields)
        if result.asn is None:
            return None
        # a copy per event: later enrichments may edit entity data in place
        return [Entity(ASN_SCHEMA, dict(result.asn.data))]

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
        self._lookup.cache_clear()
