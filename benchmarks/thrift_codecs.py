"""Throughput of the CollectorPayload codecs: hand-written ``struct`` code vs thriftpy2.

Run: ``python benchmarks/thrift_codecs.py``. For two realistic records (a GET with a ~1 KB
querystring and 12 headers, a POST with a ~3 KB JSON body) it prints records/s and MB/s for
encoding and decoding with both implementations, and each figure as a ratio to
``orjson.loads`` of a JSON document of the same size (a yardstick: cost per byte).

Production uses thriftpy2 for encoding (it is faster) and the hand-written reader for
decoding (faster, and safe on corrupted input, unlike thriftpy2's Cython reader). The
hand-written encoder that lost is kept here so the comparison can be re-run.
"""

from __future__ import annotations

import json
import struct
import timeit
from collections.abc import Callable
from typing import Any

import msgspec
import orjson
from thriftpy2.protocol.cybin import TCyBinaryProtocolFactory
from thriftpy2.utils import deserialize, serialize

from pyplow.protocol.collector_payload import (
    CollectorPayload,
    decode,
    encode,
    reference_decode,
    thrift_module,
)

_WIRE_IDS = (100, 200, 210, 220, 300, 310, 320, 330, 340, 350, 360, 400, 410, 31337)
_STRING_FIELD = struct.Struct(">Bhi").pack
_I64_FIELD = struct.Struct(">Bhq").pack
_LIST_FIELD = struct.Struct(">BhBi").pack
_I32 = struct.Struct(">i").pack


def handwritten_encode(payload: CollectorPayload) -> bytes:
    """The candidate encoder: ``struct`` packing, fields in ascending id order."""
    parts: list[bytes] = []
    append = parts.append
    for fid, value in zip(_WIRE_IDS, msgspec.structs.astuple(payload), strict=True):
        if value is None:
            continue
        if fid == 200:
            append(_I64_FIELD(10, fid, value))
        elif fid == 350:
            append(_LIST_FIELD(15, fid, 11, len(value)))
            for header in value:
                raw = header.encode("utf-8", "replace")
                append(_I32(len(raw)))
                append(raw)
        else:
            raw = value.encode("utf-8", "replace")
            append(_STRING_FIELD(11, fid, len(raw)))
            append(raw)
    append(b"\x00")
    return b"".join(parts)


_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
_HEADERS = (
    "Host: collector.example.com",
    f"User-Agent: {_UA}",
    "Accept: image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "Accept-Encoding: gzip, deflate, br",
    "Accept-Language: en-GB,en;q=0.9,fr;q=0.7",
    "Cookie: sp=5b1f4f7e-6a1c-4bde-9c43-93f0f2b2a1d7;_sp_id.1fff=aa11bb22cc33dd44.1700000000.3",
    "Referer: https://www.example.com/products/shoes?colour=blue&size=42",
    "Sec-Fetch-Dest: image",
    "Sec-Fetch-Mode: no-cors",
    "Sec-Fetch-Site: same-site",
    "X-Forwarded-For: 203.0.113.42, 10.0.0.7",
    "X-Forwarded-Proto: https",
)


def _get_payload() -> CollectorPayload:
    params = [
        "stm=1718000000123",
        "e=pv",
        "url=https%3A%2F%2Fwww.example.com%2Fproducts%2Fshoes%3Fcolour%3Dblue%26size%3D42",
        "page=Blue%20running%20shoes%20%E2%80%93%20Example%20Store",
        "refr=https%3A%2F%2Fwww.google.com%2F",
        "tv=js-3.23.0",
        "tna=sp1",
        "aid=shop",
        "p=web",
        "tz=Europe%2FLondon",
        "lang=en-GB",
        "cs=UTF-8",
        "res=2560x1440",
        "cd=24",
        "cookie=1",
        "eid=2f3c1a7e-9b8d-4c6e-a1f0-7d2e5b4c3a19",
        "dtm=1718000000100",
        "vp=1280x720",
        "ds=1265x4012",
        "vid=3",
        "sid=9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a",
        "duid=aa11bb22-cc33-4d44-8e55-ff6677889900",
    ]
    context = orjson.dumps(
        {
            "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "data": [
                {
                    "schema": "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
                    "data": {"id": "4f2d6c1e-8a7b-4c3d-9e0f-1a2b3c4d5e6f"},
                }
            ],
        }
    ).hex()
    query = "&".join(params) + "&cx=" + context
    return CollectorPayload(
        ip_address="203.0.113.42",
        timestamp=1718000000456,
        encoding="UTF-8",
        collector="ssc-3.4.0-kinesissink",
        user_agent=_UA,
        referer_uri="https://www.example.com/products/shoes?colour=blue&size=42",
        path="/i",
        querystring=query[:1024],
        headers=_HEADERS,
        hostname="collector.example.com",
        network_user_id="5b1f4f7e-6a1c-4bde-9c43-93f0f2b2a1d7",
    )


def _post_payload() -> CollectorPayload:
    event = {
        "e": "ue",
        "eid": "2f3c1a7e-9b8d-4c6e-a1f0-7d2e5b4c3a19",
        "tv": "js-3.23.0",
        "tna": "sp1",
        "aid": "shop",
        "p": "web",
        "dtm": "1718000000100",
        "stm": "1718000000123",
        "url": "https://www.example.com/products/shoes?colour=blue&size=42",
        "page": "Blue running shoes – Example Store",
        "ue_pr": json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
                "data": {
                    "schema": "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
                    "data": {"targetUrl": "https://www.example.com/checkout"},
                },
            }
        ),
    }
    data = []
    body = ""
    while len(body) < 3000:
        data.append(dict(event, eid=f"{len(data):08d}-9b8d-4c6e-a1f0-7d2e5b4c3a19"))
        body = json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                "data": data,
            }
        )
    return CollectorPayload(
        ip_address="203.0.113.42",
        timestamp=1718000000456,
        encoding="UTF-8",
        collector="ssc-3.4.0-kinesissink",
        user_agent=_UA,
        referer_uri="https://www.example.com/products/shoes?colour=blue&size=42",
        path="/com.snowplowanalytics.snowplow/tp2",
        querystring="",
        body=body,
        headers=(*_HEADERS[:11], "application/json; charset=utf-8"),
        content_type="application/json; charset=utf-8",
        hostname="collector.example.com",
        network_user_id="5b1f4f7e-6a1c-4bde-9c43-93f0f2b2a1d7",
    )


def _json_of_size(size: int) -> bytes:
    """A JSON object of about ``size`` bytes with tracker-like string values."""
    doc: dict[str, Any] = {}
    i = 0
    while len(orjson.dumps(doc)) < size:
        doc[f"field_{i}"] = f"value-{i}-https://www.example.com/page/{i}?q=shoes"
        i += 1
    return orjson.dumps(doc)


def _rate(fn: Callable[[], object]) -> float:
    """Calls per second: best of seven rounds of about 0.1 s (robust to a busy machine)."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return number / min(timer.repeat(repeat=7, number=number))


def main() -> None:
    thrift_cls = thrift_module().CollectorPayload
    factory = TCyBinaryProtocolFactory()
    print(f"{'case':<36}{'records/s':>12}{'MB/s':>9}{'x orjson':>10}")
    for label, payload in (
        ("GET 1KB qs + 12 headers", _get_payload()),
        ("POST 3KB body", _post_payload()),
    ):
        raw = encode(payload)
        assert handwritten_encode(payload) == raw
        assert decode(raw) == payload == reference_decode(raw)
        doc = _json_of_size(len(raw))
        baseline = _rate(lambda doc=doc: orjson.loads(doc))
        thrift_obj = deserialize(thrift_cls(), raw, factory)
        print(f"{label}: thrift {len(raw)} bytes, JSON yardstick {len(doc)} bytes")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("orjson.loads (yardstick)", lambda doc=doc: orjson.loads(doc)),
            ("encode hand-written (candidate)", lambda p=payload: handwritten_encode(p)),
            ("encode thriftpy2 = encode()", lambda p=payload: encode(p)),
            ("encode thriftpy2 (native obj)", lambda o=thrift_obj: serialize(o, factory)),
            ("decode hand-written = decode()", lambda r=raw: decode(r)),
            ("decode thriftpy2 (to Struct)", lambda r=raw: reference_decode(r)),
            ("decode thriftpy2 (native obj)", lambda r=raw: deserialize(thrift_cls(), r, factory)),
        ]
        for name, fn in cases:
            rate = baseline if name.startswith("orjson") else _rate(fn)
            mbps = rate * len(raw) / 1e6
            print(f"  {name:<34}{rate:>12,.0f}{mbps:>9.1f}{rate / baseline:>10.2f}")


if __name__ == "__main__":
    main()
