"""Linting a registry folder: per-file checks and SchemaVer rules across versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyplow.iglu.lint import LintIssue, has_errors, lint_directory

Make = Callable[..., dict[str, Any]]
Write = Callable[..., Path]


def _messages(issues: list[LintIssue]) -> list[tuple[str, str, str]]:
    return [(i.severity, i.path, i.message) for i in issues]


def test_clean_registry(acme_registry: Path) -> None:
    assert lint_directory(acme_registry) == []
    assert lint_directory(acme_registry / "schemas") == []


def test_file_level_errors(tmp_path: Path, make_schema: Make, write_registry: Write) -> None:
    write_registry(
        tmp_path,
        make_schema("com.acme", "a", "1-0-0", type="object"),
        make_schema("com.acme", "b", "1-0-0", type=7),
    )
    base = tmp_path / "schemas" / "com.acme"
    (base / "c" / "jsonschema").mkdir(parents=True)
    (base / "c" / "jsonschema" / "1-0-0").write_text("{oops")
    (base / "a" / "jsonschema" / "1-0").write_text("{}")
    (base / "stray.json").write_text("{}")
    wrong = make_schema("com.acme", "other", "1-0-0")
    (base / "d" / "jsonschema").mkdir(parents=True)
    (base / "d" / "jsonschema" / "1-0-0").write_text(__import__("json").dumps(wrong))
    issues = lint_directory(tmp_path)
    assert has_errors(issues)
    by_path = {i.path: i for i in issues}
    assert set(by_path) == {
        "com.acme/a/jsonschema/1-0",
        "com.acme/b/jsonschema/1-0-0",
        "com.acme/c/jsonschema/1-0-0",
        "com.acme/d/jsonschema/1-0-0",
        "com.acme/stray.json",
    }
    assert "not a SchemaVer" in by_path["com.acme/a/jsonschema/1-0"].message
    assert "$.type" in by_path["com.acme/b/jsonschema/1-0-0"].message
    assert "not readable JSON" in by_path["com.acme/c/jsonschema/1-0-0"].message
    assert "'com.acme/other/jsonschema/1-0-0'" in by_path["com.acme/d/jsonschema/1-0-0"].message
    assert "registry layout" in by_path["com.acme/stray.json"].message
    assert all(i.severity == "error" for i in issues)


def test_missing_metaschema_is_an_error(
    tmp_path: Path, make_schema: Make, write_registry: Write
) -> None:
    schema = make_schema("com.acme", "a", "1-0-0")
    del schema["$schema"]
    write_registry(tmp_path, schema)
    [issue] = lint_directory(tmp_path)
    assert issue.severity == "error"
    assert issue.message.startswith("INVALID_METASCHEMA")


def test_version_gaps(tmp_path: Path, make_schema: Make, write_registry: Write) -> None:
    write_registry(
        tmp_path,
        make_schema("com.acme", "a", "1-0-1"),
        make_schema("com.acme", "a", "1-1-0"),
        make_schema("com.acme", "a", "3-0-0"),
    )
    assert _messages(lint_directory(tmp_path)) == [
        ("error", "com.acme/a/jsonschema/1-0-1", "1-0-1 exists but 1-0-0 does not"),
        ("error", "com.acme/a/jsonschema/1-1-0", "1-1-0 exists but 1-0-0 does not"),
        ("warning", "com.acme/a/jsonschema/3-0-0", "model 3 exists but no model 2 version"),
    ]


def test_incompatible_additions_warn(
    tmp_path: Path, make_schema: Make, write_registry: Write
) -> None:
    props = {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "integer"}}
    write_registry(
        tmp_path,
        make_schema("com.acme", "a", "1-0-0", properties=props),
        make_schema(
            "com.acme",
            "a",
            "1-0-1",
            properties={"a": {"type": "integer"}, "b": {"type": ["number", "null"]}},
            required=["b"],
        ),
    )
    issues = lint_directory(tmp_path)
    assert not has_errors(issues)
    assert sorted(i.message for i in issues) == [
        "newly required properties ['b'] in an addition",
        "property 'a' type changed from ['string'] to ['integer'] in an addition",
        "removed properties ['c'] in an addition",
    ]


def test_not_a_directory(tmp_path: Path) -> None:
    [issue] = lint_directory(tmp_path / "nope")
    assert issue.severity == "error"
    assert issue.message == "not a directory"
