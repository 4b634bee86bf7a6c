"""Shared helpers for the Iglu tests: tiny schemas written into tmp registries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

META = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"


def make_schema(vendor: str, name: str, version: str, **body: Any) -> dict[str, Any]:
    """A self-describing draft-4 schema; ``body`` holds the validation keywords."""
    schema: dict[str, Any] = {
        "$schema": META,
        "self": {"vendor": vendor, "name": name, "format": "jsonschema", "version": version},
    }
    schema.update(body)
    return schema


def write_registry(root: Path, *schemas: dict[str, Any]) -> Path:
    """Write schemas into ``root/schemas/<vendor>/<name>/jsonschema/<version>``; returns root."""
    for schema in schemas:
        s = schema["self"]
        path = root / "schemas" / s["vendor"] / s["name"] / s["format"] / s["version"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(schema))
    return root


@pytest.fixture(name="make_schema")
def make_schema_fixture() -> Callable[..., dict[str, Any]]:
    return make_schema


@pytest.fixture(name="write_registry")
def write_registry_fixture() -> Callable[..., Path]:
    return write_registry


@pytest.fixture
def acme_registry(tmp_path: Path) -> Path:
    """A registry with com.acme/item 1-0-0, 1-0-1 and com.acme/old 1-0-0 superseded by 1-0-1."""
    item = {
        "type": "object",
        "properties": {
            "sku": {"type": "string", "maxLength": 8},
            "price": {"type": "number", "minimum": 0},
        },
        "required": ["sku"],
        "additionalProperties": False,
    }
    return write_registry(
        tmp_path / "registry",
        make_schema("com.acme", "item", "1-0-0", **item),
        make_schema("com.acme", "item", "1-0-1", **item),
        make_schema("com.acme", "old", "1-0-0", **{"$supersededBy": "1-0-1"}, type="object"),
        make_schema(
            "com.acme",
            "old",
            "1-0-1",
            type="object",
            properties={"n": {"type": "integer"}},
        ),
    )
