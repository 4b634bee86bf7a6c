"""Reading the client IP address the way Snowplow's enrichments do.

``user_ipaddress`` is free text (the collector's remote address or the tracker's ``ip``
parameter). Snowplow's IAB and IP-lookup enrichments read it as a host name that must be an IP
literal, optionally with a port: ``1.2.3.4``, ``1.2.3.4:8080``, ``2001:db8::1``,
``[2001:db8::1]`` or ``[2001:db8::1]:443``. An IPv4-mapped IPv6 address (``::ffff:1.2.3.4``) is
the IPv4 address, as on the JVM. Host names are never resolved.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

__all__ = ["IpAddress", "java_host_address", "parse_client_ip"]

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CACHE_SIZE = 8192


def _literal(text: str) -> IpAddress | None:
    if "%" in text:  # zone ids are not client addresses
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=_CACHE_SIZE)
def parse_client_ip(text: str) -> IpAddress | None:
    """The IP address in ``text`` (an IP literal, possibly with a port), or None."""
    value = text.strip()
    if not value:
        return None
    address = _literal(value)
    if address is not None:
        return address
    if value.startswith("["):
        end = value.find("]")
        rest = value[end + 1 :] if end > 0 else "x"
        if end > 0 and (not rest or (rest[0] == ":" and rest[1:].isdigit())):
            inner = _literal(value[1:end])
            return inner if isinstance(inner, ipaddress.IPv6Address) else None
        return None
    host, sep, port = value.rpartition(":")
    if sep and port.isdigit() and host.count(":") == 0:
        return _literal(host)
    return None


def java_host_address(address: IpAddress) -> str:
    """``InetAddress.getHostAddress()``: dotted IPv4, or eight uncompressed lower-case hex
    groups without leading zeros for IPv6 (``2605:2700:0:3:0:0:4713:93e3``)."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    packed = address.packed
    return ":".join(f"{(packed[i] << 8) | packed[i + 1]:x}" for i in range(0, 16, 2))
