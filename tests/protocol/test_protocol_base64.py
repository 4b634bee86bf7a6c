"""Lenient base64 decoding (commons-codec rules) and Enrich-style re-encoding."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.protocol.base64 import (
    Base64TextError,
    _decode_lenient,
    decode_base64,
    decode_base64_text,
    encode_base64url,
)


def _four_encodings(data: bytes) -> list[str]:
    std = base64.b64encode(data).decode()
    url = base64.urlsafe_b64encode(data).decode()
    return [std, std.rstrip("="), url, url.rstrip("=")]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_round_trip_in_all_four_encodings(data: bytes) -> None:
    for encoded in _four_encodings(data):
        assert decode_base64(encoded) == data


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=200),
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(" \r\n\t.!é€*\x00"))),
)
def test_noise_characters_are_skipped(data: bytes, noise: list[tuple[int, str]]) -> None:
    encoded = list(base64.urlsafe_b64encode(data).decode().rstrip("="))
    for position, char in noise:
        encoded.insert(min(position, len(encoded)), char)
    assert decode_base64("".join(encoded)) == data


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    assert isinstance(decode_base64(text), bytes)
    assert isinstance(decode_base64_text(text), str)
    assert isinstance(decode_base64_text(text, strict=True), str | Base64TextError)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_text_round_trip_with_enrich_encoding(text: str) -> None:
    for chunked in (False, True):
        encoded = encode_base64url(text, chunked=chunked)
        assert "=" not in encoded
        assert decode_base64_text(encoded, strict=True) == text


def test_mixed_alphabets_and_padding() -> None:
    # b"\xff\xfe\xfe" encodes to "//7+" in the standard and "__7-" in the URL-safe alphabet.
    assert decode_base64("//7+") == b"\xff\xfe\xfe"
    assert decode_base64("__7-") == base64.b64decode("//7+")
    assert decode_base64("_/7+") == base64.b64decode("//7+")
    assert decode_base64("YWJj") == b"abc"
    assert decode_base64("YWI=") == b"ab"
    assert decode_base64("YWI") == b"ab"
    assert decode_base64("YQ==") == b"a"
    assert decode_base64("YQ") == b"a"


def test_padding_ends_the_data_and_lone_char_is_dropped() -> None:
    assert decode_base64("YQ==YWJj") == b"a"
    assert decode_base64("=YWJj") == b""
    assert decode_base64("YWJjZ") == b"abc"  # 6 leftover bits are not a byte
    assert decode_base64("") == b""
    assert decode_base64("!!!") == b""


def test_utf8_reading() -> None:
    bad = base64.b64encode(b"ok \xff\xfe end").decode()
    assert decode_base64_text(bad) == "ok \ufffd\ufffd end"
    strict = decode_base64_text(bad, strict=True)
    assert isinstance(strict, Base64TextError)
    assert strict.value == bad
    assert "0xff" in strict.message
    assert "offset 3" in strict.message
    assert decode_base64_text(base64.b64encode("Grüße ☕".encode()).decode()) == "Grüße ☕"


def test_encode_chunks_like_enrich() -> None:
    text = "x" * 200
    encoded = encode_base64url(text, chunked=True)
    lines = encoded.split("\r\n")
    assert [len(line) for line in lines] == [76, 76, 76, 39]
    assert not encoded.endswith("\r\n")
    assert encode_base64url(text) == "".join(lines)
    assert encode_base64url(b"\xfb\xff") == "-_8"
    exact = encode_base64url("y" * 57, chunked=True)  # exactly 76 characters: no separator
    assert len(exact) == 76
    assert "\r\n" not in exact


@settings(max_examples=500)
@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \né",
        max_size=40,
    )
    | st.binary(max_size=30).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="))
)
def test_the_simd_fast_path_decodes_as_the_lenient_rules_do(text: str) -> None:
    # decode_base64 hands the usual tracker form (URL-safe, unpadded) to pybase64 and
    # everything else to the rules of the module docstring: both must agree on every input.
    assert decode_base64(text) == _decode_lenient(text)
