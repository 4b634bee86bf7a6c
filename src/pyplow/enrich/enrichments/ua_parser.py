"""UA parser (``ua_parser_config`` 1-0-*): the ``ua_parser_context`` entity.

The user agent is split with uap-core rules through the ``ua-parser`` package and its Rust
accelerator (``ua-parser[regex]``; install ``pyplow[enrich]``). The bundled rules are used
unless the 1-0-1 configuration names a custom ``regexes.yaml`` with ``parameters.uri`` and
``parameters.database`` (reading YAML needs PyYAML).

The entity ``com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0`` has Snowplow's
twelve keys in Snowplow's order: ``useragentFamily`` / ``Major`` / ``Minor`` / ``Patch``,
``useragentVersion`` (family, then `` major``, ``.minor``, ``.patch`` when present),
``osFamily`` / ``Major`` / ``Minor`` / ``Patch`` / ``PatchMinor``, ``osVersion`` (built the same
way) and ``deviceFamily``; unknown families are ``Other`` and absent parts null. Events without
a ``useragent`` get nothing. Entities are cached per user agent (LRU, 5,000 like Snowplow's).

The results follow the uap-core rules of the installed ``ua-parser-builtins``; Snowplow's
uap-java bundles its own copy, so family spellings can differ where the rules changed (e.g.
current rules give ``Windows`` / major ``XP`` where old ones gave ``Windows XP``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar, Final

from pyplow.enrich.assets import resolve_asset
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.event.entities import Entity

__all__ = ["UA_PARSER_SCHEMA", "UaParser", "ua_parser_data"]

UA_PARSER_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0"

_CACHE_SIZE: Final = 5000
_OTHER: Final = "Other"


def _version(family: str, major: str | None, *rest: str | None) -> str:
    text = family + (" " + major if major is not None else "")
    for part in rest:
        if part is not None:
            text += "." + part
    return text


def ua_parser_data(result: Any) -> dict[str, Any]:
    """The ``ua_parser_context`` data of one ``ua_parser.Result``."""
    agent, os, device = result.user_agent, result.os, result.device
    ua_family = agent.family if agent is not None else _OTHER
    ua_major = agent.major if agent is not None else None
    ua_minor = agent.minor if agent is not None else None
    ua_patch = agent.patch if agent is not None else None
    os_family = os.family if os is not None else _OTHER
    os_major = os.major if os is not None else None
    os_minor = os.minor if os is not None else None
    os_patch = os.patch if os is not None else None
    os_patch_minor = os.patch_minor if os is not None else None
    return {
        "useragentFamily": ua_family,
        "useragentMajor": ua_major,
        "useragentMinor": ua_minor,
        "useragentPatch": ua_patch,
        "useragentVersion": _version(ua_family, ua_major, ua_minor, ua_patch),
        "osFamily": os_family,
        "osMajor": os_major,
        "osMinor": os_minor,
        "osPatch": os_patch,
        "osPatchMinor": os_patch_minor,
        "osVersion": _version(os_family, os_major, os_minor, os_patch, os_patch_minor),
        "deviceFamily": device.family if device is not None else _OTHER,
    }


def build_parser(rules_file: str | None) -> Any:
    """A ``ua_parser.Parser`` on the bundled rules or on a custom ``regexes.yaml``."""
    try:
        from ua_parser import Parser, loaders, regex
    except ImportError:
        raise EnrichmentConfigError(
            "the ua-parser package with its Rust accelerator is missing: install pyplow[enrich]"
        ) from None
    if rules_file is None:
        return Parser(regex.Resolver(loaders.load_builtins()))
    if loaders.load_yaml is None:
        raise EnrichmentConfigError(
            "a custom regexes.yaml needs PyYAML: install pyplow[enrich] (ua-parser[yaml])"
        )
    try:
        matchers = loaders.load_yaml(rules_file)
        return Parser(regex.Resolver(matchers))
    except Exception as exc:  # any YAML, key or regex error of the user's file
        raise EnrichmentConfigError(
            f"parameters.database: {rules_file} is not a usable uap-core regexes.yaml: {exc}"
        ) from None


class UaParser(Enrichment):
    """Derives ``ua_parser_context`` from ``useragent``."""

    schema_name: ClassVar[str] = "ua_parser_config"
    criteria = (criterion("iglu:com.snowplowanalytics.snowplow/ua_parser_config/jsonschema/1-0-*"),)
    identifier: ClassVar[str] = "ua-parser"
    trusted_output = True  # fixed shape; the schema has no length limits

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters = config.parameters
        rules: str | None = None
        if parameters.get("uri") is not None:
            rules = str(resolve_asset(parameters, "parameters (custom ua-parser rules)"))
        parser = build_parser(rules)

        @lru_cache(maxsize=_CACHE_SIZE)
        def data(useragent: str) -> dict[str, Any]:
            return ua_parser_data(parser.parse(useragent))

        self._data = data

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        useragent = event.fields.get("useragent")
        if not isinstance(useragent, str):
            return None
        try:
            # a copy per event: later enrichments may edit entity data in place
            return [Entity(UA_PARSER_SCHEMA, dict(self._data(useragent)))]
        except Exception as exc:  # the parser is third-party code: never let it escape
            return EnrichmentError(f"could not parse useragent {useragent!r}: {exc}")
