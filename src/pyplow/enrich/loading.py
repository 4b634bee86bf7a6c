"""Reading enrichment configurations: Snowplow's files, unchanged.

A configuration directory holds one self-describing JSON file per enrichment, as Snowplow users
have them (``anon_ip.json``, ``ip_lookups.json``, …). ``${NAME}`` placeholders are replaced by
environment variables first (Snowplow reads these files as HOCON, which allows that). Each file
is validated against its Iglu schema, the implementation is picked by the schema's name and
checked against the versions it supports, and disabled enrichments are skipped. Anything wrong
is an ``EnrichmentConfigError`` naming the file: the command exits with status 2 before
processing a single event.

Beyond Snowplow: a file may also hold a JSON array of configurations, and the same enrichment
may appear several times (each instance runs, in file-name order, at the enrichment's place in
the order). ``DEFAULT_CONFIGS`` is what runs when no directory is given (see docs/enrich.md).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from pyplow.enrich.context import Enrichment, EnrichmentConfig, EnrichmentConfigError
from pyplow.enrich.registry import implementation
from pyplow.iglu import IgluParseError, SelfDescribingData, Validated, Validator

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_CONFIGS", "build_enrichments", "load_directory"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

_SP = "iglu:com.snowplowanalytics.snowplow"

#: The enrichments that run with no configuration: sound defaults that need no account, no
#: download and no personal data handling decisions.
DEFAULT_CONFIGS: tuple[dict[str, Any], ...] = (
    {
        "schema": f"{_SP}/ua_parser_config/jsonschema/1-0-0",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow",
            "name": "ua_parser_config",
            "enabled": True,
            "parameters": {},
        },
    },
    {
        "schema": f"{_SP}/referer_parser/jsonschema/2-0-0",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow",
            "name": "referer_parser",
            "enabled": True,
            "parameters": {"internalDomains": []},
        },
    },
    {
        "schema": f"{_SP}/campaign_attribution/jsonschema/1-0-1",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow",
            "name": "campaign_attribution",
            "enabled": True,
            "parameters": {
                "mapping": "static",
                "fields": {
                    "mktMedium": ["utm_medium"],
                    "mktSource": ["utm_source"],
                    "mktTerm": ["utm_term"],
                    "mktContent": ["utm_content"],
                    "mktCampaign": ["utm_campaign"],
                },
            },
        },
    },
    {
        "schema": f"{_SP}/event_fingerprint_config/jsonschema/1-0-1",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow",
            "name": "event_fingerprint_config",
            "enabled": True,
            "parameters": {
                "excludeParameters": ["cv", "eid", "nuid", "stm"],
                "hashAlgorithm": "MD5",
            },
        },
    },
    {
        "schema": "iglu:com.snowplowanalytics.snowplow.enrichments/"
        "iab_spiders_and_robots_enrichment/jsonschema/1-0-1",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow.enrichments",
            "name": "iab_spiders_and_robots_enrichment",
            "enabled": True,
            "parameters": {},
        },
    },
)


def load_directory(path: Path, env: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """(file name, decoded JSON) of every ``*.json`` file of ``path``, in name order."""
    if not path.is_dir():
        raise EnrichmentConfigError(f"enrichments directory {path} does not exist")
    environment = os.environ if env is None else env
    documents: list[tuple[str, Any]] = []
    for file in sorted(path.glob("*.json")):
        text = file.read_text(encoding="utf-8")

        def substitute(match: re.Match[str], file: Path = file) -> str:
            name = match.group(1)
            if name not in environment:
                raise EnrichmentConfigError(
                    f"{file.name}: ${{{name}}} is not set in the environment"
                )
            return environment[name]

        text = _PLACEHOLDER.sub(substitute, text)
        try:
            value = msgspec.json.decode(text)
        except msgspec.DecodeError as exc:
            raise EnrichmentConfigError(f"{file.name} is not valid JSON: {exc}") from None
        documents.extend(
            (file.name, item) for item in (value if isinstance(value, list) else [value])
        )
    return documents


def build_enrichments(
    documents: Iterable[tuple[str, Any]], validator: Validator, *, trusted: bool = False
) -> list[Enrichment]:
    """The enabled enrichments of ``documents`` ((source name, self-describing JSON) pairs).

    ``trusted`` skips the Iglu validation of the configurations; only for pyplow's own
    ``DEFAULT_CONFIGS``, which use pyplow's extensions (the IAB enrichment without IAB files
    falls back to an open crawler list, which Snowplow's schema does not allow).
    """
    built: list[Enrichment] = []
    for source, document in documents:
        enrichment = _build(source, document, validator, trusted)
        if enrichment is not None:
            built.append(enrichment)
    return built


def _build(source: str, document: Any, validator: Validator, trusted: bool) -> Enrichment | None:
    parsed = SelfDescribingData.parse(document)
    if isinstance(parsed, IgluParseError):
        raise EnrichmentConfigError(f"{source}: not a self-describing JSON: {parsed.message}")
    key = parsed.schema
    result = None if trusted else validator.validate(parsed)
    if result is not None and not isinstance(result, Validated):
        raise EnrichmentConfigError(
            f"{source}: invalid against {key.to_uri()}: {_describe(result)}"
        )
    data = parsed.data
    if not isinstance(data, Mapping):
        raise EnrichmentConfigError(f"{source}: 'data' must be a JSON object")
    config = EnrichmentConfig(schema=key, data=data)
    if not config.enabled:
        log.info("%s: %s is disabled", source, key.name)
        return None
    cls = implementation(key.name)
    if cls is None:
        log.warning("%s: no enrichment is named %s; ignored (as Snowplow does)", source, key.name)
        return None
    if not any(c.matches(key) for c in cls.criteria):
        supported = ", ".join(c.to_uri() for c in cls.criteria)
        raise EnrichmentConfigError(
            f"{source}: {key.to_uri()} is not a supported version (supported: {supported})"
        )
    try:
        return cls(config)
    except EnrichmentConfigError as exc:
        raise EnrichmentConfigError(f"{source}: {key.name}: {exc}") from None


def _describe(error: Any) -> str:
    reports = getattr(error, "data_reports", None) or getattr(error, "schema_issues", None)
    if reports:
        return "; ".join(r.message for r in reports)
    return msgspec.json.encode(error).decode()
