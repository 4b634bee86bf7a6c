"""``pyplow iglu``: validate self-describing JSON and lint schema registries.

``pyplow iglu validate [--resolver FILE] FILE...`` reads each file as one self-describing JSON
document or, if it is not a single JSON document, as JSON lines. It prints one line per instance,
``<where>: OK <schema>`` or ``<where>: INVALID ...`` with the error in Snowplow's JSON shape, and
exits 0 when all are valid, 1 when any is not, 2 on bad usage or an unusable resolver config.

``pyplow iglu lint DIR`` checks a registry folder and exits 1 when any error-level issue is found.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson

from pyplow.iglu import (
    ConfigError,
    IgluParseError,
    Resolver,
    SelfDescribingData,
    Validated,
    Validator,
    has_errors,
    lint_directory,
    parse_resolver_config,
)

_NOT_JSON = object()


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("iglu", help="validate self-describing JSON, lint schemas")
    commands = parser.add_subparsers(dest="iglu_command", metavar="IGLU_COMMAND")
    parser.set_defaults(handler=lambda _args: _usage(parser))

    validate = commands.add_parser(
        "validate", help="validate self-describing JSON files (one document or JSON lines)"
    )
    validate.add_argument(
        "--resolver",
        metavar="FILE",
        help="Iglu resolver config (Snowplow's JSON); default: built-in schemas + Iglu Central",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(handler=run_validate)

    lint = commands.add_parser("lint", help="check a directory of schemas in registry layout")
    lint.add_argument("directory", metavar="DIR")
    lint.set_defaults(handler=run_lint)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _load_resolver(path: str | None) -> Resolver | str:
    if path is None:
        return Resolver.default()
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return f"cannot read resolver config {path}: {exc}"
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return f"resolver config {path} is not valid JSON: {exc}"
    config = parse_resolver_config(value)
    if isinstance(config, ConfigError):
        return f"{path}: {config}"
    return Resolver.from_config(config)


def _instances(text: bytes) -> Iterator[tuple[int | None, Any]]:
    """``(None, value)`` for a single JSON document, else ``(line_number, value)`` per line."""
    try:
        yield None, orjson.loads(text)
        return
    except orjson.JSONDecodeError:
        pass
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, (_NOT_JSON, str(exc))


def _check(validator: Validator, value: Any) -> tuple[bool, str]:
    if isinstance(value, tuple) and value and value[0] is _NOT_JSON:
        return False, f"INVALID not JSON: {value[1]}"
    sdd = SelfDescribingData.parse(value)
    if isinstance(sdd, IgluParseError):
        return False, f"INVALID not self-describing: {sdd}"
    result = validator.validate(sdd)
    uri = sdd.schema.to_uri()
    if isinstance(result, Validated):
        if result.superseded_by is not None:
            return True, f"OK {uri} (superseded, validated with {result.superseded_by})"
        return True, f"OK {uri}"
    return False, f"INVALID {uri}: {msgspec.json.encode(result).decode()}"


def run_validate(args: argparse.Namespace) -> int:
    resolver = _load_resolver(args.resolver)
    if isinstance(resolver, str):
        print(f"pyplow iglu validate: {resolver}", file=sys.stderr)
        return 2
    validator = Validator(resolver)
    all_valid = True
    try:
        for name in args.files:
            try:
                text = Path(name).read_bytes()
            except OSError as exc:
                print(f"{name}: ERROR cannot read: {exc}")
                all_valid = False
                continue
            for line, value in _instances(text):
                where = name if line is None else f"{name}:{line}"
                ok, message = _check(validator, value)
                all_valid = all_valid and ok
                print(f"{where}: {message}")
    finally:
        resolver.close()
    return 0 if all_valid else 1


def run_lint(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    if not root.is_dir():
        print(f"pyplow iglu lint: {args.directory} is not a directory", file=sys.stderr)
        return 2
    issues = lint_directory(root)
    for issue in issues:
        print(issue)
    errors = sum(1 for i in issues if i.severity == "error")
    print(f"{errors} error(s), {len(issues) - errors} warning(s)")
    return 1 if has_errors(issues) else 0
