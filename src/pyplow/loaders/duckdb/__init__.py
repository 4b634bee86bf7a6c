"""The DuckDB loader (the ``duckdb`` extra).

``DuckDBConfig`` is importable without DuckDB or pyarrow; ``DuckDBLoader`` imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyplow.loaders.duckdb.config import DuckDBConfig

if TYPE_CHECKING:
    from pyplow.loaders.duckdb.loader import DuckDBLoader

__all__ = ["DuckDBConfig", "DuckDBLoader"]


def __getattr__(name: str) -> Any:
    if name == "DuckDBLoader":
        from pyplow.loaders.duckdb.loader import DuckDBLoader

        return DuckDBLoader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
