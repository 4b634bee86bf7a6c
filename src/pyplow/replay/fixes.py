"""Fix rules: which bad rows a fix applies to, and the JSON Patch (RFC 6902) it applies.

A fix file (JSON, or TOML with an array of ``[[rules]]`` tables) holds rules::

    {"rules": [
      {"match": {"schema": "schema_violations", "message_contains": "vid"},
       "patches": [{"op": "replace", "path": "/parameters/vid", "value": "1"}]}
    ]}

``match.schema`` is a bad-row type name (``schema_violations``) or a prefix of the bad row's
schema URI (``iglu:com.snowplowanalytics.snowplow.badrows/adapter_failures/``);
``message_contains`` is text searched in the row's ``failure`` JSON; ``vendor`` and ``version``
compare with the request's. The patches apply to the event document built by
``pyplow.replay.document``. Every matching rule applies, in file order. A JSON-only file may
also be a bare list of rules.

Loading never raises on a bad file: problems come back as a ``FixFileError`` naming the rule.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer
import msgspec

__all__ = [
    "FixFileError",
    "FixMatch",
    "FixRule",
    "FixSet",
    "PatchError",
    "load_fixes",
    "parse_fixes",
]


class FixMatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which rows a rule applies to; unset criteria match everything."""

    schema: str | None = None
    message_contains: str | None = None
    vendor: str | None = None
    version: str | None = None

    def matches(
        self, schema: str, failure_text: str, vendor: str | None, version: str | None
    ) -> bool:
        """Whether a row with this schema URI, failure JSON text and vendor/version matches."""
        if self.schema is not None and not _schema_matches(self.schema, schema):
            return False
        if self.message_contains is not None and self.message_contains not in failure_text:
            return False
        if self.vendor is not None and self.vendor != vendor:
            return False
        return self.version is None or self.version == version


class FixRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One rule as written in the file."""

    match: FixMatch = FixMatch()
    patches: tuple[dict[str, Any], ...] = ()
    #: Optional name shown in reports (default: ``rule <n>``).
    name: str | None = None


class _FixFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rules: tuple[FixRule, ...] = ()


class FixFileError(msgspec.Struct, frozen=True):
    """A fix file that cannot be used; ``message`` says where and what was expected."""

    message: str


class PatchError(msgspec.Struct, frozen=True):
    """A rule whose patch could not be applied to one document."""

    rule: str
    message: str


class _Compiled(msgspec.Struct, frozen=True):
    name: str
    match: FixMatch
    patch: jsonpatch.JsonPatch


def _schema_matches(wanted: str, schema: str) -> bool:
    if wanted.startswith("iglu:"):
        return schema.startswith(wanted)
    parts = schema.split("/")
    return len(parts) >= 2 and parts[1] == wanted


class FixSet:
    """Compiled rules, built once and applied to many documents."""

    def __init__(self, rules: tuple[_Compiled, ...] = ()) -> None:
        self._rules = rules

    def __len__(self) -> int:
        return len(self._rules)

    def matching(
        self, schema: str, failure_text: str, vendor: str | None, version: str | None
    ) -> list[str]:
        """Names of the rules matching a row (for reports)."""
        return [
            r.name for r in self._rules if r.match.matches(schema, failure_text, vendor, version)
        ]

    def apply(
        self,
        document: dict[str, Any],
        schema: str,
        failure_text: str,
        vendor: str | None,
        version: str | None,
    ) -> dict[str, Any] | PatchError:
        """The document with every matching rule applied in order (the input is not changed),
        or the first rule that failed (a ``test`` operation that did not hold, a missing path)."""
        current: Any = document
        for rule in self._rules:
            if not rule.match.matches(schema, failure_text, vendor, version):
                continue
            try:
                current = rule.patch.apply(current)
            except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
                return PatchError(rule.name, f"{rule.name}: patch failed: {exc}")
            except (TypeError, ValueError, KeyError, IndexError) as exc:
                return PatchError(
                    rule.name, f"{rule.name}: patch failed: {type(exc).__name__}: {exc}"
                )
            if not isinstance(current, dict):
                return PatchError(
                    rule.name,
                    f"{rule.name}: the patched document is {type(current).__name__}, "
                    "expected an object",
                )
        result: dict[str, Any] = current
        return result


def parse_fixes(
    data: bytes, *, toml: bool = False, source: str = "fix file"
) -> FixSet | FixFileError:
    """Compile rules from the text of a JSON (default) or TOML fix file."""
    try:
        raw: Any = tomllib.loads(data.decode("utf-8")) if toml else json.loads(data)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = "TOML" if toml else "JSON"
        return FixFileError(f"{source}: not valid {kind}: {exc}")
    if isinstance(raw, list):
        raw = {"rules": raw}
    try:
        parsed = msgspec.convert(raw, _FixFile)
    except msgspec.ValidationError as exc:
        return FixFileError(
            f'{source}: {exc}; expected {{"rules": [{{"match": {{...}}, "patches": [...]}}]}}'
        )
    compiled: list[_Compiled] = []
    for index, rule in enumerate(parsed.rules, 1):
        name = rule.name or f"rule {index}"
        if not rule.patches:
            return FixFileError(f"{source}: {name} has no patches; expected a non-empty list")
        try:
            patch = jsonpatch.JsonPatch(list(rule.patches))  # checks every operation now
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            return FixFileError(f"{source}: {name}: invalid JSON Patch: {exc}")
        compiled.append(_Compiled(name, rule.match, patch))
    return FixSet(tuple(compiled))


def load_fixes(path: str | Path) -> FixSet | FixFileError:
    """Read and compile a fix file (``.toml`` is TOML, anything else JSON)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        return FixFileError(f"cannot read fix file {file}: {exc.strerror}")
    return parse_fixes(data, toml=file.suffix == ".toml", source=str(file))
