"""Enrich settings (``[enrich]`` of a TOML file, or ``PYPLOW_ENRICH__…`` variables), and
building an engine from them.

``enrichments`` is a directory of Snowplow enrichment configurations (unchanged); without it the
default set runs (``pyplow.enrich.loading.DEFAULT_CONFIGS``, documented in docs/enrich.md).
``resolver`` is a Snowplow Iglu resolver configuration file; without it pyplow's embedded
registry and Iglu Central are used.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.engine import Engine, EngineSettings
from pyplow.enrich.loading import DEFAULT_CONFIGS, build_enrichments, load_directory
from pyplow.iglu import ConfigError, Resolver, Validator, default_config, parse_resolver_config
from pyplow.streams.settings import (
    NatsSinkSettings,
    NatsSourceSettings,
    SinkSettings,
    SourceSettings,
)

__all__ = ["EnrichConfig", "build_engine", "load_resolver"]


class EnrichConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Everything ``pyplow enrich`` needs (stream mode reads ``source``, writes ``good`` and
    ``bad``; batch mode uses only the engine settings)."""

    enrichments: str | None = None
    resolver: str | None = None
    v_etl: str | None = None
    max_record_bytes: int = 1_000_000
    accept_invalid: bool = False
    #: Records taken from the source at a time (acknowledged together).
    batch_records: int = 500
    source: SourceSettings = NatsSourceSettings(durable="enrich")
    good: SinkSettings = NatsSinkSettings()
    bad: SinkSettings = NatsSinkSettings()
    #: A failing sink is retried with exponential backoff up to this delay.
    retry_max_seconds: float = 10.0
    #: Beyond Snowplow: the order of steps (built-in steps and enrichment names; see
    #: ``pyplow.enrich.registry.ORDER`` for Snowplow's, the default).
    order: tuple[str, ...] | None = None


def load_resolver(path: str | None) -> Resolver:
    """The Iglu resolver of a Snowplow resolver file, or the default one."""
    if path is None:
        return Resolver.from_config(default_config())
    try:
        value = msgspec.json.decode(Path(path).read_bytes())
    except OSError as exc:
        raise EnrichmentConfigError(f"cannot read resolver file {path}: {exc.strerror}") from None
    except msgspec.DecodeError as exc:
        raise EnrichmentConfigError(f"resolver file {path} is not valid JSON: {exc}") from None
    parsed = parse_resolver_config(value)
    if isinstance(parsed, ConfigError):
        raise EnrichmentConfigError(f"resolver file {path}: {parsed.path}: {parsed.message}")
    return Resolver.from_config(parsed)


def build_engine(config: EnrichConfig) -> Engine:
    """An engine with the configured enrichments, resolver and output settings."""
    validator = Validator(load_resolver(config.resolver))
    if config.enrichments is None:
        enrichments = build_enrichments(
            [("defaults", c) for c in DEFAULT_CONFIGS], validator, trusted=True
        )
    else:
        enrichments = build_enrichments(load_directory(Path(config.enrichments)), validator)
    settings = EngineSettings(
        max_record_bytes=config.max_record_bytes, accept_invalid=config.accept_invalid
    )
    if config.v_etl:
        settings = msgspec.structs.replace(settings, v_etl=config.v_etl)
    return Engine(enrichments, validator, settings=settings, order=config.order)
