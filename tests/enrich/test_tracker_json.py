"""Phase 1 checks of the tracker's self-describing JSON (ue_pr/ue_px, co/cx)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.tracker_json import (
    CONTEXTS_CRITERION,
    UNSTRUCT_CRITERION,
    VALIDATION_INFO_SCHEMA,
    TrackerJson,
    check_tracker_json,
)
from pyplow.event import Entity
from pyplow.iglu import (
    DirectoryRepository,
    ResolutionError,
    Resolver,
    ValidationError,
    Validator,
    builtin_repository,
)
from pyplow.protocol import CriterionMismatch, IgluError, NotIglu, NotJson

CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
PAGE_ID = "7f1aff1b-2f6d-4ca8-9424-6a0835708243"


def sdj(schema: str, data: Any) -> dict[str, Any]:
    return {"schema": schema, "data": data}


def text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def b64(value: Any, *, pad: bool) -> str:
    encoded = base64.urlsafe_b64encode(text(value).encode()).decode()
    return encoded if pad else encoded.rstrip("=")


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Validator:
    """The embedded registry plus a small local one with a superseded schema."""
    root: Path = tmp_path_factory.mktemp("registry")
    folder = root / "schemas" / "com.acme" / "thing" / "jsonschema"
    folder.mkdir(parents=True)
    for version, extra in (("1-0-0", {"$supersededBy": "1-0-1"}), ("1-0-1", {})):
        schema = {
            "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
            "self": {
                "vendor": "com.acme",
                "name": "thing",
                "format": "jsonschema",
                "version": version,
            },
            "type": "object",
            "properties": {"size": {"type": "integer"}},
            "additionalProperties": False,
            **extra,
        }
        (folder / version).write_text(json.dumps(schema))
    resolver = Resolver([builtin_repository(), DirectoryRepository(root, name="local")])
    return Validator(resolver)


def test_valid_python_tracker_event(validator: Validator) -> None:
    params: dict[str, str | None] = {
        "e": "ue",
        "ue_px": b64(
            sdj(UNSTRUCT, sdj(LINK_CLICK, {"targetUrl": "https://example.com/a"})), pad=True
        ),
        "cx": b64(sdj(CONTEXTS, [sdj(WEB_PAGE, {"id": PAGE_ID})]), pad=False),
    }
    result = check_tracker_json(params, validator)
    assert result == TrackerJson(
        unstruct=Entity(LINK_CLICK, {"targetUrl": "https://example.com/a"}),
        contexts=[Entity(WEB_PAGE, {"id": PAGE_ID})],
    )


def test_nothing_carried(validator: Validator) -> None:
    assert check_tracker_json({"e": "pv", "co": None}, validator) == TrackerJson()


def test_invalid_entities_are_dropped_and_reported(validator: Validator) -> None:
    unknown = "iglu:com.acme/unknown/jsonschema/1-0-0"
    contexts = [
        sdj(WEB_PAGE, {"id": PAGE_ID}),
        sdj(WEB_PAGE, {"id": "not-a-uuid"}),
        sdj(unknown, {}),
    ]
    result = check_tracker_json({"co": text(sdj(CONTEXTS, contexts))}, validator)
    assert result.contexts == [Entity(WEB_PAGE, {"id": PAGE_ID})]
    invalid, unresolved = result.messages
    assert isinstance(invalid, IgluError)
    assert invalid.schema_key == WEB_PAGE
    assert isinstance(invalid.error, ValidationError)
    assert [r.path for r in invalid.error.data_reports] == ["$.id"]
    assert isinstance(unresolved, IgluError)
    assert unresolved.schema_key == unknown
    assert isinstance(unresolved.error, ResolutionError)
    encoded = json.loads(msgspec.json.encode(invalid))
    assert list(encoded) == ["schemaKey", "error"]
    assert encoded["error"]["error"] == "ValidationError"
    assert encoded["error"]["dataReports"][0]["keyword"] == "pattern"


def test_entity_without_schema_fails_the_whole_envelope(validator: Validator) -> None:
    contexts = [sdj(WEB_PAGE, {"id": PAGE_ID}), {"data": {"id": PAGE_ID}}]
    result = check_tracker_json({"co": text(sdj(CONTEXTS, contexts))}, validator)
    assert result.contexts == []
    (message,) = result.messages
    assert isinstance(message, IgluError)
    assert message.schema_key == CONTEXTS
    assert isinstance(message.error, ValidationError)
    assert [(r.keyword, r.targets) for r in message.error.data_reports] == [
        ("required", ("schema",))
    ]


def test_not_json(validator: Validator) -> None:
    result = check_tracker_json({"co": "{not json", "ue_pr": ""}, validator)
    contexts_error, unstruct_error = result.messages
    assert isinstance(contexts_error, NotJson)
    assert (contexts_error.field, contexts_error.value) == ("contexts", "{not json")
    assert contexts_error.error.startswith("invalid json: ")
    assert unstruct_error == NotJson("unstruct", "", "invalid json: exhausted input")


def test_envelope_problems(validator: Validator) -> None:
    swapped: dict[str, str | None] = {
        "co": text(sdj(UNSTRUCT, sdj(WEB_PAGE, {"id": PAGE_ID}))),
        "ue_pr": text({"schema": "iglu:not a uri", "data": {}}),
    }
    result = check_tracker_json(swapped, validator)
    assert result.messages == [
        CriterionMismatch(
            UNSTRUCT, "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-*"
        ),
        NotIglu({"schema": "iglu:not a uri", "data": {}}, "INVALID_IGLUURI"),
    ]
    assert CONTEXTS_CRITERION.to_uri().endswith("contexts/jsonschema/1-0-*")
    assert UNSTRUCT_CRITERION.to_uri().endswith("unstruct_event/jsonschema/1-0-*")
    wrong_shape = check_tracker_json({"co": text(sdj(CONTEXTS, {"not": "an array"}))}, validator)
    (message,) = wrong_shape.messages
    assert isinstance(message, IgluError)
    assert message.schema_key == CONTEXTS
    assert isinstance(message.error, ValidationError)
    assert wrong_shape.contexts == []


def test_invalid_unstruct_event(validator: Validator) -> None:
    event = sdj(LINK_CLICK, {"targetUrl": 42})
    result = check_tracker_json({"ue_pr": text(sdj(UNSTRUCT, event))}, validator)
    assert result.unstruct is None
    (message,) = result.messages
    assert isinstance(message, IgluError)
    assert message.schema_key == LINK_CLICK


def test_superseded_schema_gives_validation_info(validator: Validator) -> None:
    thing = "iglu:com.acme/thing/jsonschema/1-0-0"
    params: dict[str, str | None] = {
        "cx": b64(sdj(CONTEXTS, [sdj(thing, {"size": 1}), sdj(thing, {"size": 2})]), pad=True),
        "ue_pr": text(sdj(UNSTRUCT, sdj(thing, {"size": 3}))),
    }
    result = check_tracker_json(params, validator)
    newer = "iglu:com.acme/thing/jsonschema/1-0-1"
    assert result.contexts == [Entity(newer, {"size": 1}), Entity(newer, {"size": 2})]
    assert result.unstruct == Entity(newer, {"size": 3})
    assert result.validation_info == [
        Entity(VALIDATION_INFO_SCHEMA, {"originalSchema": thing, "validatedWith": "1-0-1"})
    ]
    assert result.messages == []
    # The superseding schema's rules apply, and the error says so.
    bad = check_tracker_json({"ue_pr": text(sdj(UNSTRUCT, sdj(thing, {"size": "x"})))}, validator)
    (message,) = bad.messages
    assert isinstance(message, IgluError)
    assert message.schema_key == thing
    assert isinstance(message.error, ValidationError)
    assert message.error.superseded_by == "1-0-1"


def test_validation_info_validates(validator: Validator) -> None:
    from pyplow.iglu import SchemaKey, Validated

    key = SchemaKey.parse(VALIDATION_INFO_SCHEMA)
    assert isinstance(key, SchemaKey)
    data = {"originalSchema": "iglu:com.acme/thing/jsonschema/1-0-0", "validatedWith": "1-0-1"}
    assert isinstance(validator.validate_data(key, data), Validated)


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_SHAPES = st.one_of(
    _JSONISH,
    _JSONISH.map(lambda d: sdj(CONTEXTS, d)),
    _JSONISH.map(lambda d: sdj(UNSTRUCT, d)),
    st.lists(_JSONISH.map(lambda d: sdj(WEB_PAGE, d)), max_size=3).map(lambda d: sdj(CONTEXTS, d)),
    _JSONISH.map(lambda d: sdj(UNSTRUCT, sdj(LINK_CLICK, d))),
)


@settings(max_examples=150, deadline=None)
@given(co=_SHAPES, ue=_SHAPES, garbage=st.text(max_size=20))
def test_never_raises(validator: Validator, co: Any, ue: Any, garbage: str) -> None:
    for params in (
        {"co": text(co), "ue_px": b64(ue, pad=False)},
        {"cx": garbage, "ue_pr": garbage},
    ):
        result = check_tracker_json(params, validator)
        for message in result.messages:
            assert isinstance(message, NotJson | NotIglu | CriterionMismatch | IgluError)
            msgspec.json.encode(message)
        for entity in result.contexts:
            assert entity.schema.startswith("iglu:")
