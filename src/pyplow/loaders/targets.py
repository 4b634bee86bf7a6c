"""Building a loader by target name; each target's library is imported only when chosen."""

from __future__ import annotations

from pyplow.iglu import Resolver
from pyplow.loaders.base import Loader, TerminalLoadError

__all__ = ["TARGETS", "build_loader"]

TARGETS = ("duckdb", "postgres", "parquet")


def build_loader(
    target: str,
    *,
    path: str | None = None,
    dsn: str | None = None,
    resolver: Resolver | None = None,
) -> Loader:
    """A loader for ``target``: DuckDB and Parquet need ``path``, PostgreSQL ``dsn``; the
    resolver types the columns of self-describing data (default: embedded + Iglu Central)."""
    resolver = resolver or Resolver.default()
    try:
        if target == "duckdb":
            from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader

            return DuckDBLoader(DuckDBConfig(path=_need(path, "--path", target)), resolver)
        if target == "postgres":
            from pyplow.loaders.postgres import PostgresConfig, PostgresLoader

            return PostgresLoader(PostgresConfig(dsn=_need(dsn, "--dsn", target)), resolver)
        if target == "parquet":
            from pyplow.loaders.parquet import ParquetConfig, ParquetLoader

            return ParquetLoader(
                ParquetConfig(path=_need(path, "--path", target)), resolver=resolver
            )
    except ImportError as exc:
        raise TerminalLoadError(
            f"the {target} target needs extra libraries ({exc.name}): "
            f"pip install 'pyplow[{'s3' if target == 'parquet' else target}]'"
        ) from None
    raise TerminalLoadError(f"unknown target {target!r}; expected one of {', '.join(TARGETS)}")


def _need(value: str | None, option: str, target: str) -> str:
    if not value:
        raise TerminalLoadError(f"the {target} target needs {option}")
    return value
