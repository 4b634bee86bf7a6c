"""Configuration: a TOML file and ``PYPLOW_…`` environment variables → a frozen, typed Struct.

Every setting of a config file can also be given in the environment. The variable name is the
setting's path in upper case, joined with double underscores, after the prefix ``PYPLOW_``::

    [collector.cookie]              PYPLOW_COLLECTOR__COOKIE__NAME=sp
    name = "sp"

Environment values are strings; they are converted to the setting's type (``"3"`` → 3,
``"true"`` → True). Lists and tables can be given as JSON (``PYPLOW_COLLECTOR__COOKIE__DOMAINS=
'["acme.com"]'``). The environment wins over the file.

Errors name the setting and say what was expected; callers exit with status 2 on them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

ENV_PREFIX = "PYPLOW_"


class ConfigError(Exception):
    """The configuration is unreadable or invalid; the message says where and why."""


def load(
    kind: type[T],
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    section: str | None = None,
) -> T:
    """Read settings of type ``kind`` from ``path`` (optional) overlaid with the environment.

    ``section`` selects a table of the file (``collector``), and the environment variables under
    ``PYPLOW_<SECTION>__``.
    """
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_toml(Path(path))
        if section is not None:
            table = data.get(section, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [{section}] must be a table")
            data = table
    prefix = ENV_PREFIX + (f"{section.upper()}__" if section else "")
    _overlay_env(data, os.environ if env is None else env, prefix)
    try:
        return msgspec.convert(data, type=kind, strict=False)
    except msgspec.ValidationError as exc:
        where = f"{path}" if path is not None else "environment"
        raise ConfigError(f"{where}: {_describe(exc, section)}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        decoded = msgspec.toml.decode(raw)
    except msgspec.DecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    if not isinstance(decoded, dict):  # pragma: no cover - TOML documents are tables
        raise ConfigError(f"{path} must be a TOML table")
    return decoded


def _overlay_env(data: dict[str, Any], env: Mapping[str, str], prefix: str) -> None:
    for name, value in sorted(env.items()):
        if not name.startswith(prefix) or name == prefix:
            continue
        keys = [k.lower() for k in name[len(prefix) :].split("__")]
        if any(not k for k in keys):
            raise ConfigError(f"environment variable {name}: empty setting name")
        table = data
        for key in keys[:-1]:
            child = table.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(f"environment variable {name}: {key} is not a table")
            table = child
        table[keys[-1]] = _env_value(value)


def _env_value(value: str) -> Any:
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
    return value


def _describe(exc: msgspec.ValidationError, section: str | None) -> str:
    message = str(exc)
    # msgspec says "... - at `$.cookie.name`"; show it as a setting path.
    if " - at `$" in message:
        text, _, where = message.partition(" - at `$")
        setting = where.rstrip("`").lstrip(".")
        if section:
            setting = f"{section}.{setting}" if setting else section
        return f"setting {setting}: {text}"
    return message
