"""Iglu for pyplow: schema keys, self-describing JSON, the resolver, validation and linting.

Typical use::

    resolver = Resolver.from_config(config)          # or Resolver.default()
    validator = Validator(resolver)
    sdd = SelfDescribingData.parse(json_value)       # SelfDescribingData | IgluParseError
    result = validator.validate(sdd)                 # Validated | ValidationError | ResolutionError

Error values encode with ``msgspec.json.encode`` exactly as Snowplow's Iglu client errors.
"""

from pyplow.iglu.cache import TtlLruCache
from pyplow.iglu.config import (
    IGLU_CENTRAL_URI,
    ConfigError,
    EmbeddedConnection,
    HttpConnection,
    RepositoryConfig,
    ResolverConfig,
    config_to_json,
    default_config,
    parse_resolver_config,
)
from pyplow.iglu.formats import FORMAT_CHECKERS
from pyplow.iglu.key import IgluParseError, ParseErrorCode, SchemaCriterion, SchemaKey, SchemaVer
from pyplow.iglu.lint import LintIssue, has_errors, lint_directory
from pyplow.iglu.reports import DataReport, SchemaIssue, ValidationError, json_path
from pyplow.iglu.repositories import (
    BUILTIN_REPOSITORY_NAME,
    DirectoryRepository,
    HttpRepository,
    HttpTimeouts,
    NotFound,
    RegistryError,
    RepoFailure,
    Repository,
    builtin_repository,
)
from pyplow.iglu.resolver import LookupHistory, ResolutionError, Resolved, Resolver
from pyplow.iglu.selfdescribing import (
    SELF_DESC_METASCHEMA,
    SelfDescribingData,
    SelfDescribingSchema,
    superseded_by,
)
from pyplow.iglu.validation import Validated, ValidationResult, Validator, check_schema

#: Iglu client errors as they appear inside Snowplow ``IgluError`` failures.
IgluError = ResolutionError | ValidationError

__all__ = [
    "BUILTIN_REPOSITORY_NAME",
    "FORMAT_CHECKERS",
    "IGLU_CENTRAL_URI",
    "SELF_DESC_METASCHEMA",
    "ConfigError",
    "DataReport",
    "DirectoryRepository",
    "EmbeddedConnection",
    "HttpConnection",
    "HttpRepository",
    "HttpTimeouts",
    "IgluError",
    "IgluParseError",
    "LintIssue",
    "LookupHistory",
    "NotFound",
    "ParseErrorCode",
    "RegistryError",
    "RepoFailure",
    "Repository",
    "RepositoryConfig",
    "ResolutionError",
    "Resolved",
    "Resolver",
    "ResolverConfig",
    "SchemaCriterion",
    "SchemaIssue",
    "SchemaKey",
    "SchemaVer",
    "SelfDescribingData",
    "SelfDescribingSchema",
    "TtlLruCache",
    "Validated",
    "ValidationError",
    "ValidationResult",
    "Validator",
    "builtin_repository",
    "check_schema",
    "config_to_json",
    "default_config",
    "has_errors",
    "json_path",
    "lint_directory",
    "parse_resolver_config",
    "superseded_by",
]
