"""Every bad-row schema accepts a small hand-written row and rejects obvious breakage."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from pyplow.iglu.registry import iter_schema_keys, schema_resource

VENDOR = "com.snowplowanalytics.snowplow.badrows"
ROWS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "registry_badrows.json").read_text(encoding="utf-8")
)
BADROW_KEYS = [k for k in iter_schema_keys() if k.vendor == VENDOR]


def _validator(path: str) -> Draft4Validator:
    name, _, version = path.split("/")
    resource = schema_resource(VENDOR, name, version)
    assert resource is not None, path
    return Draft4Validator(json.loads(resource.read_text(encoding="utf-8")))


def test_there_is_one_sample_row_per_badrow_schema() -> None:
    shipped = sorted(f"{k.name}/{k.format}/{k.version}" for k in BADROW_KEYS)
    assert shipped == sorted(ROWS)
    assert len(shipped) == 25


@pytest.mark.parametrize("path", sorted(ROWS))
def test_minimal_row_is_accepted(path: str) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _validator(path).iter_errors(ROWS[path])
    ]
    assert errors == []


@pytest.mark.parametrize("path", sorted(ROWS))
def test_row_without_its_first_required_part_is_rejected(path: str) -> None:
    validator = _validator(path)
    required = validator.schema["required"]
    assert required, path
    row = copy.deepcopy(ROWS[path])
    del row[required[0]]
    assert not validator.is_valid(row)


@pytest.mark.parametrize("path", sorted(ROWS))
def test_row_with_an_unexpected_top_level_key_is_rejected(path: str) -> None:
    validator = _validator(path)
    if validator.schema.get("additionalProperties") is not False:
        pytest.skip("schema allows extra top-level keys")
    assert not validator.is_valid({**ROWS[path], "unexpected": 1})


def test_schema_violations_versions_differ_on_raw_parameters() -> None:
    v1 = _validator("schema_violations/jsonschema/1-0-0")
    v2 = _validator("schema_violations/jsonschema/2-0-1")
    row_v1 = ROWS["schema_violations/jsonschema/1-0-0"]
    row_v2 = ROWS["schema_violations/jsonschema/2-0-1"]
    # 1-0-0 takes parameters as an object; 2-0-x as a list of {name, value}.
    assert isinstance(row_v1["payload"]["raw"]["parameters"], dict)
    swapped = copy.deepcopy(row_v2)
    swapped["payload"]["raw"]["parameters"] = {"e": "pv"}
    assert not v2.is_valid(swapped)
    assert v1.is_valid(row_v1)


def test_size_violation_needs_integer_sizes() -> None:
    validator = _validator("size_violation/jsonschema/1-0-0")
    row = copy.deepcopy(ROWS["size_violation/jsonschema/1-0-0"])
    row["failure"]["actualSizeBytes"] = "1000001"
    assert not validator.is_valid(row)


def test_collector_payload_format_violation_loader_enum() -> None:
    validator = _validator("collector_payload_format_violation/jsonschema/1-0-0")
    row = copy.deepcopy(ROWS["collector_payload_format_violation/jsonschema/1-0-0"])
    row["failure"]["loader"] = "grpc"
    assert not validator.is_valid(row)


def test_processor_version_must_look_like_a_version() -> None:
    validator = _validator("generic_error/jsonschema/1-0-0")
    row = copy.deepcopy(ROWS["generic_error/jsonschema/1-0-0"])
    row["processor"]["version"] = "latest"
    assert not validator.is_valid(row)
