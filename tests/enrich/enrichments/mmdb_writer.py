"""A small writer of MaxMind DB (``.mmdb``) files, for tests.

It follows the public "MaxMind DB File Format Specification" (version 2.0): a binary search
tree over the address bits (24-bit records), sixteen zero bytes, the data section, then the
metadata marker ``\\xab\\xcd\\xefMaxMind.com`` followed by the metadata map. Trees are always
IPv6 (``ip_version`` 6); IPv4 networks are stored under ``::/96`` as readers expect. Data is
written without pointers or de-duplication, which readers accept.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Unsigned", "write_mmdb"]

_METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Node:
    __slots__ = ("children",)

    def __init__(self) -> None:
        # each child: None (no data), a _Node, or an int (offset into the data section)
        self.children: list[_Node | int | None] = [None, None]


def _control(type_number: int, size: int) -> bytes:
    """Control byte(s) of a field of ``type_number`` with payload size ``size``."""
    extended = type_number > 7
    first_type = 0 if extended else type_number
    if size < 29:
        head, tail = size, b""
    elif size < 29 + 256:
        head, tail = 29, bytes([size - 29])
    elif size < 285 + 65536:
        head, tail = 30, (size - 285).to_bytes(2, "big")
    else:
        head, tail = 31, (size - 65821).to_bytes(3, "big")
    out = bytes([(first_type << 5) | head])
    if extended:
        out += bytes([type_number - 7])
    return out + tail


class Unsigned:
    """An unsigned integer written with an explicit MMDB type (5: uint16, 6: uint32, 9: uint64)."""

    __slots__ = ("type_number", "value")

    def __init__(self, type_number: int, value: int) -> None:
        self.type_number, self.value = type_number, value


def _encode(value: Any) -> bytes:
    if isinstance(value, Unsigned):
        length = (value.value.bit_length() + 7) // 8
        return _control(value.type_number, length) + value.value.to_bytes(length, "big")
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(2, len(raw)) + raw
    if isinstance(value, float):
        return _control(3, 8) + struct.pack(">d", value)
    if isinstance(value, int):
        if value < 0:
            return _control(8, 4) + value.to_bytes(4, "big", signed=True)
        length = (value.bit_length() + 7) // 8
        type_number = 5 if length <= 2 else 6 if length <= 4 else 9 if length <= 8 else 10
        raw = value.to_bytes(length, "big") if length else b""
        return _control(type_number, length) + raw
    if isinstance(value, Mapping):
        out = _control(7, len(value))
        for key, item in value.items():
            out += _encode(str(key)) + _encode(item)
        return out
    if isinstance(value, list | tuple):
        out = _control(11, len(value))
        for item in value:
            out += _encode(item)
        return out
    if isinstance(value, bytes):
        return _control(4, len(value)) + value
    raise TypeError(f"cannot encode {type(value).__name__} in an MMDB file")


def _bits(network: Network) -> list[int]:
    if isinstance(network, ipaddress.IPv4Network):
        value, prefix = int(network.network_address), 96 + network.prefixlen
    else:
        value, prefix = int(network.network_address), network.prefixlen
    return [(value >> (127 - i)) & 1 for i in range(prefix)]


def write_mmdb(
    path: Path,
    records: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    database_type: str = "GeoIP2-City",
) -> Path:
    """Write ``records`` ((network in CIDR notation, data map) pairs) to ``path``.

    Later, more specific networks may be written inside earlier, larger ones.
    """
    data = bytearray()
    root = _Node()
    for cidr, value in records:
        offset = len(data)
        data += _encode(dict(value))
        bits = _bits(ipaddress.ip_network(cidr, strict=False))
        node = root
        for depth, bit in enumerate(bits):
            if depth == len(bits) - 1:
                node.children[bit] = offset
                break
            child = node.children[bit]
            if not isinstance(child, _Node):
                split = _Node()
                split.children = [child, child]
                node.children[bit] = split
                child = split
            node = child
    # number the nodes breadth first
    order: list[_Node] = []
    queue = [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        queue.extend(c for c in node.children if isinstance(c, _Node))
    index = {id(node): i for i, node in enumerate(order)}
    count = len(order)

    def record(child: _Node | int | None) -> int:
        if child is None:
            return count
        if isinstance(child, _Node):
            return index[id(child)]
        return count + 16 + child

    tree = bytearray()
    for node in order:
        left, right = (record(c) for c in node.children)
        tree += left.to_bytes(3, "big") + right.to_bytes(3, "big")
    metadata = {
        "node_count": Unsigned(6, count),
        "record_size": Unsigned(5, 24),
        "ip_version": Unsigned(5, 6),
        "database_type": database_type,
        "languages": ["en"],
        "binary_format_major_version": Unsigned(5, 2),
        "binary_format_minor_version": Unsigned(5, 0),
        "build_epoch": Unsigned(9, 1_700_000_000),
        "description": {"en": "pyplow test database"},
    }
    path.write_bytes(
        bytes(tree) + b"\x00" * 16 + bytes(data) + _METADATA_MARKER + _encode(metadata)
    )
    return path
