"""A registry stored as files: ``<root>/schemas/<vendor>/<name>/<format>/<version>``.

The root may be a directory on disk (:class:`pathlib.Path`) or a package resource directory
(:class:`importlib.resources.abc.Traversable`), so the same class serves local registries and
pyplow's built-in one. If the root has no ``schemas`` folder, the root itself is taken to hold the
``<vendor>/...`` folders.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from typing import Any

import orjson

from pyplow.iglu.key import IgluParseError, SchemaKey, SchemaVer
from pyplow.iglu.repositories.base import (
    CLASS_PRIORITY_EMBEDDED,
    ListResult,
    LookupResult,
    NotFound,
    RepoFailure,
    safe_parts,
)

__all__ = ["DirectoryRepository"]


class DirectoryRepository:
    """Schemas read from a directory tree in Iglu registry layout (never retried)."""

    class_priority = CLASS_PRIORITY_EMBEDDED
    remote = False

    def __init__(
        self,
        root: Traversable,
        *,
        name: str,
        priority: int = 0,
        vendor_prefixes: tuple[str, ...] = (),
    ) -> None:
        schemas = root / "schemas"
        self._schemas: Traversable = schemas if schemas.is_dir() else root
        self.name = name
        self.priority = priority
        self.vendor_prefixes = tuple(vendor_prefixes)

    @property
    def location(self) -> Traversable:
        """The folder holding ``<vendor>/<name>/<format>/<version>`` files."""
        return self._schemas

    def lookup(self, key: SchemaKey) -> LookupResult:
        if not safe_parts(key.vendor, key.name, key.format):
            return NotFound()
        entry = self._schemas / key.vendor / key.name / key.format / str(key.version)
        try:
            if not entry.is_file():
                return NotFound()
            raw = entry.read_bytes()
        except OSError as exc:
            return RepoFailure(f"cannot read {key.to_path()} in {self.name}: {exc}")
        try:
            value: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return RepoFailure(f"{key.to_path()} in {self.name} is not valid JSON: {exc}")
        if not isinstance(value, dict):
            return RepoFailure(f"{key.to_path()} in {self.name} is not a JSON object")
        return value

    def list(self, vendor: str, name: str, model: int) -> ListResult:
        if not safe_parts(vendor, name):
            return NotFound()
        folder = self._schemas / vendor / name / "jsonschema"
        try:
            if not folder.is_dir():
                return NotFound()
            names = [child.name for child in folder.iterdir() if child.is_file()]
        except OSError as exc:
            return RepoFailure(f"cannot list {vendor}/{name} in {self.name}: {exc}")
        keys: set[SchemaKey] = set()
        for entry_name in names:
            version = SchemaVer.parse(entry_name)
            if isinstance(version, IgluParseError) or version.model != model:
                continue
            keys.add(SchemaKey(vendor, name, "jsonschema", version))
        return tuple(sorted(keys)) if keys else NotFound()
