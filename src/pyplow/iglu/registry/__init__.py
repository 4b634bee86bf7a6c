"""pyplow's embedded Iglu registry: the JSON Schemas pyplow needs, shipped inside the package.

The folder ``schemas/`` is laid out like a static Iglu registry::

    schemas/<vendor>/<name>/jsonschema/<MODEL-REVISION-ADDITION>

Each file has no extension and holds one self-describing JSON Schema (draft-04 plus a
``self`` block naming vendor, name, format and version). Because the layout matches what an
Iglu resolver expects from an embedded repository, the folder can be used as one directly,
or served over HTTP as a static registry.

The set covers what a Snowplow-compatible pipeline needs to work offline: the
self-describing metaschema, the tracker envelopes (``payload_data``, ``contexts``,
``unstruct_event``), the ``atomic`` field limits, the standard tracker events and entities,
the entities that enrichments derive, every enrichment configuration, the Iglu resolver
configuration and all bad-row types. ``README.md`` next to this file lists them.

The schemas were written for pyplow: validation keywords and limits are identical to the
public Iglu Central versions, while formatting and descriptions are our own.

This module only locates the files; reading, caching and validating belong to the resolver.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import NamedTuple

__all__ = ["EmbeddedSchemaKey", "iter_schema_keys", "registry_root", "schema_resource"]

_SCHEMAS_DIR = "schemas"
_VERSION = re.compile(r"^[0-9]+-[0-9]+-[0-9]+$")


class EmbeddedSchemaKey(NamedTuple):
    """Where one embedded schema lives: vendor, name, format and ``M-R-A`` version."""

    vendor: str
    name: str
    format: str
    version: str

    def as_uri(self) -> str:
        """The key as an ``iglu:`` URI, e.g. ``iglu:com.acme/thing/jsonschema/1-0-0``."""
        return f"iglu:{self.vendor}/{self.name}/{self.format}/{self.version}"

    def as_path(self) -> str:
        """The key as a path relative to :func:`registry_root`."""
        return f"{self.vendor}/{self.name}/{self.format}/{self.version}"


def registry_root() -> Traversable:
    """The ``schemas/`` folder of the embedded registry, as an ``importlib.resources`` object.

    Works the same whether pyplow is installed from a wheel, a zip or a source checkout.
    """
    return files(__name__).joinpath(_SCHEMAS_DIR)


def schema_resource(
    vendor: str, name: str, version: str, format: str = "jsonschema"
) -> Traversable | None:
    """The file holding one schema, or ``None`` when the registry does not ship it.

    Path parts are checked so that a key can never point outside ``schemas/``.
    """
    parts = (vendor, name, format, version)
    if any(not part or part in {".", ".."} or "/" in part or "\\" in part for part in parts):
        return None
    resource = registry_root().joinpath(*parts)
    return resource if resource.is_file() else None


def iter_schema_keys() -> Iterator[EmbeddedSchemaKey]:
    """Every schema shipped, sorted by vendor, name and format, then numerically by version."""
    root = registry_root()
    for vendor in sorted(root.iterdir(), key=lambda t: t.name):
        if not vendor.is_dir():
            continue
        for name in sorted(vendor.iterdir(), key=lambda t: t.name):
            if not name.is_dir():
                continue
            for fmt in sorted(name.iterdir(), key=lambda t: t.name):
                if not fmt.is_dir():
                    continue
                versions = [v.name for v in fmt.iterdir() if v.is_file() and _VERSION.match(v.name)]
                for version in sorted(versions, key=_version_order):
                    yield EmbeddedSchemaKey(vendor.name, name.name, fmt.name, version)


def _version_order(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("-"))
