"""The repository contract: look a schema up by key, list a schema's versions.

A lookup answers with the schema JSON object, :class:`NotFound` (the registry does not have it)
or :class:`RepoFailure` (the registry could not be asked or answered nonsense). Both error
values encode with msgspec exactly as Snowplow's registry errors: ``{"error": "NotFound"}`` and
``{"error": "RepoFailure", "message": "..."}``. Repositories never raise for I/O problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import msgspec

from pyplow.iglu.key import SchemaKey

__all__ = [
    "CLASS_PRIORITY_EMBEDDED",
    "CLASS_PRIORITY_HTTP",
    "ClientFailure",
    "ListResult",
    "LookupResult",
    "NotFound",
    "RegistryError",
    "RepoFailure",
    "Repository",
    "parse_schema_list",
    "safe_parts",
]

#: Repository class priorities: embedded/local registries are asked before HTTP ones.
CLASS_PRIORITY_EMBEDDED = 2
CLASS_PRIORITY_HTTP = 100


class NotFound(msgspec.Struct, frozen=True, tag_field="error", tag="NotFound"):
    """The registry answered and does not hold the schema."""


class RepoFailure(msgspec.Struct, frozen=True, tag_field="error", tag="RepoFailure"):
    """The registry could not be reached or gave an unusable answer."""

    message: str


class ClientFailure(msgspec.Struct, frozen=True, tag_field="error", tag="ClientFailure"):
    """A failure inside the client itself (kept for decoding Snowplow's error JSON)."""

    message: str


RegistryError = NotFound | RepoFailure | ClientFailure
LookupResult = dict[str, Any] | NotFound | RepoFailure
ListResult = tuple[SchemaKey, ...] | NotFound | RepoFailure


@runtime_checkable
class Repository(Protocol):
    """A source of schemas; ``remote`` repositories have their failures retried."""

    @property
    def name(self) -> str: ...

    @property
    def priority(self) -> int: ...

    @property
    def vendor_prefixes(self) -> tuple[str, ...]: ...

    @property
    def class_priority(self) -> int: ...

    @property
    def remote(self) -> bool: ...

    def lookup(self, key: SchemaKey) -> LookupResult:
        """The schema JSON object for ``key``, or why it is not available."""
        ...

    def list(self, vendor: str, name: str, model: int) -> ListResult:
        """All ``jsonschema`` versions of ``vendor/name`` with this model, sorted ascending."""
        ...


def safe_parts(*parts: str) -> bool:
    """Whether path segments are usable as file/URL segments (no ``.``/``..``/separators)."""
    return all(p and p not in (".", "..") and "/" not in p and "\\" not in p for p in parts)


def parse_schema_list(value: Any, vendor: str, name: str, model: int) -> ListResult:
    """Read an Iglu Server schema list (a JSON array of Iglu URIs) for one model."""
    if not isinstance(value, list):
        return RepoFailure(f"schema list for {vendor}/{name} model {model} is not a JSON array")
    keys: list[SchemaKey] = []
    for item in value:
        uri = item.get("uri") if isinstance(item, Mapping) else item
        key = SchemaKey.parse(uri) if isinstance(uri, str) else None
        if not isinstance(key, SchemaKey):
            return RepoFailure(f"schema list for {vendor}/{name} holds a non-Iglu URI: {item!r}")
        if key.vendor == vendor and key.name == name and key.version.model == model:
            keys.append(key)
    return tuple(sorted(keys))
