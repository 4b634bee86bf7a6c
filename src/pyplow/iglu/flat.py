"""A fast validator for schemas of flat string records (``payload_data`` and its kin).

Tracker POST bodies are validated against ``payload_data``: an array of objects whose
properties are all plain strings, with a few required and no others allowed. A generated
draft-4 validator checks such an object one declared property at a time (about 130 of them),
which made this check the largest single cost of reading a POST body. The same rules hold in a
few set operations: the keys are a subset of the declared ones, the required keys a subset of
the keys, and every value is a ``str`` within its length bounds.

:func:`flat_records_validator` recognises exactly that shape (nothing else in the schema) and
returns such a check; for any other schema it returns None and the general validator is used.
The check only ever proves data valid: it raises ``ValueError`` whenever it cannot, and the
caller then asks the complete validator, which also writes the error report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

__all__ = ["flat_records_validator"]

_ANNOTATIONS: Final = frozenset({"$schema", "description", "self", "title", "id"})
_ARRAY_KEYS: Final = _ANNOTATIONS | {"type", "items", "minItems", "maxItems"}
_OBJECT_KEYS: Final = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
_STRING_KEYS: Final = frozenset({"type", "description", "minLength", "maxLength"})

_Check = Callable[[Any], None]


class _NotProvenError(ValueError):
    """The fast check cannot prove the data valid (it may still be valid)."""


def _length(value: Any) -> int | None:
    return value if type(value) is int and value >= 0 else None


def _record_check(schema: Any) -> _Check | None:
    """The check of one flat string record, if ``schema`` is exactly that."""
    if type(schema) is not dict or not schema.keys() <= _OBJECT_KEYS:
        return None
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if type(properties) is not dict or type(required) is not list:
        return None
    if not all(type(name) is str and name in properties for name in required):
        return None
    bounded: dict[str, tuple[int, int | None]] = {}
    for name, rule in properties.items():
        if (
            type(rule) is not dict
            or not rule.keys() <= _STRING_KEYS
            or rule.get("type") != "string"
        ):
            return None
        low = _length(rule.get("minLength", 0))
        high = _length(rule["maxLength"]) if "maxLength" in rule else None
        if low is None or ("maxLength" in rule and high is None):
            return None
        if low or high is not None:
            bounded[name] = (low, high)
    allowed = frozenset(properties)
    needed = frozenset(required)

    def check(record: Any) -> None:
        if (
            type(record) is not dict
            or not allowed.issuperset(record)
            or not needed <= record.keys()
        ):
            raise _NotProvenError
        for value in record.values():
            if type(value) is not str:
                raise _NotProvenError
        for name, (low, high) in bounded.items():
            value = record.get(name)
            if value is not None and (len(value) < low or (high is not None and len(value) > high)):
                raise _NotProvenError

    return check


def flat_records_validator(schema: Any) -> _Check | None:
    """A fast check for a flat string record schema or an array of them; None otherwise."""
    if type(schema) is not dict:
        return None
    if schema.get("type") == "object":
        return _record_check(schema)
    if schema.get("type") != "array" or not schema.keys() <= _ARRAY_KEYS:
        return None
    record = _record_check(schema.get("items"))
    low = _length(schema.get("minItems", 0))
    high = _length(schema["maxItems"]) if "maxItems" in schema else None
    if record is None or low is None or ("maxItems" in schema and high is None):
        return None

    def check(data: Any) -> None:
        if type(data) is not list or len(data) < low or (high is not None and len(data) > high):
            raise _NotProvenError
        for item in data:
            record(item)

    return check
