"""Where a loader without a DuckDB database of its own stages chunks: an in-memory DuckDB
and a scratch folder, each made the first time it is needed and removed by ``close``."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyplow.loaders.base import TerminalLoadError

if TYPE_CHECKING:
    from pyplow.loaders.bulk.engine import Staged

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

    @contextlib.contextmanager
    def staged(
        self, target: str, lines: list[bytes], **options: Any
    ) -> Iterator[tuple[Any, Staged | None]]:
        """The connection and :func:`~pyplow.loaders.bulk.engine.stage` of ``lines`` here
        (``options`` as ``stage`` takes them, but the scratch folder), for the block inside.

        A DuckDB failure, staging or in the block (a bug, or memory exhausted), comes out as
        a :class:`~pyplow.loaders.base.TerminalLoadError` naming ``target``; the staging
        tables are dropped on the way out."""
        import duckdb

        from pyplow.loaders.bulk.engine import drop_staging, stage

        con = self.duckdb()
        staged = None
        try:
            staged = stage(con, lines, scratch=self.scratch(), **options)
            yield con, staged
        except duckdb.Error as exc:
            raise TerminalLoadError(f"{target}: staging a batch failed: {exc}") from exc
        finally:
            with contextlib.suppress(duckdb.Error):
                drop_staging(con, staged)

    def close(self) -> None:
        """Close the connection and delete the folder (a later use makes new ones)."""
        con, self._con = self._con, None
        if con is not None:
            con.close()
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
