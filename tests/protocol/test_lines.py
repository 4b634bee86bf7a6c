"""Line (base64) and compressed stream-record framings of CollectorPayload."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.protocol.collector_payload import (
    DECODE_ERROR_PREFIX,
    CollectorPayload,
    PayloadDecodeError,
    encode,
)
from pyplow.protocol.lines import (
    decode_line,
    decode_stream_record,
    encode_gzip_record,
    encode_line,
    read_lines,
    write_lines,
)

HAS_ZSTD = importlib.util.find_spec("compression") is not None

P1 = CollectorPayload(ip_address="10.0.0.1", timestamp=1, path="/i", querystring="e=pv")
P2 = CollectorPayload(path="/com.acme/v1", body="é", headers=("A: b",))

text = st.text(max_size=30)
payloads = st.builds(
    CollectorPayload,
    ip_address=st.none() | text,
    timestamp=st.none() | st.integers(-(2**63), 2**63 - 1),
    path=st.none() | text,
    querystring=st.none() | text,
    body=st.none() | text,
    headers=st.none() | st.lists(text, max_size=4).map(tuple),
)


def error_message(result: object) -> str:
    assert isinstance(result, PayloadDecodeError)
    assert result.message.startswith(DECODE_ERROR_PREFIX)
    return result.message


# ----------------------------------------------------------------- line form


def test_line_is_unpadded_standard_base64_by_default() -> None:
    raw = encode(P1)
    assert len(raw) % 3 != 0  # so padding would be visible
    line = encode_line(P1)
    assert "=" not in line
    assert line == base64.b64encode(raw).decode().rstrip("=")


def test_padded_line_matches_sqs_form() -> None:
    assert encode_line(P1, padded=True) == base64.b64encode(encode(P1)).decode()


@pytest.mark.parametrize("suffix", ["", "\n", "\r", "\r\n"])
@pytest.mark.parametrize("padded", [False, True])
def test_decode_line_accepts_both_paddings_and_line_ends(padded: bool, suffix: str) -> None:
    assert decode_line(encode_line(P2, padded=padded) + suffix) == P2


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a", "number of data characters (1)"),
        ("ab-_", "is not standard base64"),  # URL-safe alphabet is not accepted
        ("ab cd", "is not standard base64"),
        ("abé", "only ASCII"),
        ("ab==cd", "is not standard base64"),
    ],
)
def test_decode_line_rejects_non_base64(line: str, expected: str) -> None:
    assert expected in error_message(decode_line(line))


def test_decode_line_of_non_thrift_bytes_is_a_decode_error() -> None:
    line = base64.b64encode(b"hello").decode()
    assert "unknown Thrift type code 104" in error_message(decode_line(line))


def test_read_and_write_lines() -> None:
    out = io.StringIO()
    assert write_lines(out, [P1, P2]) == 2
    written = out.getvalue()
    assert written.count("\n") == 2
    assert "=" not in written
    stream = io.StringIO(written.replace("\n", "\r\n", 1) + "\n   \n" + "!!!\n")
    results = list(read_lines(stream))
    assert results[:2] == [P1, P2]
    assert len(results) == 3
    assert "is not standard base64" in error_message(results[2])


@settings(max_examples=100)
@given(payloads, st.booleans())
def test_line_roundtrip(p: CollectorPayload, padded: bool) -> None:
    line = encode_line(p, padded=padded)
    assert "\n" not in line
    assert decode_line(line) == p


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_decode_line_never_raises(line: str) -> None:
    assert isinstance(decode_line(line), CollectorPayload | PayloadDecodeError)


# ----------------------------------------------------------------- stream records


def framed(*records: bytes, version: bytes = b"\x01\x01") -> bytes:
    return version + b"".join(struct.pack(">I", len(r)) + r for r in records)


def test_plain_thrift_record() -> None:
    assert decode_stream_record(encode(P1)) == [P1]


def test_gzip_record_built_by_hand() -> None:
    data = gzip.compress(framed(encode(P1), encode(P2)))
    assert data[:2] == b"\x1f\x8b"
    assert decode_stream_record(data) == [P1, P2]


def test_encode_gzip_record_roundtrip() -> None:
    data = encode_gzip_record([P1, P2, P1])
    assert gzip.decompress(data) == framed(encode(P1), encode(P2), encode(P1))
    assert decode_stream_record(data) == [P1, P2, P1]


def test_gzip_with_several_members() -> None:
    content = framed(encode(P1), encode(P2))
    data = gzip.compress(content[:7]) + gzip.compress(content[7:])
    assert decode_stream_record(data) == [P1, P2]


def test_bad_record_inside_batch_is_reported_in_place() -> None:
    results = decode_stream_record(gzip.compress(framed(encode(P1), b"\x0b", encode(P2))))
    assert results[0] == P1
    assert "record truncated" in error_message(results[1])
    assert results[2] == P2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "starts with nothing; expected the version bytes 01 01"),
        (framed(version=b"\x01\x02"), "starts with 01 02; expected the version bytes 01 01"),
        (
            framed(encode(P1))[:-1],
            "payload length 119 at byte 2 exceeds the 118 decompressed bytes left",
        ),
        (framed(encode(P1)) + b"\x00\x00", "truncated length prefix at byte 125: 2 bytes"),
    ],
)
def test_framing_errors(content: bytes, expected: str) -> None:
    results = decode_stream_record(gzip.compress(content))
    assert expected in error_message(results[-1])


def test_framing_error_keeps_earlier_payloads() -> None:
    results = decode_stream_record(gzip.compress(framed(encode(P1)) + b"\x00\x00"))
    assert results[0] == P1
    assert len(results) == 2


def test_decompression_is_capped() -> None:
    data = encode_gzip_record([P1] * 100)
    assert len(decode_stream_record(data)) == 100
    results = decode_stream_record(data, max_decompressed_bytes=1000)
    assert "decompressed record exceeds 1000 bytes" in error_message(results[0])


def test_truncated_and_corrupt_gzip() -> None:
    data = encode_gzip_record([P1, P2])
    assert "gzip stream truncated" in error_message(decode_stream_record(data[:-8])[0])
    assert "invalid gzip stream" in error_message(
        decode_stream_record(b"\x1f\x8b" + b"\xff" * 20)[0]
    )


@pytest.mark.skipif(HAS_ZSTD, reason="this Python can read zstd")
def test_zstd_needs_python_314() -> None:
    result = decode_stream_record(b"\x28\xb5\x2f\xfd" + b"\x00" * 10)
    assert "reading zstd needs Python >= 3.14" in error_message(result[0])


@pytest.mark.skipif(not HAS_ZSTD, reason="compression.zstd needs Python >= 3.14")
def test_zstd_record() -> None:  # pragma: no cover - runs on Python 3.14+
    zstd = importlib.import_module("compression.zstd")
    data = zstd.compress(framed(encode(P1), encode(P2)))
    assert decode_stream_record(data) == [P1, P2]
    assert "zstd stream truncated" in error_message(decode_stream_record(data[:-3])[0])


@settings(max_examples=150)
@given(st.sampled_from([b"", b"\x1f\x8b", b"\x28\xb5\x2f\xfd"]), st.binary(max_size=100))
def test_decode_stream_record_never_raises(prefix: bytes, body: bytes) -> None:
    for result in decode_stream_record(prefix + body):
        assert isinstance(result, CollectorPayload | PayloadDecodeError)


@settings(max_examples=50)
@given(st.lists(payloads, max_size=4))
def test_gzip_record_roundtrip_property(items: list[CollectorPayload]) -> None:
    assert decode_stream_record(encode_gzip_record(items)) == items
