"""The embedded registry's files: layout, metaschema conformance, formatting, and the helpers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft4Validator

from pyplow.iglu.registry import (
    EmbeddedSchemaKey,
    iter_schema_keys,
    registry_root,
    schema_resource,
)

META_URI = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
KEYS = list(iter_schema_keys())
IDS = [key.as_path() for key in KEYS]

# The schemas pyplow cannot work without: if any disappears, something is badly wrong.
REQUIRED_URIS = [
    "iglu:com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
    "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
    "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2",
    "iglu:com.snowplowanalytics.snowplow/browser_context/jsonschema/2-0-0",
    "iglu:com.snowplowanalytics.snowplow/screen_view/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0",
    "iglu:nl.basjes/yauaa_context/jsonschema/1-0-5",
    "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0",
    "iglu:org.ietf/http_header/jsonschema/1-0-0",
    "iglu:org.ietf/http_cookie/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/failure/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/enrichments/jsonschema/1-0-0",
    "iglu:com.snowplowanalytics.snowplow/ip_lookups/jsonschema/2-0-1",
    "iglu:com.snowplowanalytics.snowplow.enrichments/pii_enrichment_config/jsonschema/2-0-1",
    "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3",
    "iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-1",
    "iglu:com.snowplowanalytics.snowplow.badrows/enrichment_failures/jsonschema/2-0-1",
    "iglu:com.snowplowanalytics.snowplow.badrows/size_violation/jsonschema/1-0-0",
]


def _text(key: EmbeddedSchemaKey) -> str:
    resource = schema_resource(key.vendor, key.name, key.version, key.format)
    assert resource is not None, key
    return resource.read_text(encoding="utf-8")


def _load(key: EmbeddedSchemaKey) -> dict[str, Any]:
    value = json.loads(_text(key))
    assert isinstance(value, dict)
    return value


META = _load(EmbeddedSchemaKey("com.snowplowanalytics.self-desc", "schema", "jsonschema", "1-0-0"))
META_VALIDATOR = Draft4Validator(META)


def test_registry_holds_the_expected_number_of_schemas() -> None:
    assert len(KEYS) == 150
    assert len(set(KEYS)) == len(KEYS)


def test_required_schemas_are_present() -> None:
    uris = {key.as_uri() for key in KEYS}
    missing = [uri for uri in REQUIRED_URIS if uri not in uris]
    assert missing == []


def test_every_published_version_of_a_multi_version_schema_is_shipped() -> None:
    versions = {
        (k.vendor, k.name): [x.version for x in KEYS if (x.vendor, x.name) == (k.vendor, k.name)]
        for k in KEYS
    }
    assert versions["com.snowplowanalytics.snowplow", "payload_data"] == [
        "1-0-0",
        "1-0-1",
        "1-0-2",
        "1-0-3",
        "1-0-4",
    ]
    assert versions["nl.basjes", "yauaa_context"] == [f"1-0-{i}" for i in range(6)]
    assert versions["com.snowplowanalytics.iglu", "resolver-config"] == [
        f"1-0-{i}" for i in range(4)
    ]
    assert versions["com.snowplowanalytics.snowplow.badrows", "schema_violations"] == [
        "1-0-0",
        "2-0-0",
        "2-0-1",
    ]
    assert len([k for k in KEYS if k.vendor.endswith(".badrows")]) == 25


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_schema_is_valid_draft4(key: EmbeddedSchemaKey) -> None:
    Draft4Validator.check_schema(_load(key))


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_schema_conforms_to_self_describing_metaschema(key: EmbeddedSchemaKey) -> None:
    errors = [e.message for e in META_VALIDATOR.iter_errors(_load(key))]
    assert errors == []


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_self_block_matches_path(key: EmbeddedSchemaKey) -> None:
    schema = _load(key)
    assert schema["$schema"] == META_URI
    assert schema["self"] == {
        "vendor": key.vendor,
        "name": key.name,
        "format": key.format,
        "version": key.version,
    }


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_house_formatting(key: EmbeddedSchemaKey) -> None:
    text = _text(key)
    schema = json.loads(text)
    assert list(schema)[:3] == ["$schema", "description", "self"]
    assert 0 < len(schema["description"]) <= 100
    assert "\t" not in text
    assert text.startswith('{\n  "$schema": ')
    assert text.endswith("}\n")
    # Only the top level carries prose; nested schemas are facts only. (A property may be
    # *named* "description"; its value is then a schema object, not a string.)
    assert text.count('"description": "') == 1
    assert text.count('"description": {') == _property_names(schema).count("description")
    assert '"title"' not in text


def _property_names(node: Any) -> list[str]:
    names: list[str] = []
    if isinstance(node, dict):
        for keyword, value in node.items():
            if keyword in {"properties", "patternProperties", "definitions"}:
                names.extend(value)
            names.extend(_property_names(value))
    elif isinstance(node, list):
        for item in node:
            names.extend(_property_names(item))
    return names


def test_metaschema_rejects_schemas_without_a_proper_self_block() -> None:
    good = {"$schema": META_URI, "self": _self("1-0-0"), "type": "object"}
    assert META_VALIDATOR.is_valid(good)
    assert not META_VALIDATOR.is_valid({"type": "object"})
    assert not META_VALIDATOR.is_valid({**good, "self": _self("1-0")})
    assert not META_VALIDATOR.is_valid({**good, "self": _self("1.0.0")})
    assert not META_VALIDATOR.is_valid({**good, "self": {**_self("1-0-0"), "extra": "x"}})
    assert not META_VALIDATOR.is_valid({**good, "self": {**_self("1-0-0"), "vendor": "a/b"}})
    assert not META_VALIDATOR.is_valid({**good, "self": {**_self("1-0-0"), "name": "a.b"}})
    # The draft-04 half: a broken keyword value is caught too.
    assert not META_VALIDATOR.is_valid({**good, "type": "thing"})
    assert not META_VALIDATOR.is_valid({**good, "minLength": -1})


def _self(version: str) -> dict[str, str]:
    return {"vendor": "com.acme", "name": "thing", "format": "jsonschema", "version": version}


def test_registry_root_is_a_folder_of_vendors() -> None:
    root = registry_root()
    assert root.is_dir()
    vendors = sorted(child.name for child in root.iterdir())
    assert "com.snowplowanalytics.snowplow" in vendors
    assert "org.ietf" in vendors


def test_schema_resource_finds_and_refuses() -> None:
    found = schema_resource("com.snowplowanalytics.snowplow", "link_click", "1-0-1")
    assert found is not None
    assert json.loads(found.read_text(encoding="utf-8"))["self"]["name"] == "link_click"
    assert schema_resource("com.snowplowanalytics.snowplow", "link_click", "9-9-9") is None
    assert schema_resource("com.acme", "nothing", "1-0-0") is None
    assert schema_resource("..", "registry", "1-0-0") is None
    assert schema_resource("com.snowplowanalytics.snowplow", "../x", "1-0-0") is None
    assert schema_resource("com.snowplowanalytics.snowplow", "link_click", "") is None
    # A folder is not a schema.
    assert schema_resource("com.snowplowanalytics.snowplow", "link_click", "jsonschema", "") is None


def test_keys_are_sorted_numerically_and_render_as_uris() -> None:
    key = EmbeddedSchemaKey("com.acme", "thing", "jsonschema", "1-0-10")
    assert key.as_uri() == "iglu:com.acme/thing/jsonschema/1-0-10"
    assert key.as_path() == "com.acme/thing/jsonschema/1-0-10"
    grouped: dict[tuple[str, str], list[str]] = {}
    for k in KEYS:
        grouped.setdefault((k.vendor, k.name), []).append(k.version)
    for versions in grouped.values():
        numeric = [tuple(int(p) for p in v.split("-")) for v in versions]
        assert numeric == sorted(numeric)
    assert list(grouped) == sorted(grouped)
