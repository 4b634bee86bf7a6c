"""The example configurations parse into valid settings (they must not rot)."""

from __future__ import annotations

from pathlib import Path

from pyplow.cli.load import LoadConfig
from pyplow.collector.config import CollectorConfig
from pyplow.config import load
from pyplow.enrich.config import EnrichConfig
from pyplow.streams.settings import NatsSinkSettings, NatsSourceSettings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_collector_example() -> None:
    config = load(CollectorConfig, EXAMPLES / "collector.toml", env={}, section="collector")
    assert config.workers == 2


def test_distributed_examples_join_up() -> None:
    folder = EXAMPLES / "distributed"
    collector = load(CollectorConfig, folder / "collector.toml", env={}, section="collector")
    enrich = load(EnrichConfig, folder / "enrich.toml", env={}, section="enrich")
    loader = load(LoadConfig, folder / "load.toml", env={}, section="load")
    assert isinstance(collector.good, NatsSinkSettings)
    assert isinstance(enrich.source, NatsSourceSettings)
    assert isinstance(enrich.good, NatsSinkSettings)
    assert isinstance(loader.enriched, NatsSourceSettings)
    assert collector.good.stream == enrich.source.stream  # raw records reach enrich
    assert enrich.good.stream == loader.enriched.stream  # enriched rows reach the loader
    assert loader.target == "postgres"
