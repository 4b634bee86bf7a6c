"""Small Iglu registry and events shared by the wide-row and DuckDB tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyplow.event import Contexts, EnrichedEvent, Entity, UnstructEvent
from pyplow.iglu import DirectoryRepository, Resolver, builtin_repository

PRODUCT = "iglu:com.acme/product/jsonschema/"
CHECKOUT = "iglu:com.acme/checkout/jsonschema/"
TS = datetime(2024, 5, 1, 12, 30, 15, 123000, tzinfo=UTC)


def _schema(name: str, version: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
        "self": {"vendor": "com.acme", "name": name, "format": "jsonschema", "version": version},
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("product", "1-0-0"): _schema(
        "product", "1-0-0", {"sku": {"type": "string"}, "unitPrice": {"type": "number"}}
    ),
    ("product", "1-0-1"): _schema(
        "product",
        "1-0-1",
        {
            "sku": {"type": "string"},
            "unitPrice": {"type": "number"},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        },
    ),
    ("checkout", "1-0-0"): _schema(
        "checkout", "1-0-0", {"step": {"type": "integer"}, "paid": {"type": "boolean"}}
    ),
    ("blob", "1-0-0"): {
        "self": {"vendor": "com.acme", "name": "blob", "format": "jsonschema", "version": "1-0-0"},
        "oneOf": [{"type": "string"}, {"type": "object"}],
    },
}


def registry(root: Path, only: set[tuple[str, str]] | None = None) -> Resolver:
    for (name, version), schema in SCHEMAS.items():
        if only is not None and (name, version) not in only:
            continue
        path = root / "schemas" / "com.acme" / name / "jsonschema" / version
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema))
    return Resolver([builtin_repository(), DirectoryRepository(root, name="test", priority=1)])


def event(
    event_id: str,
    *,
    fingerprint: str | None = None,
    products: tuple[tuple[str, dict[str, Any]], ...] = (),
    unstruct: tuple[str, Any] | None = None,
    **fields: Any,
) -> EnrichedEvent:
    contexts = (
        Contexts(data=tuple(Entity(uri, data) for uri, data in products)) if products else None
    )
    sde = UnstructEvent(data=Entity(*unstruct)) if unstruct is not None else None
    base: dict[str, Any] = {
        "event_id": event_id,
        "collector_tstamp": TS,
        "v_collector": "ssc-3.0.0",
        "v_etl": "pyplow-0.1",
        "event": "page_view",
        "event_fingerprint": fingerprint,
    }
    base.update(fields)
    return EnrichedEvent(contexts=contexts, unstruct_event=sde, **base)
