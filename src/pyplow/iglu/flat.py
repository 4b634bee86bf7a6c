"""A fast validator for schemas of flat records: ``payload_data`` and the Iglu envelopes.

Tracker POST bodies are validated against ``payload_data``: an array of objects whose
properties are all plain strings, a few required and no others allowed. The ``contexts`` and
``unstruct_event`` envelopes are of the same kind: objects of a ``schema`` string with a
pattern and a ``data`` of any value. A generated draft-4 validator checks such an object one
declared property at a time (about 130 for ``payload_data``), which made these checks a large
part of reading an event. The same rules hold in a few set operations: the keys are a subset of
the declared ones, the required keys a subset of the keys, and every string property holds a
``str`` within its length bounds that matches its pattern (pattern results are remembered per
text, since events repeat the same few schema URIs).

:func:`flat_records_validator` recognises exactly that shape (nothing else in the schema) and
returns such a check; for any other schema it returns None and the general validator is used.
The check only ever proves data valid: it raises ``ValueError`` whenever it cannot, and the
caller then asks the complete validator, which also writes the error report. Patterns are
searched with Python's ``re``, as the general validator does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

__all__ = ["flat_records_validator"]

_ANNOTATIONS: Final = frozenset({"$schema", "description", "self", "title", "id"})
_ARRAY_KEYS: Final = _ANNOTATIONS | {"type", "items", "minItems", "maxItems"}
_OBJECT_KEYS: Final = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
_STRING_KEYS: Final = _ANNOTATIONS | {"type", "minLength", "maxLength", "pattern"}
_MEMO_MAX: Final = 4096

_Check = Callable[[Any], None]


class _NotProvenError(ValueError):
    """The fast check cannot prove the data valid (it may still be valid)."""

    def __str__(self) -> str:
        return "not proven valid by the fast check; the complete validator decides"


def _length(value: Any) -> int | None:
    return value if type(value) is int and value >= 0 else None


class _StringRule:
    """The checks of one string property beyond its type: length bounds and pattern."""

    __slots__ = ("high", "low", "matched", "search")

    def __init__(self, low: int, high: int | None, search: Callable[[str], Any] | None) -> None:
        self.low = low
        self.high = high
        self.search = search
        self.matched: set[str] = set()

    def holds(self, value: str) -> bool:
        if len(value) < self.low or (self.high is not None and len(value) > self.high):
            return False
        if self.search is None or value in self.matched:
            return True
        if self.search(value) is None:
            return False
        if len(self.matched) < _MEMO_MAX:
            self.matched.add(value)
        return True


def _string_rule(rule: dict[str, Any]) -> _StringRule | None:
    low = _length(rule.get("minLength", 0))
    high = _length(rule["maxLength"]) if "maxLength" in rule else None
    if low is None or ("maxLength" in rule and high is None):
        return None
    search = None
    if "pattern" in rule:
        if type(rule["pattern"]) is not str:
            return None
        try:
            search = re.compile(rule["pattern"]).search
        except re.error:
            return None
    return _StringRule(low, high, search)


def _record_check(schema: Any) -> _Check | None:
    """The check of one flat record, if ``schema`` is exactly that."""
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
    strings: set[str] = set()  # properties that must hold a str
    rules: dict[str, _StringRule] = {}  # str properties with bounds or a pattern
    for name, rule in properties.items():
        if type(rule) is not dict:
            return None
        if rule.keys() <= _ANNOTATIONS:
            continue  # {}: any value
        if not rule.keys() <= _STRING_KEYS or rule.get("type") != "string":
            return None
        string_rule = _string_rule(rule)
        if string_rule is None:
            return None
        strings.add(name)
        if string_rule.low or string_rule.high is not None or string_rule.search is not None:
            rules[name] = string_rule
    allowed = frozenset(properties)
    needed = frozenset(required)
    all_strings = strings == set(properties)
    typed = frozenset(strings)

    def check(record: Any) -> None:
        if (
            type(record) is not dict
            or not allowed.issuperset(record)
            or not needed <= record.keys()
        ):
            raise _NotProvenError
        if all_strings:
            for value in record.values():
                if type(value) is not str:
                    raise _NotProvenError
        else:
            for name in typed.intersection(record):
                if type(record[name]) is not str:
                    raise _NotProvenError
        for name, string_rule in rules.items():
            value = record.get(name)
            if value is not None and not string_rule.holds(value):
                raise _NotProvenError

    return check


def flat_records_validator(schema: Any) -> _Check | None:
    """A fast check for a flat record schema or an array of them; None otherwise."""
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
