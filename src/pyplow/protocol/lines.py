"""Framings of raw ``CollectorPayload`` records outside a binary stream.

* Line form (files, stdout, SQS): the standard-alphabet base64 of the Thrift bytes, one
  record per line. Snowplow's stdout sink writes it **without** ``=`` padding, its SQS
  sinks **with** padding; :func:`encode_line` defaults to unpadded and
  :func:`decode_line` accepts both (and a trailing ``\\r``/``\\n``).
* Compressed stream records (Snowplow collector 3.6+): a zstd (``28 b5 2f fd``) or gzip
  (``1f 8b``) stream whose content is the version bytes ``01 01`` followed by
  ``[length: u32 BE][Thrift CollectorPayload]`` repeated. A record without either magic
  prefix is one plain Thrift payload. :func:`decode_stream_record` reads all three forms;
  zstd needs the standard library's ``compression.zstd`` (Python 3.14+).

Nothing here raises on bad input: every problem becomes a :class:`PayloadDecodeError`.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import importlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, Protocol

from pyplow.protocol.collector_payload import (
    DECODE_ERROR_PREFIX,
    CollectorPayload,
    PayloadDecodeError,
    decode,
    encode,
)

__all__ = [
    "FRAMING_VERSION",
    "GZIP_MAGIC",
    "MAX_DECOMPRESSED_BYTES",
    "ZSTD_MAGIC",
    "decode_line",
    "decode_stream_record",
    "encode_gzip_record",
    "encode_line",
    "read_lines",
    "write_lines",
]

GZIP_MAGIC: Final = b"\x1f\x8b"
ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
FRAMING_VERSION: Final = b"\x01\x01"
MAX_DECOMPRESSED_BYTES: Final = 10_000_000
"""Default cap on a decompressed record (Enrich's ``maxBytesSinglePayload`` default)."""


class _TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


def _error(detail: str, offset: int = 0) -> PayloadDecodeError:
    return PayloadDecodeError(message=DECODE_ERROR_PREFIX + detail, offset=offset)


# --------------------------------------------------------------------------- line form


def encode_line(payload: CollectorPayload, *, padded: bool = False) -> str:
    """Base64 (standard alphabet) of the Thrift bytes, without a newline.

    Unpadded by default, like Snowplow's stdout sink; ``padded=True`` matches SQS records.
    """
    text = base64.b64encode(encode(payload)).decode("ascii")
    return text if padded else text.rstrip("=")


def decode_line(line: str) -> CollectorPayload | PayloadDecodeError:
    """Read one line written by :func:`encode_line` or a Snowplow sink (padded or not)."""
    text = line.rstrip("\r\n")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        shown = text if len(text) <= 40 else text[:40] + "..."
        return _error(
            f"line {shown!r} is not standard base64 ({exc});"
            " expected only A-Z a-z 0-9 + / and optional = padding"
        )
    return decode(raw)


def read_lines(lines: Iterable[str]) -> Iterator[CollectorPayload | PayloadDecodeError]:
    """Decode every non-blank line of a text stream (e.g. an open file or ``sys.stdin``)."""
    for line in lines:
        if line.strip():
            yield decode_line(line)


def write_lines(
    stream: _TextSink, payloads: Iterable[CollectorPayload], *, padded: bool = False
) -> int:
    """Write one line per payload (``\\n``-terminated); return how many were written."""
    count = 0
    for payload in payloads:
        stream.write(encode_line(payload, padded=padded) + "\n")
        count += 1
    return count


# --------------------------------------------------------------------------- compressed


def encode_gzip_record(payloads: Sequence[CollectorPayload]) -> bytes:
    """One gzip-compressed stream record holding ``payloads`` (collector 3.6+ framing)."""
    parts = [FRAMING_VERSION]
    for payload in payloads:
        raw = encode(payload)
        parts.append(len(raw).to_bytes(4, "big"))
        parts.append(raw)
    return gzip.compress(b"".join(parts), mtime=0)


def decode_stream_record(
    data: bytes, *, max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES
) -> list[CollectorPayload | PayloadDecodeError]:
    """All payloads in one stream record: compressed batch (zstd/gzip) or plain Thrift.

    A framing problem stops reading and is reported as the last list element; payloads
    read before it are kept. Decompression never produces more than
    ``max_decompressed_bytes`` (larger content is an error, not a memory spike).
    """
    if data.startswith(GZIP_MAGIC):
        content = _gunzip(data, max_decompressed_bytes)
    elif data.startswith(ZSTD_MAGIC):
        content = _unzstd(data, max_decompressed_bytes)
    else:
        return [decode(data)]
    if isinstance(content, PayloadDecodeError):
        return [content]
    return _read_framed(content)


def _too_big(limit: int) -> PayloadDecodeError:
    return _error(f"decompressed record exceeds {limit} bytes (the configured maximum)")


def _gunzip(data: bytes, limit: int) -> bytes | PayloadDecodeError:
    out = bytearray()
    rest = data
    try:
        while rest:  # a gzip file may hold several members, read them all
            inflater = zlib.decompressobj(wbits=31)
            out += inflater.decompress(rest, limit + 1 - len(out))
            if len(out) > limit:
                return _too_big(limit)
            if not inflater.eof:
                return _error(f"gzip stream truncated after {len(out)} decompressed bytes")
            rest = inflater.unused_data
    except zlib.error as exc:
        return _error(f"invalid gzip stream ({exc})")
    return bytes(out)


def _unzstd(data: bytes, limit: int) -> bytes | PayloadDecodeError:
    try:
        zstd: Any = importlib.import_module("compression.zstd")
    except ImportError:
        return _error(
            "record is zstd-compressed; reading zstd needs Python >= 3.14"
            " (standard library module compression.zstd)"
        )
    try:
        inflater = zstd.ZstdDecompressor()
        out: bytes = inflater.decompress(data, max_length=limit + 1)
    except zstd.ZstdError as exc:
        return _error(f"invalid zstd stream ({exc})")
    if len(out) > limit:
        return _too_big(limit)
    if not inflater.eof:
        return _error(f"zstd stream truncated after {len(out)} decompressed bytes")
    return out


def _read_framed(content: bytes) -> list[CollectorPayload | PayloadDecodeError]:
    if content[:2] != FRAMING_VERSION:
        return [
            _error(
                f"decompressed record starts with {content[:2].hex(' ') or 'nothing'};"
                " expected the version bytes 01 01"
            )
        ]
    results: list[CollectorPayload | PayloadDecodeError] = []
    pos = 2
    while pos < len(content):
        if pos + 4 > len(content):
            results.append(
                _error(f"truncated length prefix at byte {pos}: {len(content) - pos} bytes", pos)
            )
            break
        length = int.from_bytes(content[pos : pos + 4], "big")
        start = pos + 4
        if start + length > len(content):
            results.append(
                _error(
                    f"payload length {length} at byte {pos} exceeds the"
                    f" {len(content) - start} decompressed bytes left",
                    pos,
                )
            )
            break
        results.append(decode(content[start : start + length]))
        pos = start + length
    return results
