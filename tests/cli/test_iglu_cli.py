"""``pyplow iglu validate`` and ``pyplow iglu lint`` end to end, with tmp files only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyplow.cli import main

META = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"


def _schema(name: str, version: str, **body: Any) -> dict[str, Any]:
    return {
        "$schema": META,
        "self": {"vendor": "com.acme", "name": name, "format": "jsonschema", "version": version},
        **body,
    }


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    schemas = [
        _schema(
            "item",
            "1-0-0",
            type="object",
            properties={"sku": {"type": "string", "maxLength": 3}},
            required=["sku"],
        ),
        _schema("old", "1-0-0", **{"$supersededBy": "1-0-1"}),
        _schema("old", "1-0-1", type="object"),
    ]
    for s in schemas:
        path = (
            root / "schemas" / "com.acme" / s["self"]["name"] / "jsonschema" / s["self"]["version"]
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(s))
    return root


@pytest.fixture
def resolver_file(tmp_path: Path, registry: Path) -> Path:
    config = {
        "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1",
        "data": {
            "cacheSize": 50,
            "repositories": [
                {
                    "name": "acme",
                    "priority": 0,
                    "vendorPrefixes": ["com.acme"],
                    "connection": {"embedded": {"path": str(registry)}},
                }
            ],
        },
    }
    path = tmp_path / "resolver.json"
    path.write_text(json.dumps(config))
    return path


def _sdj(data: Any, name: str = "item") -> str:
    return json.dumps({"schema": f"iglu:com.acme/{name}/jsonschema/1-0-0", "data": data})


def test_validate_single_documents(
    tmp_path: Path, resolver_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(_sdj({"sku": "abc"}))
    old = tmp_path / "old.json"
    old.write_text(_sdj({}, name="old"))
    status = main(["iglu", "validate", "--resolver", str(resolver_file), str(good), str(old)])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out == [
        f"{good}: OK iglu:com.acme/item/jsonschema/1-0-0",
        f"{old}: OK iglu:com.acme/old/jsonschema/1-0-0 (superseded, validated with 1-0-1)",
    ]


def test_validate_json_lines_reports_each_instance(
    tmp_path: Path, resolver_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_text(
        "\n".join(
            [
                _sdj({"sku": "abc"}),
                _sdj({"sku": "toolong"}),
                "{broken",
                json.dumps({"schema": "iglu:com.acme/item/jsonschema/1-0", "data": {}}),
                "",
                _sdj({}, name="missing"),
            ]
        )
    )
    status = main(["iglu", "validate", "--resolver", str(resolver_file), str(lines)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert out[0] == f"{lines}:1: OK iglu:com.acme/item/jsonschema/1-0-0"
    assert out[1].startswith(f"{lines}:2: INVALID iglu:com.acme/item/jsonschema/1-0-0: ")
    report = json.loads(out[1].split("jsonschema/1-0-0: ", 1)[1])
    assert report == {
        "error": "ValidationError",
        "dataReports": [
            {
                "message": "$.sku: may only be 3 characters long",
                "path": "$.sku",
                "keyword": "maxLength",
                "targets": ["3"],
            }
        ],
    }
    assert out[2].startswith(f"{lines}:3: INVALID not JSON: ")
    assert out[3].startswith(f"{lines}:4: INVALID not self-describing: INVALID_SCHEMAVER: ")
    assert out[4].startswith(f"{lines}:6: INVALID iglu:com.acme/missing/jsonschema/1-0-0: ")
    assert '"error":"ResolutionError"' in out[4]
    assert len(out) == 5


def test_validate_unreadable_file_is_a_failure(
    tmp_path: Path, resolver_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["iglu", "validate", "--resolver", str(resolver_file), str(tmp_path / "no")])
    assert status == 1
    assert "ERROR cannot read" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "cannot read resolver config"),
        ("{nope", "is not valid JSON"),
        (json.dumps({"schema": "iglu:a/b/jsonschema/1-0-0", "data": {}}), "$.schema"),
        (
            json.dumps(
                {
                    "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1",
                    "data": {"repositories": []},
                }
            ),
            "$.data.cacheSize",
        ),
    ],
)
def test_bad_resolver_config_exits_2(
    tmp_path: Path, content: str | None, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "resolver.json"
    if content is not None:
        config.write_text(content)
    data = tmp_path / "x.json"
    data.write_text(_sdj({}))
    assert main(["iglu", "validate", "--resolver", str(config), str(data)]) == 2
    assert fragment in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["iglu"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["iglu", "validate"])
    assert exc.value.code == 2
    capsys.readouterr()


def test_lint(tmp_path: Path, registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["iglu", "lint", str(registry)]) == 0
    assert capsys.readouterr().out.strip() == "0 error(s), 0 warning(s)"
    gap = registry / "schemas" / "com.acme" / "item" / "jsonschema" / "1-0-2"
    gap.write_text(json.dumps(_schema("item", "1-0-2", type="object")))
    assert main(["iglu", "lint", str(registry)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "error: com.acme/item/jsonschema/1-0-2: 1-0-2 exists but 1-0-1 does not",
        "1 error(s), 0 warning(s)",
    ]
    assert main(["iglu", "lint", str(tmp_path / "absent")]) == 2
    assert "not a directory" in capsys.readouterr().err
