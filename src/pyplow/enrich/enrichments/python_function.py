"""Python function: run a Python callable on every event (a pyplow extension).

Configured by ``iglu:com.pyplow/python_function_config/jsonschema/1-0-0``::

    {"schema": "iglu:com.pyplow/python_function_config/jsonschema/1-0-0",
     "data": {"vendor": "com.pyplow", "name": "python_function_config", "enabled": true,
              "parameters": {"module": "my_package.enrich", "function": "process",
                             "config": {"any": "JSON"}}}}

The function is imported once and called as ``fn(fields, config, headers)``:

- ``fields``: a dict of the event's atomic fields (``app_id`` … ``true_tstamp``), typed as in
  :class:`pyplow.event.EnrichedEvent` (str, int, ``Decimal``, float, bool, UTC ``datetime``;
  unset fields are absent). The function may change it: set values of the field's type (or
  None to unset); a value of another type, or an unknown key, is a failure and nothing is
  applied.
- ``config``: ``parameters.config`` (``{}`` when absent); ``headers``: ``Name: value`` strings.

It returns None or a list of self-describing dicts ``{"schema": "iglu:...", "data": ...}``, the
derived entities. An exception raised by the function is an enrichment failure.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.support.fields import ATOMIC_KINDS
from pyplow.event.entities import Entity
from pyplow.event.fields import Kind
from pyplow.event.values import parse_uuid
from pyplow.iglu import SchemaKey

__all__ = ["PythonFunction", "check_field"]

_INT_RANGE: Final = range(-(2**31), 2**31)


def check_field(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be field ``name`` (None when it can)."""
    kind = ATOMIC_KINDS.get(name)
    if kind is None:
        return f"{name!r} is not an atomic field of the enriched event"
    if value is None:
        return None
    ok: bool
    if kind is Kind.STR:
        ok = isinstance(value, str)
    elif kind is Kind.UUID:
        ok = isinstance(value, str) and parse_uuid(value) is not None
    elif kind is Kind.INT:
        ok = isinstance(value, int) and not isinstance(value, bool) and value in _INT_RANGE
    elif kind is Kind.DEC:
        ok = isinstance(value, Decimal) and value.is_finite()
    elif kind is Kind.FLOAT:
        ok = isinstance(value, float) and math.isfinite(value)
    elif kind is Kind.BOOL:
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, datetime) and value.utcoffset() is not None
    if ok:
        return None
    expected = {
        Kind.STR: "a str",
        Kind.UUID: "a UUID str",
        Kind.INT: "a 32-bit int",
        Kind.DEC: "a finite Decimal",
        Kind.FLOAT: "a finite float",
        Kind.BOOL: "a bool",
        Kind.TS: "a timezone-aware datetime",
    }[kind]
    return f"{name} = {value!r} ({type(value).__name__}): expected {expected}"


class PythonFunction(Enrichment):
    """Call a configured Python function per event (see the module docstring)."""

    schema_name = "python_function_config"
    criteria = (criterion("iglu:com.pyplow/python_function_config/jsonschema/1-0-*"),)
    identifier = "python_function"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        params = config.parameters
        module_name, function_name = params.get("module"), params.get("function")
        if not isinstance(module_name, str) or not module_name:
            raise EnrichmentConfigError(
                f"python_function: parameters.module must be a module name, got {module_name!r}"
            )
        if not isinstance(function_name, str) or not function_name:
            raise EnrichmentConfigError(
                "python_function: parameters.function must be a function name, "
                f"got {function_name!r}"
            )
        settings = params.get("config", {})
        if not isinstance(settings, Mapping):
            raise EnrichmentConfigError(
                f"python_function: parameters.config must be an object, got {settings!r}"
            )
        self._settings = dict(settings)
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise EnrichmentConfigError(
                f"python_function: cannot import module {module_name!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        function = getattr(module, function_name, None)
        if not callable(function):
            raise EnrichmentConfigError(
                f"python_function: {module_name}.{function_name} is not a callable"
            )
        self.function: Callable[..., Any] = function
        self.name = f"{module_name}.{function_name}"

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        kinds = ATOMIC_KINDS
        fields = {k: v for k, v in event.fields.items() if v is not None and k in kinds}
        before = dict(fields)
        try:
            returned = self.function(fields, self._settings, list(event.headers))
        except Exception as exc:
            return EnrichmentError(
                f"Python function {self.name} raised {type(exc).__name__}: {exc}"
            )
        changes: dict[str, Any] = {
            name: value
            for name, value in fields.items()
            if name not in before or before[name] is not value
        }
        for name in before.keys() - fields.keys():
            changes[name] = None
        for name, value in changes.items():
            problem = check_field(name, value)
            if problem is not None:
                return EnrichmentError(f"Python function {self.name} set {problem}")
        entities = self._entities(returned)
        if isinstance(entities, EnrichmentError):
            return entities
        event.fields.update(changes)
        return entities

    def _entities(self, value: Any) -> list[Entity] | EnrichmentError:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            return EnrichmentError(
                f"Python function {self.name} must return a list of self-describing dicts or "
                f"None, got {type(value).__name__}"
            )
        entities = []
        for i, item in enumerate(value):
            schema: Any
            if isinstance(item, Entity):
                schema, data = item.schema, item.data
            elif isinstance(item, Mapping) and "data" in item:
                schema, data = item.get("schema"), item["data"]
            else:
                schema, data = None, None
            if not isinstance(schema, str) or not isinstance(SchemaKey.parse(schema), SchemaKey):
                return EnrichmentError(
                    f"Python function {self.name}: returned item {i} is not a self-describing "
                    f"dict {{'schema': 'iglu:...', 'data': ...}}: {item!r:.200}"
                )
            entities.append(Entity(schema, data))
        return entities
