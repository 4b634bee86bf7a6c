"""Fixtures of the source tests: the same events as TSV, DuckDB and Parquet sources.

Fixture names start with ``sdk_`` so they cannot clash with those of other test packages.
"""

from __future__ import annotations

import pytest

from pyplow.event import EnrichedEvent
from pyplow.iglu import Resolver

from ..sdk_data import events, load_duckdb, load_parquet, resolver, write_tsv


@pytest.fixture(scope="session")
def sdk_resolver(tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    return resolver(tmp_path_factory.mktemp("sdk-iglu"))


@pytest.fixture(scope="session")
def sdk_events() -> list[EnrichedEvent]:
    return events()


@pytest.fixture(scope="session")
def sdk_sources(
    tmp_path_factory: pytest.TempPathFactory,
    sdk_resolver: Resolver,
    sdk_events: list[EnrichedEvent],
) -> dict[str, str]:
    """Kind → location of the twelve events in a TSV folder, a DuckDB file, a Parquet root."""
    root = tmp_path_factory.mktemp("sdk-sources")
    half = len(sdk_events) // 2
    tsv = root / "out"
    write_tsv(tsv / "enriched" / "part-2.tsv", sdk_events[half:])
    write_tsv(tsv / "enriched" / "part-1.tsv", sdk_events[:half])
    duckdb = load_duckdb(root / "events.duckdb", sdk_events, sdk_resolver)
    parquet = load_parquet(root / "lake", sdk_events, sdk_resolver)
    return {"tsv": str(tsv), "duckdb": str(duckdb), "parquet": str(parquet)}
