"""Checking a directory of schemas in Iglu registry layout.

The directory holds ``<vendor>/<name>/<format>/<version>`` files, optionally under a ``schemas``
folder. For every file: it is JSON, a valid draft-4 JSON Schema, declares Iglu's ``$schema`` and
a ``self`` block equal to its path, and its file name is a SchemaVer. Across the versions of one
schema: each model starts at ``m-0-0`` and has no gaps (``1-0-2`` needs ``1-0-1``; ``1-1-0`` needs
``1-0-0``). Additions must stay compatible with the previous version: a warning is given when
an addition makes a property required, removes a property or changes a property's type. Files of
other formats than ``jsonschema`` (e.g. ``thrift``) are only checked for being JSON.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

import msgspec
import orjson

from pyplow.iglu.key import IgluParseError, SchemaVer
from pyplow.iglu.selfdescribing import SelfDescribingSchema
from pyplow.iglu.validation import check_schema

__all__ = ["LintIssue", "Severity", "has_errors", "lint_directory"]

Severity = Literal["error", "warning"]


class LintIssue(msgspec.Struct, frozen=True, kw_only=True):
    """One finding: the file (relative to the registry root), its severity and what is wrong."""

    path: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


def has_errors(issues: list[LintIssue]) -> bool:
    return any(issue.severity == "error" for issue in issues)


def lint_directory(root: Path) -> list[LintIssue]:
    """All issues found under ``root`` (sorted by path); an empty list means clean."""
    if not root.is_dir():
        return [LintIssue(path=str(root), severity="error", message="not a directory")]
    base = root / "schemas" if (root / "schemas").is_dir() else root
    issues: list[LintIssue] = []
    families: dict[tuple[str, str, str], dict[SchemaVer, dict[str, Any]]] = defaultdict(dict)
    for file in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = file.relative_to(base).as_posix()
        found = _lint_file(file, rel, issues)
        if found is not None:
            vendor, name, fmt, _ = rel.split("/")
            families[(vendor, name, fmt)][found[0]] = found[1]
    for (vendor, name, fmt), versions in sorted(families.items()):
        _lint_family(f"{vendor}/{name}/{fmt}", versions, issues)
    issues.sort(key=lambda i: (i.path, i.severity, i.message))
    return issues


def _lint_file(
    file: Path, rel: str, issues: list[LintIssue]
) -> tuple[SchemaVer, dict[str, Any]] | None:
    def add(message: str, severity: Severity = "error") -> None:
        issues.append(LintIssue(path=rel, severity=severity, message=message))

    parts = rel.split("/")
    if len(parts) != 4:
        add("not in registry layout: expected <vendor>/<name>/<format>/<version>")
        return None
    version = SchemaVer.parse(parts[3])
    if isinstance(version, IgluParseError):
        add(f"file name is not a SchemaVer: {version.message}")
        return None
    try:
        value = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        add(f"not readable JSON: {exc}")
        return None
    if parts[2] != "jsonschema":
        return None  # other formats (e.g. thrift) are only checked for being JSON
    parsed = SelfDescribingSchema.parse(value, check_metaschema=True)
    if isinstance(parsed, IgluParseError):
        add(f"{parsed.code}: {parsed.message}")
        return None
    expected = "/".join(parts)
    if parsed.key.to_path() != expected:
        add(f"self block says {parsed.key.to_path()!r} but the file is at {expected!r}")
    for issue in check_schema(value):
        add(f"invalid draft-4 JSON Schema: {issue.message}")
    return version, parsed.schema


def _lint_family(
    family: str, versions: dict[SchemaVer, dict[str, Any]], issues: list[LintIssue]
) -> None:
    for ver in sorted(versions):
        rel = f"{family}/{ver}"
        if ver.addition > 0:
            prev = SchemaVer(ver.model, ver.revision, ver.addition - 1)
        elif ver.revision > 0:
            prev = SchemaVer(ver.model, ver.revision - 1, 0)
        else:
            prev = None
        if prev is not None and prev not in versions:
            issues.append(
                LintIssue(path=rel, severity="error", message=f"{ver} exists but {prev} does not")
            )
        first_of_model = ver.revision == 0 and ver.addition == 0
        if first_of_model and ver.model > 1 and all(v.model != ver.model - 1 for v in versions):
            issues.append(
                LintIssue(
                    path=rel,
                    severity="warning",
                    message=f"model {ver.model} exists but no model {ver.model - 1} version",
                )
            )
        if ver.addition > 0 and prev is not None and prev in versions:
            issues.extend(
                LintIssue(path=rel, severity="warning", message=f"{message} in an addition")
                for message in _addition_problems(versions[prev], versions[ver])
            )


def _addition_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Simple incompatibilities between consecutive additions (top-level properties only)."""
    problems: list[str] = []
    old_req = set(_strings(old.get("required")))
    added = [r for r in _strings(new.get("required")) if r not in old_req]
    if added:
        problems.append(f"newly required properties {sorted(added)}")
    old_props = _properties(old)
    new_props = _properties(new)
    removed = sorted(set(old_props) - set(new_props))
    if removed:
        problems.append(f"removed properties {removed}")
    for prop in sorted(set(old_props) & set(new_props)):
        old_t = _types(old_props[prop])
        new_t = _types(new_props[prop])
        if "number" in (new_t or ()):
            new_t = (new_t or set()) | {"integer"}
        if old_t is not None and new_t is not None and not old_t <= new_t:
            problems.append(
                f"property {prop!r} type changed from {sorted(old_t)} to {sorted(new_t)}"
            )
    return problems


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _types(prop: Any) -> set[str] | None:
    if not isinstance(prop, dict):
        return None
    t = prop.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return set(_strings(t))
    return None
