"""The raw record of one collected HTTP request: Snowplow's Thrift ``CollectorPayload``.

Wire format: Thrift binary protocol (the layout produced by Java's ``TSerializer`` default).
A record is a sequence of fields ``[type: u8][id: i16 BE][value]`` closed by a ``0`` byte;
strings are ``[length: i32 BE][UTF-8 bytes]``, ``i64`` is 8 bytes big-endian and
``list<string>`` is ``[element type: u8][count: i32 BE]`` followed by the strings.

* :func:`encode` uses thriftpy2 (Cython protocol) with the IDL shipped next to this module
  (``collector_payload.thrift``). Fields are declared in ascending id order there, so the
  output carries ``schema`` (id 31337) last, exactly like Snowplow's collector.
* :func:`decode` is hand-written: thriftpy2's Cython reader does not check declared lengths
  against the input (truncated records decode "successfully" with stray heap bytes, and a
  corrupted length can allocate gigabytes), so it is unfit for untrusted bytes. This reader
  accepts fields in any order, skips unknown or mistyped fields, ignores bytes after the
  closing ``0`` (as Java's ``TDeserializer`` does) and never raises: unreadable input
  becomes a :class:`PayloadDecodeError`. :func:`reference_decode` (thriftpy2) is kept for
  tests and benchmarks, on trusted input only.
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import io
import struct
import types
from typing import Any, Final

import msgspec
import thriftpy2
from thriftpy2.utils import deserialize, serialize

__all__ = [
    "DECODE_ERROR_PREFIX",
    "SCHEMA_URI",
    "CollectorPayload",
    "PayloadDecodeError",
    "decode",
    "encode",
    "reference_decode",
    "thrift_module",
]

SCHEMA_URI: Final = "iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-0"
"""The value Snowplow's collector always writes into the ``schema`` field."""

DECODE_ERROR_PREFIX: Final = "error deserializing raw event: "
"""Start of every :class:`PayloadDecodeError` message (Enrich's wording)."""


class CollectorPayload(msgspec.Struct, frozen=True, kw_only=True):
    """One collected request. ``None`` means the field is absent from the Thrift record.

    Fields are declared in wire order (ascending Thrift id; ``schema``, id 31337, last).
    """

    ip_address: str | None = None
    """100 ``ipAddress``: client IP as seen by the collector, or ``unknown``."""
    timestamp: int | None = None
    """200 ``timestamp``: receive time, milliseconds since the Unix epoch (signed 64-bit)."""
    encoding: str | None = None
    """210 ``encoding``: character encoding of the request, normally ``UTF-8``."""
    collector: str | None = None
    """220 ``collector``: collector name, e.g. ``ssc-3.4.0-kinesissink``."""
    user_agent: str | None = None
    """300 ``userAgent``: the ``User-Agent`` header."""
    referer_uri: str | None = None
    """310 ``refererUri``: the ``Referer`` header."""
    path: str | None = None
    """320 ``path``: request path, e.g. ``/com.snowplowanalytics.snowplow/tp2`` or ``/i``."""
    querystring: str | None = None
    """330 ``querystring``: raw (still URL-encoded) query string without the ``?``."""
    body: str | None = None
    """340 ``body``: request body as text (POST only)."""
    headers: tuple[str, ...] | None = None
    """350 ``headers``: request headers rendered as ``"Name: value"`` strings."""
    content_type: str | None = None
    """360 ``contentType``: lower-cased request ``Content-Type``."""
    hostname: str | None = None
    """400 ``hostname``: host of the request URI."""
    network_user_id: str | None = None
    """410 ``networkUserId``: network user id (cookie value, ``nuid`` or generated UUID)."""
    schema: str | None = SCHEMA_URI
    """31337 ``schema``: Iglu URI of the record format."""


class PayloadDecodeError(msgspec.Struct, frozen=True, kw_only=True):
    """Bytes that are not a readable Thrift ``CollectorPayload``.

    ``message`` starts with :data:`DECODE_ERROR_PREFIX` and says what was found where;
    ``offset`` is the byte position at which reading failed.
    """

    message: str
    offset: int


# Thrift id of each CollectorPayload field, in declaration (= wire) order, and the IDL name.
_WIRE_IDS: Final = (100, 200, 210, 220, 300, 310, 320, 330, 340, 350, 360, 400, 410, 31337)
_IDL_NAMES: Final = (
    *("ipAddress", "timestamp", "encoding", "collector", "userAgent", "refererUri", "path"),
    *("querystring", "body", "headers", "contentType", "hostname", "networkUserId", "schema"),
)

# --------------------------------------------------------------------------- encoding


@functools.cache
def thrift_module() -> types.ModuleType:
    """The thriftpy2 module generated from the shipped ``collector_payload.thrift`` IDL."""
    idl = importlib.resources.files(__package__).joinpath("collector_payload.thrift")
    module: types.ModuleType = thriftpy2.load_fp(
        io.StringIO(idl.read_text("utf-8")), "collector_payload_thrift"
    )
    spec = module.CollectorPayload.thrift_spec
    declared = tuple((fid, entry[1]) for fid, entry in spec.items())
    if declared != tuple(zip(_WIRE_IDS, _IDL_NAMES, strict=True)):
        raise RuntimeError(f"collector_payload.thrift does not match CollectorPayload: {declared}")
    return module


@functools.cache
def _protocol_factory() -> Any:
    try:
        protocols = importlib.import_module("thriftpy2.protocol.cybin")
        return protocols.TCyBinaryProtocolFactory()
    except ImportError:  # interpreters without the Cython extension
        protocols = importlib.import_module("thriftpy2.protocol")
        return protocols.TBinaryProtocolFactory()


def encode(payload: CollectorPayload) -> bytes:
    """Serialize ``payload`` with the Thrift binary protocol, fields in ascending id order.

    Absent (``None``) fields are not written. Strings are UTF-8; an unpaired surrogate is
    written as ``?`` (what Java does). Raises ``ValueError`` if ``timestamp`` does not fit
    a signed 64-bit integer (a programmer error: the collector sets it from the clock).
    """
    values = msgspec.structs.astuple(payload)
    try:
        return serialize(thrift_module().CollectorPayload(*values), _protocol_factory())
    except Exception:  # thriftpy2 reports bad values as TDecodeException; retry cleaned
        pass
    timestamp = payload.timestamp
    if timestamp is not None and not -(2**63) <= timestamp < 2**63:
        raise ValueError(f"timestamp {timestamp!r} is not a signed 64-bit millisecond count")
    cleaned = [_without_surrogates(value) for value in values]
    return serialize(thrift_module().CollectorPayload(*cleaned), _protocol_factory())


def _without_surrogates(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, tuple):
        return tuple(_without_surrogates(item) for item in value)
    return value


# --------------------------------------------------------------------------- decoding

_T_STOP: Final = 0
_T_I64: Final = 10
_T_STRING: Final = 11
_T_STRUCT: Final = 12
_T_MAP: Final = 13
_T_SET: Final = 14
_T_LIST: Final = 15
_FIXED_WIDTH: Final[dict[int, int]] = {2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8}  # bool .. i64
_MAX_DEPTH: Final = 64  # nesting limit for skipped values, as in Apache Thrift
_ID_TIMESTAMP: Final = 200
_ID_HEADERS: Final = 350
_STRING_FIELDS: Final[dict[int, str]] = {
    fid: name
    for fid, name in zip(_WIRE_IDS, CollectorPayload.__struct_fields__, strict=True)
    if fid not in (_ID_TIMESTAMP, _ID_HEADERS)
}

_FIELD_HEAD = struct.Struct(">Bh")
_STRING_FIELD_HEAD = struct.Struct(">Bhi")
_I64_FIELD = struct.Struct(">Bhq")
_LIST_FIELD_HEAD = struct.Struct(">BhBi")
_LIST_HEAD = struct.Struct(">Bi")
_MAP_HEAD = struct.Struct(">BBi")
_I32 = struct.Struct(">i")


class _UnreadableError(Exception):
    """Internal signal: the record cannot be read; never escapes :func:`decode`."""

    def __init__(self, detail: str, offset: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.offset = offset


def decode(data: bytes | bytearray | memoryview) -> CollectorPayload | PayloadDecodeError:
    """Read one Thrift binary ``CollectorPayload``; never raises, whatever the bytes.

    Invalid UTF-8 inside strings is replaced by U+FFFD (what Java's reader does).
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    try:
        return _read_payload(data)
    except _UnreadableError as err:
        return PayloadDecodeError(message=DECODE_ERROR_PREFIX + err.detail, offset=err.offset)
    except struct.error:  # a fixed-size header inside a skipped value ran past the end
        return PayloadDecodeError(
            message=f"{DECODE_ERROR_PREFIX}record truncated: the {len(data)} bytes end"
            " inside a header of a skipped value",
            offset=len(data),
        )


def _bad_length(what: str, length: int, at: int, size: int) -> _UnreadableError:
    left = size - at - 4
    return _UnreadableError(
        f"{what}: length {length} at byte {at} does not fit the input"
        f" (expected 0..{max(left, 0)}, the bytes left)",
        at,
    )


def _read_payload(data: bytes) -> CollectorPayload:
    size = len(data)
    found: dict[str, Any] = {"schema": None}
    string_fields = _STRING_FIELDS
    unpack_string_head = _STRING_FIELD_HEAD.unpack_from
    unpack_i32 = _I32.unpack_from
    pos = 0
    while pos < size:
        ftype = data[pos]
        if ftype == _T_STOP:
            return CollectorPayload(**found)
        # Fast paths for the fields we know; anything else falls through to _skip.
        if ftype == _T_STRING and pos + 7 <= size:
            _, fid, length = unpack_string_head(data, pos)
            name = string_fields.get(fid)
            if name is not None:
                start = pos + 7
                pos = start + length
                if length < 0 or pos > size:
                    raise _bad_length(f"field {fid} (string)", length, start - 4, size)
                found[name] = data[start:pos].decode("utf-8", "replace")
                continue
        elif ftype == _T_LIST and pos + 8 <= size:
            _, fid, elem_type, count = _LIST_FIELD_HEAD.unpack_from(data, pos)
            if fid == _ID_HEADERS and elem_type == _T_STRING:
                if count < 0 or count * 4 > size - pos - 8:
                    raise _bad_length("field 350 (list size)", count, pos + 4, size)
                pos += 8
                items: list[str] = []
                for index in range(count):
                    if pos + 4 > size:
                        raise _bad_length(f"field 350 element {index}", -1, pos, size)
                    (length,) = unpack_i32(data, pos)
                    start = pos + 4
                    pos = start + length
                    if length < 0 or pos > size:
                        raise _bad_length(f"field 350 element {index}", length, start - 4, size)
                    items.append(data[start:pos].decode("utf-8", "replace"))
                found["headers"] = tuple(items)
                continue
        elif ftype == _T_I64 and pos + 11 <= size:
            _, fid, value = _I64_FIELD.unpack_from(data, pos)
            if fid == _ID_TIMESTAMP:
                found["timestamp"] = value
                pos += 11
                continue
        if pos + 3 > size:
            raise _UnreadableError(
                f"record truncated: field header at byte {pos} needs 3 bytes, {size - pos} left",
                pos,
            )
        _, fid = _FIELD_HEAD.unpack_from(data, pos)
        pos = _skip(data, pos + 3, ftype, fid, 1)
    raise _UnreadableError(
        f"record truncated: expected a field header or the end byte 0 at byte {pos},"
        f" but the input has only {size} bytes",
        pos,
    )


def _skip(data: bytes, pos: int, ttype: int, fid: int, depth: int) -> int:
    """Return the position just after one value of type ``ttype`` starting at ``pos``."""
    size = len(data)
    width = _FIXED_WIDTH.get(ttype)
    if width is not None:
        if pos + width > size:
            raise _UnreadableError(
                f"record truncated: a {width}-byte value of field {fid} starts at byte {pos}"
                f" but the input has only {size} bytes",
                pos,
            )
        return pos + width
    if ttype == _T_STRING:
        length: int = _I32.unpack_from(data, pos)[0]
        if length < 0 or pos + 4 + length > size:
            raise _bad_length(f"field {fid} (string)", length, pos, size)
        return pos + 4 + length
    if depth > _MAX_DEPTH:
        raise _UnreadableError(
            f"field {fid}: nested deeper than {_MAX_DEPTH} levels at byte {pos}", pos
        )
    if ttype == _T_STRUCT:
        while True:
            if pos >= size:
                raise _UnreadableError(
                    f"record truncated: struct in field {fid} has no end byte", pos
                )
            if data[pos] == _T_STOP:
                return pos + 1
            inner_type, _ = _FIELD_HEAD.unpack_from(data, pos)
            pos = _skip(data, pos + 3, inner_type, fid, depth + 1)
    elem_types: tuple[int, ...]
    if ttype == _T_MAP:
        key_type, value_type, count = _MAP_HEAD.unpack_from(data, pos)
        elem_types, pos = (key_type, value_type), pos + 6
    elif ttype in (_T_SET, _T_LIST):
        elem_type, count = _LIST_HEAD.unpack_from(data, pos)
        elem_types, pos = (elem_type,), pos + 5
    else:
        raise _UnreadableError(
            f"field {fid}: unknown Thrift type code {ttype} at byte {pos - 3}"
            " (expected one of 0, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 15)",
            pos - 3,
        )
    if count < 0 or count > size - pos:  # every element takes at least one byte
        raise _bad_length(f"field {fid} (container size)", count, pos - 4, size)
    for _ in range(count):
        for elem_type in elem_types:
            pos = _skip(data, pos, elem_type, fid, depth + 1)
    return pos


def reference_decode(data: bytes) -> CollectorPayload | PayloadDecodeError:
    """Deserialize with thriftpy2: the reference :func:`decode` is checked against.

    Trusted, well-formed input only: see the module docstring.
    """
    try:
        obj = deserialize(thrift_module().CollectorPayload(), data, _protocol_factory())
    except Exception as exc:  # thriftpy2 raises many unrelated types on bad input
        return PayloadDecodeError(message=DECODE_ERROR_PREFIX + str(exc), offset=0)
    values: dict[str, Any] = {}
    for field, idl_name in zip(CollectorPayload.__struct_fields__, _IDL_NAMES, strict=True):
        value = getattr(obj, idl_name)
        if isinstance(value, bytes):  # thriftpy2 returns bytes when UTF-8 is invalid
            value = value.decode("utf-8", "replace")
        elif isinstance(value, list):
            value = tuple(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value
            )
        values[field] = value
    return CollectorPayload(**values)
