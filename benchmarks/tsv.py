"""Throughput of the enriched-event TSV codec (``pyplow.event.tsv``).

Run: ``python benchmarks/tsv.py``. For a realistic page view (JS tracker fields, enrichment
output, three contexts and a derived one; about 1.7 KB) it prints the time per row for
``decode_tsv`` and ``encode_tsv``, each with its ratio to ``orjson.loads`` of a JSON document
of the same size measured in the same run (a yardstick for "how expensive is this per
byte"). Target: 10 µs per row or less for each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import orjson

from pyplow.event import FIELD_INDEX, FIELD_NAMES, EnrichedEvent, decode_tsv, encode_tsv

_CONTEXTS = {
    "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
    "data": [
        {
            "schema": "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
            "data": {"id": "4c1b0b5e-8f1a-4a6e-9d7f-2b3c4d5e6f70"},
        },
        {
            "schema": "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0",
            "data": {
                "navigationStart": 1700000000000,
                "fetchStart": 1700000000004,
                "requestStart": 1700000000062,
                "responseStart": 1700000000180,
                "domComplete": 1700000000905,
                "loadEventEnd": 1700000000911,
            },
        },
        {
            "schema": "iglu:com.google.analytics/cookies/jsonschema/1-0-0",
            "data": {"_ga": "GA1.2.1234567890.1700000000"},
        },
    ],
}
_DERIVED = {
    "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
    "data": [
        {
            "schema": "iglu:nl.basjes/yauaa_context/jsonschema/1-0-4",
            "data": {
                "deviceClass": "Desktop",
                "agentName": "Chrome",
                "agentVersion": "126.0.0.0",
            },
        }
    ],
}

_VALUES: dict[str, str] = {
    "app_id": "shop-web",
    "platform": "web",
    "etl_tstamp": "2024-05-01 10:00:01.512",
    "collector_tstamp": "2024-05-01 10:00:00.904",
    "dvce_created_tstamp": "2024-05-01 10:00:00.123",
    "event": "page_view",
    "event_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "name_tracker": "sp1",
    "v_tracker": "js-3.23.0",
    "v_collector": "ssc-3.2.0-kinesis",
    "v_etl": "snowplow-enrich-kinesis-4.1.0",
    "user_ipaddress": "203.0.113.45",
    "domain_userid": "6b8b4567-327b-23c6-643c-986966334873",
    "domain_sessionidx": "7",
    "network_userid": "e4b2f1aa-2c1d-4b6e-8a0f-1f2e3d4c5b6a",
    "geo_country": "GB",
    "geo_region": "ENG",
    "geo_city": "London",
    "geo_zipcode": "EC1A",
    "geo_latitude": "51.5164",
    "geo_longitude": "-0.093",
    "page_url": "https://www.example.com/products/shoes?colour=blue&size=42",
    "page_title": "Blue running shoes – Example Shop",
    "page_referrer": "https://www.google.com/",
    "page_urlscheme": "https",
    "page_urlhost": "www.example.com",
    "page_urlport": "443",
    "page_urlpath": "/products/shoes",
    "page_urlquery": "colour=blue&size=42",
    "refr_urlscheme": "https",
    "refr_urlhost": "www.google.com",
    "refr_urlport": "443",
    "refr_urlpath": "/",
    "refr_medium": "search",
    "refr_source": "Google",
    "contexts": json.dumps(_CONTEXTS, separators=(",", ":"), ensure_ascii=False),
    "useragent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
    "br_lang": "en-GB",
    "br_cookies": "1",
    "br_colordepth": "24",
    "br_viewwidth": "1512",
    "br_viewheight": "823",
    "os_timezone": "Europe/London",
    "dvce_screenwidth": "1512",
    "dvce_screenheight": "982",
    "doc_charset": "UTF-8",
    "doc_width": "1497",
    "doc_height": "5210",
    "dvce_sent_tstamp": "2024-05-01 10:00:00.130",
    "derived_contexts": json.dumps(_DERIVED, separators=(",", ":")),
    "domain_sessionid": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "derived_tstamp": "2024-05-01 10:00:00.897",
    "event_vendor": "com.snowplowanalytics.snowplow",
    "event_name": "page_view",
    "event_format": "jsonschema",
    "event_version": "1-0-0",
    "event_fingerprint": "3b1c0e0a6f9d4c2e8b7a5d4c3b2a1f0e",
}


def _row() -> str:
    fields = [""] * len(FIELD_NAMES)
    for name, value in _VALUES.items():
        fields[FIELD_INDEX[name]] = value
    return "\t".join(fields)


def _per_call_us(fn: Callable[[], Any], min_seconds: float = 1.0) -> float:
    """Best-of-5 mean time per call in µs."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds / 10:
            break
        number *= 2
    best = elapsed
    for _ in range(4):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / number * 1e6


def _json_of_size(size: int) -> bytes:
    doc: dict[str, Any] = {"schema": "iglu:com.acme/doc/jsonschema/1-0-0", "data": []}
    while len(orjson.dumps(doc)) < size:
        doc["data"].append({"name": "item", "value": 12345, "ratio": 0.25, "ok": True})
    return orjson.dumps(doc)


def main() -> None:
    line = _row()
    event = decode_tsv(line)
    assert isinstance(event, EnrichedEvent), event
    assert encode_tsv(event) == line
    size = len(line.encode())
    reference = _json_of_size(size)
    orjson_us = _per_call_us(lambda: orjson.loads(reference))
    decode_us = _per_call_us(lambda: decode_tsv(line))
    encode_us = _per_call_us(lambda: encode_tsv(event))
    print(f"row: {size} bytes, 131 fields, 3 contexts + 1 derived context")
    print(f"orjson.loads ({len(reference)} B JSON): {orjson_us:6.2f} µs/row")
    for label, value in (("decode_tsv", decode_us), ("encode_tsv", encode_us)):
        print(f"{label}: {value:6.2f} µs/row  ({value / orjson_us:.1f}x orjson.loads)")


if __name__ == "__main__":
    main()
