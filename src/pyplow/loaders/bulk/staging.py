"""Where a loader without a DuckDB database of its own stages chunks: an in-memory DuckDB
and a scratch folder, each made the first time it is needed and removed by ``close``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["StagingArea"]


class StagingArea:
    """An in-memory DuckDB connection and a scratch folder (named ``prefix…``), made lazily."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._con: Any = None
        self._folder: Path | None = None

    def duckdb(self) -> Any:
        """The connection (``duckdb`` is imported only now)."""
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
        return self._con

    def scratch(self) -> Path:
        """The scratch folder."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix=self._prefix))
        return self._folder

    def close(self) -> None:
        """Close the connection and delete the folder (a later use makes new ones)."""
        con, self._con = self._con, None
        if con is not None:
            con.close()
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
