from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments.python_function import PythonFunction, check_field
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import (
    Resolver,
    SchemaKey,
    Validated,
    ValidationError,
    Validator,
    builtin_repository,
)
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = "iglu:com.pyplow/python_function_config/jsonschema/1-0-0"

USER_CODE = """
from datetime import UTC, datetime
from decimal import Decimal

def process(fields, config, headers):
    fields["user_id"] = fields.get("user_id", "").upper() + config["suffix"]
    fields["tr_total"] = Decimal("1.50")
    fields.pop("app_id", None)
    return [{"schema": "iglu:com.acme/seen/jsonschema/1-0-0",
             "data": {"headers": len(headers), "keys": sorted(fields)}}]

def nothing(fields, config, headers):
    return None

def broken(fields, config, headers):
    raise RuntimeError("the lookup table is empty")

def bad_type(fields, config, headers):
    fields["domain_sessionidx"] = "three"

def unknown_field(fields, config, headers):
    fields["colour"] = "blue"

def bad_return(fields, config, headers):
    return {"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": {}}

def bad_item(fields, config, headers):
    fields["user_id"] = "changed"
    return [{"schema": "not iglu", "data": {}}]

NOT_CALLABLE = 3
"""


@pytest.fixture(autouse=True)
def user_module(tmp_path: Path) -> Iterator[None]:
    (tmp_path / "pyplow_test_user_fn.py").write_text(textwrap.dedent(USER_CODE))
    sys.path.insert(0, str(tmp_path))
    yield
    sys.path.remove(str(tmp_path))
    sys.modules.pop("pyplow_test_user_fn", None)


def data(function: str, config: Any = None, module: str = "pyplow_test_user_fn") -> dict[str, Any]:
    params: dict[str, Any] = {"module": module, "function": function}
    if config is not None:
        params["config"] = config
    return {
        "vendor": "com.pyplow",
        "name": "python_function_config",
        "enabled": True,
        "parameters": params,
    }


def make(function: str, config: Any = None, module: str = "pyplow_test_user_fn") -> PythonFunction:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    return PythonFunction(EnrichmentConfig(schema=key, data=data(function, config, module)))


def event(fields: dict[str, Any]) -> EventContext:
    raw = RawEvent(
        vendor="com.snowplowanalytics.snowplow",
        version="tp2",
        parameters={},
        headers=("Host: a", "Cookie: b"),
    )
    return EventContext(raw, fields)


def test_config_schema_is_embedded_and_validates() -> None:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, data("process", {"suffix": "!"})), Validated)
    bad = data("process")
    bad["parameters"]["module"] = "not a module"
    assert isinstance(VALIDATOR.validate_data(key, bad), ValidationError)
    del bad["parameters"]["module"]
    assert isinstance(VALIDATOR.validate_data(key, bad), ValidationError)
    assert implementation("python_function_config") is PythonFunction


def test_function_changes_fields_and_returns_entities() -> None:
    enrichment = make("process", {"suffix": "!"})
    ev = event({"user_id": "ann", "app_id": "shop", "event_id": None})
    result = enrichment.enrich(ev)
    assert result == [
        Entity(
            "iglu:com.acme/seen/jsonschema/1-0-0", {"headers": 2, "keys": ["tr_total", "user_id"]}
        )
    ]
    assert ev.fields == {
        "user_id": "ANN!",
        "app_id": None,
        "event_id": None,
        "tr_total": Decimal("1.50"),
    }


def test_none_means_no_entities() -> None:
    ev = event({"user_id": "x"})
    assert make("nothing").enrich(ev) == []
    assert ev.fields == {"user_id": "x"}


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("broken", "raised RuntimeError: the lookup table is empty"),
        ("bad_type", "domain_sessionidx = 'three' (str): expected a 32-bit int"),
        ("unknown_field", "'colour' is not an atomic field"),
        ("bad_return", "must return a list"),
        ("bad_item", "returned item 0 is not a self-describing dict"),
    ],
)
def test_failures_are_errors_and_leave_the_event_alone(function: str, message: str) -> None:
    ev = event({"user_id": "x"})
    failure = make(function).enrich(ev)
    assert isinstance(failure, EnrichmentError)
    assert message in failure.message
    assert ev.fields == {"user_id": "x"}


@pytest.mark.parametrize(
    ("function", "module", "config", "message"),
    [
        ("process", "pyplow_no_such_module", None, "cannot import module"),
        ("missing", "pyplow_test_user_fn", None, "is not a callable"),
        ("NOT_CALLABLE", "pyplow_test_user_fn", None, "is not a callable"),
        ("process", "pyplow_test_user_fn", [1], "parameters.config must be an object"),
        ("", "pyplow_test_user_fn", None, "parameters.function"),
        ("process", "", None, "parameters.module"),
    ],
)
def test_bad_configs_are_explained(function: str, module: str, config: Any, message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        make(function, config, module)


def test_field_type_checks() -> None:
    assert check_field("user_id", "x") is None
    assert check_field("user_id", None) is None
    assert check_field("br_cookies", True) is None
    assert check_field("br_cookies", 1) is not None
    assert check_field("domain_sessionidx", True) is not None
    assert check_field("domain_sessionidx", 2**31) is not None
    assert check_field("geo_latitude", float("nan")) is not None
    assert check_field("derived_tstamp", datetime(2020, 1, 1, tzinfo=UTC)) is None
    assert check_field("derived_tstamp", datetime(2020, 1, 1)) is not None
    assert check_field("event_id", "6a1f5b6c-7d8e-4f90-a1b2-c3d4e5f60718") is None
    assert check_field("event_id", "x") is not None
    assert check_field("contexts", "[]") is not None


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [
            "user_id",
            "domain_sessionidx",
            "tr_total",
            "geo_latitude",
            "br_cookies",
            "derived_tstamp",
            "event_id",
            "nope",
        ]
    ),
    st.one_of(
        st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.decimals(allow_nan=True)
    ),
)
def test_check_field_never_raises(name: str, value: Any) -> None:
    assert check_field(name, value) is None or isinstance(check_field(name, value), str)
