"""Events for the analytics SDK tests, and the same events in every kind of source."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyplow.event import Contexts, EnrichedEvent, Entity, UnstructEvent, encode_tsv
from pyplow.iglu import DirectoryRepository, Resolver, builtin_repository
from pyplow.loaders.base import LoadBatch
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader
from pyplow.loaders.parquet import ParquetConfig, ParquetLoader

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
PRODUCT = "iglu:com.acme/product/jsonschema/1-0-0"
T0 = datetime(2024, 3, 1, 22, 5, 0, 250000, tzinfo=UTC)
STEP = timedelta(minutes=17)
LOADED = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
COUNT = 12

PRODUCT_SCHEMA: dict[str, Any] = {
    "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
    "self": {"vendor": "com.acme", "name": "product", "format": "jsonschema", "version": "1-0-0"},
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "unitPrice": {"type": "number"},
        "inStock": {"type": ["boolean", "null"]},
    },
    "required": ["sku"],
    "additionalProperties": False,
}


def resolver(root: Path) -> Resolver:
    """The embedded registry plus ``com.acme/product`` written under ``root``."""
    path = root / "schemas" / "com.acme" / "product" / "jsonschema" / "1-0-0"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(PRODUCT_SCHEMA))
    return Resolver([builtin_repository(), DirectoryRepository(root, name="sdk-tests")])


def stamp(n: int) -> datetime:
    """``collector_tstamp`` of event ``n``: every 17 minutes from 22:05 on 1 March 2024, so
    the events span two days and four hours."""
    return T0 + n * STEP


def event(n: int) -> EnrichedEvent:
    """Event ``n``: page views with a web_page entity (and a product on even ones), every
    third one a link click instead."""
    entities = [Entity(WEB_PAGE, {"id": str(uuid.UUID(int=1000 + n))})]
    if n % 2 == 0:
        entities.append(
            Entity(PRODUCT, {"sku": f"sku-{n}", "unitPrice": n + 0.5, "inStock": n % 4 == 0})
        )
    click = n % 3 == 2
    return EnrichedEvent(
        app_id="shop",
        platform="mob" if n % 4 == 1 else "web",
        collector_tstamp=stamp(n),
        dvce_created_tstamp=stamp(n) - timedelta(milliseconds=420),
        etl_tstamp=stamp(n) + timedelta(seconds=2),
        derived_tstamp=stamp(n) - timedelta(milliseconds=20),
        event="unstruct" if click else "page_view",
        event_id=str(uuid.UUID(int=n + 1)),
        v_tracker="js-4.6.8",
        v_collector="ssc-3.2.0-stdout",
        v_etl="pyplow-enrich-0.1.0",
        domain_userid=f"visitor-{n % 3}",
        domain_sessionidx=1 + n // 5,
        page_url=f"https://shop.example/p/{n}",
        page_title="Odd \\ page – ünïcode",
        page_urlport=443,
        geo_latitude=48.8582 + n,
        se_value=Decimal("2.5") * n,
        tr_total=Decimal("12.345") if n == 4 else None,
        br_cookies=n % 2 == 0,
        dvce_ismobile=n % 4 == 1,
        event_fingerprint=f"fp-{n}",
        contexts=Contexts(data=tuple(entities)),
        unstruct_event=(
            UnstructEvent(data=Entity(LINK_CLICK, {"targetUrl": f"https://example.org/{n}"}))
            if click
            else None
        ),
    )


def events(count: int = COUNT) -> list[EnrichedEvent]:
    return [event(n) for n in range(count)]


def write_tsv(path: Path, rows: list[EnrichedEvent]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(encode_tsv(e) + "\n" for e in rows), encoding="utf-8")
    return path


def load_duckdb(path: Path, rows: list[EnrichedEvent], registry: Resolver) -> Path:
    loader = DuckDBLoader(DuckDBConfig(path=str(path)), registry, clock=lambda: LOADED)
    try:
        result = loader.load(LoadBatch(events=rows))
    finally:
        loader.close()
    assert (result.loaded, result.bad) == (len(rows), [])
    return path


def load_parquet(root: Path, rows: list[EnrichedEvent], registry: Resolver) -> Path:
    config = ParquetConfig(path=str(root), max_file_seconds=0)
    loader = ParquetLoader(config, resolver=registry, clock=LOADED.timestamp)
    try:
        result = loader.load(LoadBatch(events=rows))
    finally:
        loader.close()
    assert (result.loaded, result.bad) == (len(rows), [])
    return root
