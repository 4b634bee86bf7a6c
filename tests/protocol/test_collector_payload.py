"""Thrift binary codec of CollectorPayload: exact bytes, tolerance, and never-raise."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.protocol.collector_payload import (
    DECODE_ERROR_PREFIX,
    SCHEMA_URI,
    CollectorPayload,
    PayloadDecodeError,
    decode,
    encode,
    reference_decode,
    thrift_module,
)

# ----------------------------------------------------------------- hand-assembled bytes


def s_field(fid: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return bytes([11]) + struct.pack(">h", fid) + struct.pack(">i", len(raw)) + raw


def i64_field(fid: int, value: int) -> bytes:
    return bytes([10]) + struct.pack(">hq", fid, value)


def list_field(fid: int, items: list[bytes]) -> bytes:
    body = b"".join(struct.pack(">i", len(item)) + item for item in items)
    return bytes([15]) + struct.pack(">h", fid) + bytes([11]) + struct.pack(">i", len(items)) + body


# ip 1.2.3.4, timestamp 1389833398278, encoding, collector "c", path /i, one header, schema.
SMALL = (
    bytes.fromhex(
        "0b0064" + "00000007" + "312e322e332e34"
        "0a00c8" + "0000014398" + "86a806"
        "0b00d2" + "00000005" + "5554462d38"
        "0b00dc" + "00000001" + "63"
        "0b0140" + "00000002" + "2f69"
        "0f015e" + "0b" + "00000001" + "00000004" + "413a2062"
        "0b7a69" + "00000041"
    )
    + SCHEMA_URI.encode()
    + b"\x00"
)

SMALL_PAYLOAD = CollectorPayload(
    ip_address="1.2.3.4",
    timestamp=1389833398278,
    encoding="UTF-8",
    collector="c",
    path="/i",
    headers=("A: b",),
)


def fields_of(p: CollectorPayload) -> list[bytes]:
    """Independent per-field rendering, ascending ids (schema last)."""
    out: list[bytes] = []
    strings = [
        (100, p.ip_address),
        (210, p.encoding),
        (220, p.collector),
        (300, p.user_agent),
        (310, p.referer_uri),
        (320, p.path),
        (330, p.querystring),
        (340, p.body),
        (360, p.content_type),
        (400, p.hostname),
        (410, p.network_user_id),
        (31337, p.schema),
    ]
    for fid, value in strings:
        if value is not None:
            out.append(s_field(fid, value))
        if fid == 100 and p.timestamp is not None:
            out.append(i64_field(200, p.timestamp))
        if fid == 340 and p.headers is not None:
            out.append(list_field(350, [h.encode() for h in p.headers]))
    return out


text = st.text(max_size=40)
opt_text = st.none() | text
payloads = st.builds(
    CollectorPayload,
    ip_address=opt_text,
    timestamp=st.none() | st.integers(-(2**63), 2**63 - 1),
    encoding=opt_text,
    collector=opt_text,
    user_agent=opt_text,
    referer_uri=opt_text,
    path=opt_text,
    querystring=opt_text,
    body=st.none() | st.text(max_size=300),
    headers=st.none() | st.lists(text, max_size=6).map(tuple),
    content_type=opt_text,
    hostname=opt_text,
    network_user_id=opt_text,
    schema=st.none() | st.just(SCHEMA_URI) | text,
)

# Unknown fields of every Thrift type (ids not used by CollectorPayload).
UNKNOWN_FIELDS = [
    bytes([2]) + struct.pack(">h", 1) + b"\x01",  # bool
    bytes([3]) + struct.pack(">h", 2) + b"\x7f",  # byte
    bytes([4]) + struct.pack(">hd", 3, 1.5),  # double
    bytes([6]) + struct.pack(">hh", 4, -2),  # i16
    bytes([8]) + struct.pack(">hi", 5, 7),  # i32
    i64_field(6, 99),
    s_field(7, "unknown"),
    bytes([12]) + struct.pack(">h", 8) + s_field(1, "nested") + b"\x00",  # struct
    bytes([13])
    + struct.pack(">h", 9)
    + bytes([11, 8])
    + struct.pack(">i", 1)
    # map<string,i32>
    + struct.pack(">i", 1)
    + b"k"
    + struct.pack(">i", 3),
    bytes([14]) + struct.pack(">h", 10) + bytes([8]) + struct.pack(">iii", 2, 1, 2),  # set<i32>
    list_field(11, [b"x", b"y"]),
    s_field(200, "timestamp with the wrong type"),  # known id, wrong type: skipped
    i64_field(100, 5),  # ipAddress as i64: skipped
]


# ----------------------------------------------------------------- exact bytes


def test_encode_matches_hand_assembled_bytes() -> None:
    assert encode(SMALL_PAYLOAD) == SMALL


def test_decode_hand_assembled_bytes() -> None:
    assert decode(SMALL) == SMALL_PAYLOAD


def test_schema_is_written_last_and_defaults_to_snowplow_uri() -> None:
    raw = encode(CollectorPayload(ip_address="x", body="b"))
    assert raw.endswith(SCHEMA_URI.encode() + b"\x00")
    assert raw.index(b"\x0b\x7a\x69") > raw.index(b"\x0b\x01\x54")  # 31337 after 340


def test_absent_fields_are_not_written() -> None:
    empty = CollectorPayload(schema=None)
    assert encode(empty) == b"\x00"
    assert decode(b"\x00") == empty


def test_empty_strings_and_lists_are_written() -> None:
    p = CollectorPayload(querystring="", headers=(), schema=None)
    assert encode(p) == s_field(330, "") + list_field(350, []) + b"\x00"
    assert decode(encode(p)) == p


def test_idl_declares_ids_in_wire_order() -> None:
    spec = thrift_module().CollectorPayload.thrift_spec
    assert list(spec) == [100, 200, 210, 220, 300, 310, 320, 330, 340, 350, 360, 400, 410, 31337]
    assert spec[200][0] == 10
    assert spec[350][:3] == (15, "headers", 11)


def test_unpaired_surrogate_is_written_as_question_mark() -> None:
    raw = encode(CollectorPayload(path="a\ud800b", headers=("\udfff",), schema=None))
    assert raw == s_field(320, "a?b") + list_field(350, [b"?"]) + b"\x00"


def test_timestamp_outside_i64_is_a_programmer_error() -> None:
    with pytest.raises(ValueError, match=r"timestamp 9223372036854775808 is not a signed 64-bit"):
        encode(CollectorPayload(timestamp=2**63))


# ----------------------------------------------------------------- tolerant decoding


def test_decode_fields_in_reverse_order() -> None:
    raw = b"".join(reversed(fields_of(SMALL_PAYLOAD))) + b"\x00"
    assert decode(raw) == SMALL_PAYLOAD


@pytest.mark.parametrize("unknown", UNKNOWN_FIELDS)
def test_unknown_or_mistyped_fields_are_skipped(unknown: bytes) -> None:
    parts = fields_of(SMALL_PAYLOAD)
    raw = b"".join([unknown, *parts[:3], unknown, *parts[3:], unknown]) + b"\x00"
    assert decode(raw) == SMALL_PAYLOAD
    assert reference_decode(raw) == SMALL_PAYLOAD


def test_headers_list_with_other_element_type_is_skipped() -> None:
    ints = bytes([15]) + struct.pack(">h", 350) + bytes([8]) + struct.pack(">iii", 2, 1, 2)
    assert decode(s_field(320, "/i") + ints + b"\x00") == CollectorPayload(path="/i", schema=None)


def test_duplicate_field_last_one_wins() -> None:
    raw = s_field(320, "/first") + s_field(320, "/second") + b"\x00"
    assert decode(raw) == CollectorPayload(path="/second", schema=None)


def test_bytes_after_the_stop_byte_are_ignored() -> None:
    assert decode(SMALL + b"trailing garbage") == SMALL_PAYLOAD


def test_decode_accepts_bytearray_and_memoryview() -> None:
    assert decode(bytearray(SMALL)) == SMALL_PAYLOAD
    assert decode(memoryview(SMALL)) == SMALL_PAYLOAD


def test_invalid_utf8_becomes_replacement_character() -> None:
    raw = s_field(300, b"Moz\xffilla") + list_field(350, [b"\xc3("]) + b"\x00"
    assert decode(raw) == CollectorPayload(
        user_agent="Moz\ufffdilla", headers=("\ufffd(",), schema=None
    )


# ----------------------------------------------------------------- errors as values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "expected a field header or the end byte 0 at byte 0, but the input has only 0"),
        (SMALL[:-1], "at byte 142, but the input has only 142 bytes"),
        (b"\x0b\x00", "field header at byte 0 needs 3 bytes, 2 left"),
        (b"\x0b\x00\x64\xff\xff\xff\xff", "field 100 (string): length -1 at byte 3"),
        (s_field(320, "/i")[:-1], "field 320 (string): length 2 at byte 3 does not fit the input"),
        (b"\x0a\x00\xc8\x00\x00", "a 8-byte value of field 200 starts at byte 3"),
        (b"\x63\x00\x01\x00", "field 1: unknown Thrift type code 99 at byte 0"),
        (b"\x0f\x00\x09\x03\x7f\xff\xff\xff", "field 9 (container size): length 2147483647"),
        (b"\x0f\x01\x5e\x0b\x00\x10\x00\x00\x00", "field 350 (list size): length 1048576"),
    ],
)
def test_malformed_input_gives_error_value(raw: bytes, expected: str) -> None:
    result = decode(raw)
    assert isinstance(result, PayloadDecodeError)
    assert result.message.startswith(DECODE_ERROR_PREFIX)
    assert expected in result.message


def test_nesting_deeper_than_64_is_an_error() -> None:
    def nested(levels: int) -> bytes:
        inner = b"\x00"
        for _ in range(levels):
            inner = b"\x0c\x00\x01" + inner + b"\x00"
        return b"\x0c\x00\x05" + inner + b"\x00"

    assert decode(nested(10)) == CollectorPayload(schema=None)
    result = decode(nested(80))
    assert isinstance(result, PayloadDecodeError)
    assert "nested deeper than 64 levels" in result.message


# ----------------------------------------------------------------- properties


@settings(max_examples=150)
@given(payloads)
def test_roundtrip_and_independent_byte_layout(p: CollectorPayload) -> None:
    raw = encode(p)
    assert raw == b"".join(fields_of(p)) + b"\x00"
    assert decode(raw) == p


@settings(max_examples=100)
@given(payloads, st.randoms(use_true_random=False), st.lists(st.sampled_from(UNKNOWN_FIELDS)))
def test_any_field_order_and_unknown_fields_decode_like_thriftpy2(
    p: CollectorPayload, rnd: random.Random, unknown: list[bytes]
) -> None:
    parts = fields_of(p) + unknown
    rnd.shuffle(parts)
    raw = b"".join(parts) + b"\x00"
    assert decode(raw) == p
    assert reference_decode(raw) == p


@settings(max_examples=100)
@given(st.sampled_from([100, 300, 330, 340, 410, 31337]), st.binary(max_size=30))
def test_any_bytes_in_a_string_field_decode_leniently(fid: int, content: bytes) -> None:
    result = decode(s_field(fid, content) + b"\x00")
    assert isinstance(result, CollectorPayload)
    assert content.decode("utf-8", "replace") in msgspec_values(result)


def msgspec_values(p: CollectorPayload) -> list[object]:
    return [getattr(p, name) for name in p.__struct_fields__]


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_decode_never_raises_on_random_bytes(raw: bytes) -> None:
    assert isinstance(decode(raw), CollectorPayload | PayloadDecodeError)


@settings(max_examples=150)
@given(payloads, st.data())
def test_every_truncation_is_an_error(p: CollectorPayload, data: st.DataObject) -> None:
    raw = encode(p)
    cut = data.draw(st.integers(0, len(raw) - 1))
    result = decode(raw[:cut])
    assert isinstance(result, PayloadDecodeError)
    assert 0 <= result.offset <= cut


@settings(max_examples=200)
@given(payloads, st.data())
def test_decode_never_raises_on_corrupted_records(p: CollectorPayload, data: st.DataObject) -> None:
    raw = bytearray(encode(p))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    assert isinstance(decode(bytes(raw)), CollectorPayload | PayloadDecodeError)
