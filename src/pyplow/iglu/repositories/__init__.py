"""Where schemas come from: the repository contract and its implementations."""

from pyplow.iglu.repositories.base import (
    CLASS_PRIORITY_EMBEDDED,
    CLASS_PRIORITY_HTTP,
    ClientFailure,
    ListResult,
    LookupResult,
    NotFound,
    RegistryError,
    RepoFailure,
    Repository,
)
from pyplow.iglu.repositories.directory import DirectoryRepository
from pyplow.iglu.repositories.embedded import (
    BUILTIN_REPOSITORY_NAME,
    builtin_repository,
    embedded_repository,
)
from pyplow.iglu.repositories.http import HttpRepository, HttpTimeouts

__all__ = [
    "BUILTIN_REPOSITORY_NAME",
    "CLASS_PRIORITY_EMBEDDED",
    "CLASS_PRIORITY_HTTP",
    "ClientFailure",
    "DirectoryRepository",
    "HttpRepository",
    "HttpTimeouts",
    "ListResult",
    "LookupResult",
    "NotFound",
    "RegistryError",
    "RepoFailure",
    "Repository",
    "builtin_repository",
    "embedded_repository",
]
