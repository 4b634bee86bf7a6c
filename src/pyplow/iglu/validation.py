"""Validating self-describing data against its schema, with JSON Schema draft-4 semantics.

Each schema is compiled once per key: first it is checked against the draft-4 metaschema (a
broken schema gives ``schemaIssues``), then compiled with ``fastjsonschema`` (draft 4 forced,
whatever Iglu ``$schema`` URI it declares; formats on, defaults never written into the data).
Valid data costs one call of that compiled function (or, for flat string records such as
``payload_data``, of the quicker check of :mod:`pyplow.iglu.flat`). Only when it rejects the
data does a cached ``jsonschema.Draft4Validator`` compute the complete list of errors, so
reports name every problem. Both validators share the format checkers of :mod:`pyplow.iglu.formats`.

Remote ``$ref`` targets are never fetched; the draft-4 metaschema is the one URL they may name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import fastjsonschema
import jsonschema
import msgspec
import referencing
import referencing.exceptions

from pyplow.iglu.flat import flat_records_validator
from pyplow.iglu.formats import FORMAT_CHECKERS
from pyplow.iglu.key import SchemaKey, SchemaVer
from pyplow.iglu.reports import (
    DataReport,
    SchemaIssue,
    ValidationError,
    json_path,
    reports_from_errors,
)
from pyplow.iglu.resolver import ResolutionError, Resolver
from pyplow.iglu.selfdescribing import SelfDescribingData

__all__ = ["Validated", "ValidationResult", "Validator", "check_schema"]

_DRAFT4_URI = "http://json-schema.org/draft-04/schema#"
_DRAFT4_URIS = frozenset({_DRAFT4_URI, _DRAFT4_URI.rstrip("#")})

_FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
for _name, _check in FORMAT_CHECKERS.items():
    _FORMAT_CHECKER.checks(_name)(_check)

_METASCHEMA_VALIDATOR = jsonschema.Draft4Validator(
    jsonschema.Draft4Validator.META_SCHEMA,
    format_checker=jsonschema.FormatChecker(formats=("regex",)),
)


class Validated(msgspec.Struct, frozen=True):
    """The data is valid; ``schema_key`` is the version checked (differs when superseded)."""

    key: SchemaKey
    schema_key: SchemaKey
    superseded_by: SchemaVer | None = None


ValidationResult = Validated | ValidationError | ResolutionError


class _RemoteRefError(Exception):
    """Internal: a ``$ref`` to a remote document, which pyplow does not fetch."""


def _fetch_ref(uri: str) -> Any:
    if uri in _DRAFT4_URIS:
        return jsonschema.Draft4Validator.META_SCHEMA
    raise _RemoteRefError(f"remote $ref {uri!r} is not fetched")


def _no_retrieval(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]


_REGISTRY: referencing.Registry[Any] = referencing.Registry(retrieve=_no_retrieval)  # type: ignore[call-arg]
_HANDLERS = {"http": _fetch_ref, "https": _fetch_ref, "file": _fetch_ref, "ftp": _fetch_ref}


def check_schema(schema: Any) -> tuple[SchemaIssue, ...]:
    """Problems making ``schema`` an invalid draft-4 JSON Schema (empty when it is valid)."""
    try:
        errors = list(_METASCHEMA_VALIDATOR.iter_errors(schema))
    except Exception as exc:  # a pathological value must not escape as an exception
        return (SchemaIssue(path="$", message=f"$: schema cannot be checked: {exc}"),)
    issues: list[SchemaIssue] = []
    for error in errors:
        path = json_path(error.absolute_path)
        issues.append(SchemaIssue(path=path, message=f"{path}: {error.message}"))
    return tuple(issues)


class _Compiled:
    """Everything needed to validate against one schema; the slow validator is built lazily."""

    __slots__ = ("fast", "issues", "schema", "slow")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.issues = check_schema(schema)
        self.fast: Callable[[Any], Any] | None = None
        self.slow: Any = None
        if self.issues:
            return
        self.fast = flat_records_validator(schema)
        if self.fast is not None:
            return
        draft4 = dict(schema)
        draft4["$schema"] = _DRAFT4_URI
        try:
            self.fast = fastjsonschema.compile(
                draft4,
                handlers=_HANDLERS,
                formats=FORMAT_CHECKERS,
                use_default=False,
                use_formats=True,
            )
        except _RemoteRefError as exc:
            self.issues = (SchemaIssue(path="$", message=f"$: {exc}"),)
        except Exception:
            # fastjsonschema refuses a few legal draft-4 schemas (e.g. a required property that
            # additionalProperties forbids); the complete validator then decides alone.
            self.fast = None

    def errors(self, data: Any) -> tuple[DataReport, ...]:
        """The complete list of data reports (empty if the data is in fact valid)."""
        if self.slow is None:
            self.slow = jsonschema.Draft4Validator(
                self.schema, format_checker=_FORMAT_CHECKER, registry=_REGISTRY
            )
        try:
            return reports_from_errors(self.slow.iter_errors(data))
        except Exception as exc:
            return (DataReport(message=f"$: data cannot be validated: {exc}", path="$"),)


class Validator:
    """Validates data against schemas found by a resolver, caching compiled schemas per key."""

    def __init__(self, resolver: Resolver | None = None) -> None:
        self._resolver = resolver
        self._compiled: dict[SchemaKey, _Compiled] = {}
        # Keys resolved once, with their compiled schema: a published schema version never
        # changes in Iglu, so it is not looked up again (failed lookups are not kept here and
        # follow the resolver's caching).
        self._ready: dict[SchemaKey, tuple[_Compiled, SchemaKey, SchemaVer | None, Validated]] = {}
        self._lock = threading.Lock()

    def validate(self, instance: SelfDescribingData) -> ValidationResult:
        """Resolve ``instance.schema`` and validate ``instance.data`` against it."""
        return self.validate_data(instance.schema, instance.data)

    def validate_data(self, key: SchemaKey, data: Any) -> ValidationResult:
        """Resolve ``key`` (following ``$supersededBy``) and validate ``data`` against it."""
        ready = self._ready.get(key)
        if ready is not None:
            fast = ready[0].fast
            if fast is not None:
                try:
                    fast(data)
                except Exception:  # invalid (or odd): the complete path below reports it
                    pass
                else:
                    return ready[3]
        if self._resolver is None:
            raise RuntimeError("this Validator has no resolver; use validate_against()")
        resolved = self._resolver.lookup(key)
        if isinstance(resolved, ResolutionError):
            return resolved
        result = self._check(
            key, resolved.schema_key, resolved.schema, data, resolved.superseded_by
        )
        if ready is None and not self._compiled[resolved.schema_key].issues:
            valid = Validated(key, resolved.schema_key, resolved.superseded_by)
            self._ready[key] = (
                self._compiled[resolved.schema_key],
                resolved.schema_key,
                resolved.superseded_by,
                valid,
            )
        return result

    def validate_against(
        self, key: SchemaKey, schema: dict[str, Any], data: Any
    ) -> Validated | ValidationError:
        """Validate ``data`` against an explicitly given ``schema`` (compiled once per ``key``)."""
        return self._check(key, key, schema, data, None)

    def schema_issues(self, key: SchemaKey, schema: dict[str, Any]) -> tuple[SchemaIssue, ...]:
        """Why ``schema`` (cached under ``key``) is unusable; empty if it compiles."""
        return self._compile(key, schema).issues

    def _compile(self, key: SchemaKey, schema: dict[str, Any]) -> _Compiled:
        compiled = self._compiled.get(key)
        if compiled is not None and (compiled.schema is schema or compiled.schema == schema):
            return compiled
        compiled = _Compiled(schema)
        with self._lock:
            self._compiled[key] = compiled
        return compiled

    def _check(
        self,
        key: SchemaKey,
        schema_key: SchemaKey,
        schema: dict[str, Any],
        data: Any,
        superseded: SchemaVer | None,
    ) -> Validated | ValidationError:
        compiled = self._compile(schema_key, schema)
        fast = compiled.fast
        if fast is not None:
            try:
                fast(data)
            except Exception:  # JsonSchemaValueException or anything odd: ask the full validator
                pass
            else:
                return Validated(key, schema_key, superseded)
        sup = None if superseded is None else str(superseded)
        if compiled.issues:
            return ValidationError(schema_issues=compiled.issues, superseded_by=sup)
        reports = compiled.errors(data)
        if not reports:
            return Validated(key, schema_key, superseded)
        return ValidationError(data_reports=reports, superseded_by=sup)
