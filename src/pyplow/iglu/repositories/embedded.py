"""Embedded registries: pyplow's built-in schemas and Snowplow-style ``embedded`` connections.

pyplow ships a registry inside the package (``pyplow/iglu/registry/schemas/...``), read with
:mod:`importlib.resources`. As Snowplow's client bundles its own embedded repository, the
resolver always consults this one first. A config's ``{"embedded": {"path": P}}`` means the
directory ``P`` when it exists on disk; otherwise (e.g. a JVM classpath folder such as
``/iglu-embedded``) it means the built-in registry.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from pyplow.iglu.repositories.directory import DirectoryRepository

__all__ = [
    "BUILTIN_REPOSITORY_NAME",
    "builtin_registry_root",
    "builtin_repository",
    "embedded_repository",
]

#: The name the built-in registry reports in lookup histories (as Snowplow's bundled one).
BUILTIN_REPOSITORY_NAME = "Iglu Client Embedded"


def builtin_registry_root() -> Traversable:
    """The package folder holding pyplow's built-in ``schemas/`` tree."""
    return files("pyplow.iglu") / "registry"


def builtin_repository() -> DirectoryRepository:
    """pyplow's own registry, with priority 0 and no vendor prefixes."""
    return DirectoryRepository(builtin_registry_root(), name=BUILTIN_REPOSITORY_NAME)


def embedded_repository(
    path: str, *, name: str, priority: int, vendor_prefixes: tuple[str, ...]
) -> DirectoryRepository | None:
    """The on-disk directory ``path`` as a repository, or None when it means the built-in one."""
    folder = Path(path)
    if not folder.is_dir():
        return None
    return DirectoryRepository(
        folder, name=name, priority=priority, vendor_prefixes=vendor_prefixes
    )
