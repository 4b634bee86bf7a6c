"""``PostgresLoader``: enriched events into PostgreSQL, one transaction per batch.

The loader keeps one connection. Each ``load``:

- connects if needed (a failed connection is a :class:`~pyplow.loaders.base.TransientLoadError`);
- opens a transaction and takes an advisory lock on the target schema, so two loaders on the
  same schema take turns (deduplication and migrations see each other's commits);
- creates ``events`` and ``bad_rows`` the first time, then lets
  :class:`~pyplow.loaders.postgres.batch.BatchWriter` deduplicate, shred, migrate and COPY;
- commits, and only then updates its cache of table layouts.

``load_lines`` (file loads, :mod:`pyplow.loaders.bulk`) does the same for a chunk of enriched
TSV lines, staged in an in-memory DuckDB and written by
:mod:`~pyplow.loaders.postgres.columnar`.

Any failure rolls the whole transaction back, so a retry starts from a clean slate. Connection
loss, timeouts, serialization failures and a duplicate key raised by a concurrent writer are
transient (the connection is dropped and re-opened on the next call); other database errors
(permissions, a missing database) are terminal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pyplow import __version__, badrows
from pyplow.iglu import Resolver
from pyplow.loaders.base import (
    LoadBatch,
    Loader,
    LoadError,
    LoadResult,
    TerminalLoadError,
    TransientLoadError,
)
from pyplow.loaders.bulk.staging import StagingArea
from pyplow.loaders.postgres.batch import BatchOutcome, BatchWriter, SchemaCache
from pyplow.loaders.postgres.config import PostgresConfig
from pyplow.loaders.postgres.ddl import EVENTS_TABLE, bad_rows_ddl, events_ddl
from pyplow.loaders.postgres.identifiers import qualified
from pyplow.loaders.postgres.migrations import TableState
from pyplow.loaders.postgres.stored import stored_fingerprints
from pyplow.loaders.runner import split_rows

if TYPE_CHECKING:
    import psycopg

    from pyplow.loaders.bulk.chunks import Prepared
    from pyplow.loaders.bulk.run import LinesResult

__all__ = ["ARTIFACT", "PostgresLoader"]

ARTIFACT = "pyplow-loader-postgres"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PostgresLoader(Loader):
    """Loads batches into ``<schema>.events``, shredded tables and ``<schema>.bad_rows``."""

    name: ClassVar[str] = "postgres"
    #: Streamed batches of this many rows or more load columnar (measured crossover, see
    #: docs/loaders.md).
    columnar_from = 10_000

    def __init__(
        self,
        config: PostgresConfig,
        resolver: Resolver | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if config.redshift:
            raise ValueError(
                "redshift=True only selects Redshift DDL (see pyplow.loaders.postgres.ddl); "
                "the loader needs PostgreSQL's COPY FROM STDIN, which Redshift lacks"
            )
        self._config = config
        self._schemas = SchemaCache(resolver if resolver is not None else Resolver.default())
        self._clock = clock
        self._conn: psycopg.Connection[Any] | None = None
        self._tables: dict[str, TableState] = {}
        self._ready = False
        self._processor = badrows.Processor(ARTIFACT, __version__)
        self._staging = StagingArea("pyplow-postgres-")  # for the columnar path

    @property
    def config(self) -> PostgresConfig:
        return self._config

    def _connection(self) -> psycopg.Connection[Any]:
        import psycopg

        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        self._forget()
        cfg = self._config
        options = (
            f"-c statement_timeout={cfg.statement_timeout_ms} -c lock_timeout={cfg.lock_timeout_ms}"
        )
        conn = psycopg.connect(
            cfg.dsn,
            autocommit=True,
            connect_timeout=cfg.connect_timeout,
            application_name=cfg.application_name,
            options=options,
        )
        self._conn = conn
        return conn

    def _forget(self) -> None:
        """Drop cached knowledge of the database (after a rollback or a new connection)."""
        self._tables.clear()
        self._ready = False

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def load(self, batch: LoadBatch) -> LoadResult:
        """Store ``batch`` in one transaction (see the module docstring)."""
        if not batch.events and not batch.bad_rows:
            return LoadResult()
        return self._transaction(lambda _cur, writer: writer.write(batch.events, batch.bad_rows))

    def load_lines(self, lines: list[bytes], prepared: Prepared | None = None) -> LinesResult:
        """Store a chunk of enriched TSV lines as one batch, columnar when DuckDB can stage
        it (:mod:`~pyplow.loaders.postgres.columnar`); the same result as ``load`` of the
        decoded lines."""
        from pyplow.loaders.bulk.run import LinesResult

        parsing_errors = 0

        def work(cur: psycopg.Cursor[Any], writer: BatchWriter) -> BatchOutcome:
            nonlocal parsing_errors
            from pyplow.loaders.postgres.columnar import write_staged

            table = qualified(self._config.schema, EVENTS_TABLE)
            with self._staging.staged(  # a DuckDB failure rolls the batch back, terminal
                "postgres",
                lines,
                layout=None,
                stored=lambda ids: stored_fingerprints(cur, table, ids.to_pylist(), {}),
                fresh_ids=True,
                load_tstamp=writer.load_tstamp,
                prepared=prepared,
            ) as (con, staged):
                if staged is not None:
                    parsing_errors = len(staged.bad)
                    return write_staged(con, staged, lines, writer, cur, self._config.schema)
            events, failed = split_rows(lines)
            parsing_errors = len(failed)
            return writer.write(events, failed)

        if not lines:
            return LinesResult(LoadResult())
        result = self._transaction(work)
        return LinesResult(result, parsing_errors)

    def _transaction(
        self, work: Callable[[psycopg.Cursor[Any], BatchWriter], BatchOutcome]
    ) -> LoadResult:
        """Run ``work`` in one transaction holding the schema's advisory lock."""
        import psycopg

        schema = self._config.schema
        try:
            conn = self._connection()
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
                if not self._ready:
                    cur.execute((events_ddl(schema) + bad_rows_ddl(schema)).encode())
                writer = BatchWriter(
                    cur,
                    schema=schema,
                    schemas=self._schemas,
                    tables=self._tables,
                    processor=self._processor,
                    load_tstamp=self._clock(),
                )
                outcome = work(cur, writer)
        except psycopg.Error as exc:
            self._forget()
            error = _classify(exc)
            if isinstance(error, TransientLoadError):
                self._drop_connection()
            raise error from exc
        except LoadError:
            self._forget()
            raise
        self._ready = True
        self._tables.update(outcome.tables)
        return LoadResult(
            loaded=outcome.loaded,
            duplicates_skipped=outcome.skipped,
            duplicates_flagged=outcome.flagged,
            bad_rows_stored=outcome.bad_rows_stored,
            bad=outcome.bad,
        )

    def close(self) -> None:
        """Close the connection (a later ``load`` opens a new one) and the staging database."""
        self._drop_connection()
        self._forget()
        self._staging.close()


def _classify(exc: Exception) -> LoadError:
    import psycopg
    from psycopg import errors

    detail = f"{type(exc).__name__}: {exc}".strip()
    transient = (
        psycopg.OperationalError,  # connection lost/refused, admin shutdown, timeouts, deadlocks
        psycopg.InterfaceError,  # the connection was already closed
        errors.UniqueViolation,  # a concurrent writer stored the same event_id first
        errors.LockNotAvailable,
        errors.QueryCanceled,
    )
    if isinstance(exc, transient):
        return TransientLoadError(f"PostgreSQL unavailable, retry later ({detail})")
    return TerminalLoadError(f"PostgreSQL refused the batch ({detail})")
