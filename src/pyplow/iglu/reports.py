"""Validation reports in Snowplow's JSON shape, and their construction from jsonschema errors.

A data problem is a :class:`DataReport` (``message``, ``path``, ``keyword``, ``targets``); a broken
schema is a list of :class:`SchemaIssue` (``path``, ``message``). :class:`ValidationError` encodes
with msgspec exactly as the Iglu client error Snowplow embeds in bad rows::

    {"error": "ValidationError", "dataReports": [{"message": "$.formId: may only be 4096
      characters long", "path": "$.formId", "keyword": "maxLength", "targets": ["4096"]}]}

with ``"supersededBy": "m-r-a"`` only when the schema was superseded. Paths are JSON paths such
as ``$.items[0].price``. For ``required`` and ``additionalProperties`` there is one report per
property, the path being the object and the property name the single target. Atomic-field
reports (keywords ``atomic_field_parse_error``/``atomic_field_length_exceeded``) use the same
:class:`DataReport`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import msgspec
import orjson

__all__ = [
    "DataReport",
    "SchemaIssue",
    "ValidationError",
    "json_path",
    "json_type",
    "reports_from_errors",
]

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


class DataReport(msgspec.Struct, frozen=True, kw_only=True):
    """One way the data broke the schema."""

    message: str
    path: str | None = None
    keyword: str | None = None
    targets: tuple[str, ...] = ()


class SchemaIssue(msgspec.Struct, frozen=True, kw_only=True):
    """One way the schema itself is not a valid draft-4 JSON Schema."""

    path: str
    message: str


class ValidationError(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    rename="camel",
    omit_defaults=True,
    tag_field="error",
    tag="ValidationError",
):
    """Data invalid (``data_reports``) or schema invalid (``schema_issues``)."""

    data_reports: tuple[DataReport, ...] = ()
    schema_issues: tuple[SchemaIssue, ...] = ()
    superseded_by: str | None = None


def json_path(segments: Iterable[str | int]) -> str:
    """``["items", 0, "price"]`` → ``$.items[0].price`` (odd names as ``['a b']``)."""
    out = ["$"]
    for seg in segments:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
        elif _PLAIN_NAME.fullmatch(seg):
            out.append(f".{seg}")
        else:
            escaped = seg.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def _child(path: str, name: str) -> str:
    return json_path([name]).replace("$", path, 1)


def _num(value: Any) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def _show(value: Any) -> str:
    """A JSON value as text: strings bare, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return repr(value)


def json_type(value: Any) -> str:
    """The JSON Schema type of a decoded value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _listing(values: Sequence[Any]) -> str:
    return "[" + ", ".join(_show(v) for v in values) + "]"


def _property_names(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    """Instance keys that neither ``properties`` nor ``patternProperties`` cover."""
    props = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    return [k for k in instance if k not in props and not any(re.search(p, k) for p in patterns)]


def reports_from_errors(errors: Iterable[Any]) -> tuple[DataReport, ...]:
    """Turn ``jsonschema`` validation errors into Snowplow-style data reports."""
    out: list[DataReport] = []
    for error in errors:
        out.extend(_reports(error))
    return tuple(out)


def _reports(error: Any) -> Iterator[DataReport]:
    keyword: str = error.validator
    value: Any = error.validator_value
    instance: Any = error.instance
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    path = json_path(error.absolute_path)

    def report(message: str, *targets: str) -> DataReport:
        return DataReport(message=f"{path}: {message}", path=path, keyword=keyword, targets=targets)

    if keyword == "required" and isinstance(instance, Mapping):
        # jsonschema yields one error per missing name; rebuild it from its message order.
        missing = [p for p in value if p not in instance]
        name = next((p for p in missing if repr(p) in error.message), missing[0] if missing else "")
        yield DataReport(
            message=f"{_child(path, name)}: is missing but it is required",
            path=path,
            keyword=keyword,
            targets=(name,),
        )
    elif keyword == "additionalProperties" and isinstance(instance, Mapping):
        for name in _property_names(schema, instance):
            yield DataReport(
                message=(
                    f"{_child(path, name)}: is not defined in the schema and the schema "
                    "does not allow additional properties"
                ),
                path=path,
                keyword=keyword,
                targets=(name,),
            )
    elif keyword == "type":
        actual = json_type(instance)
        if isinstance(value, list):
            yield report(
                f"{actual} found, but {_listing(value)} is required", actual, _listing(value)
            )
        else:
            yield report(f"{actual} found, {value} expected", actual, str(value))
    elif keyword == "enum":
        yield report(f"does not have a value in the enumeration {_listing(value)}", _listing(value))
    elif keyword == "maxLength":
        yield report(f"may only be {value} characters long", _num(value))
    elif keyword == "minLength":
        yield report(f"must be at least {value} characters long", _num(value))
    elif keyword in ("maximum", "minimum"):
        exclusive = "an exclusive " if schema.get(f"exclusive{keyword.title()}") is True else "a "
        yield report(f"must have {exclusive}{keyword} value of {_num(value)}", _num(value))
    elif keyword == "pattern":
        yield report(f"does not match the regex pattern {value}", str(value))
    elif keyword == "format":
        # Snowplow's wording and target order (value first, then format), as seen in real rows.
        yield report(
            f"does not match the {_show(instance)} pattern {value}", _show(instance), str(value)
        )
    elif keyword == "maxItems":
        yield report(f"there must be a maximum of {value} items in the array", _num(value))
    elif keyword == "minItems":
        yield report(f"there must be a minimum of {value} items in the array", _num(value))
    elif keyword == "maxProperties":
        yield report(f"may only have a maximum of {value} properties", _num(value))
    elif keyword == "minProperties":
        yield report(f"should have a minimum of {value} properties", _num(value))
    elif keyword == "uniqueItems":
        yield report("the items in the array must be unique")
    elif keyword == "multipleOf":
        yield report(f"must be multiple of {_num(value)}", _num(value))
    elif keyword == "anyOf":
        yield report("should be valid to any of the schemas " + _show(value))
    elif keyword == "oneOf":
        yield report("should be valid to one and only one of the schemas " + _show(value))
    elif keyword == "not":
        yield report("should not be valid to the schema " + _show(value))
    elif keyword == "additionalItems" and isinstance(instance, list):
        allowed = len(schema.get("items") or [])
        yield report(
            f"there must be no more than {allowed} items in the array (no additional items)",
            str(allowed),
        )
    else:
        yield report(str(error.message))
