"""The DuckDB loader: enriched events into a wide-row ``atomic.events``, bad rows alongside.

One connection per loader and a lock around :meth:`DuckDBLoader.load`. Each batch is one
transaction: look up which of the batch's ``event_id`` are stored (a semi-join against the
batch's ids registered as an Arrow table), deduplicate, add or widen the wide columns the batch
needs (``ALTER TABLE``; the column comment records the newest schema revision the type covers,
so a restarted loader knows its columns), insert the events with ``INSERT ... BY NAME`` from an
Arrow table, insert the bad rows, commit. Any error rolls everything back, including DDL.

Timestamps are stored as ``TIMESTAMP`` holding UTC (no session time zone is involved).
Loader bad rows (events that cannot be stored) are returned in ``LoadResult.bad``, not stored
here: the runner routes them like any other bad row.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]

from pyplow.badrows import LoaderRuntimeError, Processor, encode
from pyplow.event import EnrichedEvent, missing_required, to_lossless_json
from pyplow.iglu import Resolver
from pyplow.loaders.base import (
    LoadBatch,
    Loader,
    LoadResult,
    TerminalLoadError,
    TransientLoadError,
)
from pyplow.loaders.dedup import deduplicate, lookup_ids
from pyplow.loaders.duckdb.badrows import bad_rows_arrow
from pyplow.loaders.duckdb.config import DuckDBConfig
from pyplow.loaders.duckdb.ddl import (
    bad_rows_table_sql,
    duckdb_type,
    events_table_sql,
    quote,
)
from pyplow.loaders.runner import split_rows
from pyplow.loaders.wide import DEFAULT_PROCESSOR, WideColumn, WideLayout

if TYPE_CHECKING:
    from pyplow.loaders.bulk.chunks import Prepared
    from pyplow.loaders.bulk.engine import Families, Staged
    from pyplow.loaders.bulk.run import LinesResult

__all__ = ["DuckDBLoader"]

_BATCH_VIEW = "__pyplow_batch"
_IDS_VIEW = "__pyplow_ids"
_BAD_VIEW = "__pyplow_bad"
_FAST_TABLE = "__pyplow_fast"


def _naive_timestamps(table: pa.Table) -> pa.Table:
    """``table`` with UTC timestamp columns as naive timestamps (same instants)."""
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


class DuckDBLoader(Loader):
    """Loads batches into one DuckDB database; safe to call from several threads."""

    name = "duckdb"
    #: Streamed batches of this many rows or more load columnar (measured crossover, see
    #: docs/loaders.md).
    columnar_from = 2_000

    def __init__(
        self,
        config: DuckDBConfig,
        resolver: Resolver,
        *,
        processor: Processor = DEFAULT_PROCESSOR,
        clock: Any = None,
    ) -> None:
        import duckdb

        self._duckdb = duckdb
        self._config = config
        self._processor = processor
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._scratch_dir: Path | None = None
        self._families: Families | None = None
        self._events = f"{quote(config.schema)}.{quote(config.events_table)}"
        self._bad_rows = f"{quote(config.schema)}.{quote(config.bad_rows_table)}"
        try:
            self._con = duckdb.connect(config.path)
            if config.threads is not None:
                self._con.execute(f"SET threads = {int(config.threads)}")
            self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(config.schema)}")
            self._con.execute(events_table_sql(self._events))
            self._con.execute(bad_rows_table_sql(self._bad_rows))
            known = self._known_columns()
        except duckdb.Error as exc:
            raise self._error(exc, "opening") from exc
        self._resolver = resolver
        self._layout = WideLayout(resolver, processor=processor, known=known)

    @property
    def connection(self) -> Any:
        """The DuckDB connection (for queries; do not use it while a load runs)."""
        return self._con

    @property
    def layout(self) -> WideLayout:
        return self._layout

    def _known_columns(self) -> dict[str, str]:
        rows = self._con.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? AND comment LIKE 'iglu:%'",
            [self._config.schema, self._config.events_table],
        ).fetchall()
        return dict(rows)

    def _error(self, exc: Exception, doing: str) -> TransientLoadError | TerminalLoadError:
        d = self._duckdb
        transient = (d.IOException, d.TransactionException, d.InterruptException)
        message = f"DuckDB {self._config.path!r}: {doing} failed: {exc}"
        if isinstance(exc, transient):
            return TransientLoadError(message)
        return TerminalLoadError(message)

    def close(self) -> None:
        with self._lock:
            self._con.close()
            if self._scratch_dir is not None:
                shutil.rmtree(self._scratch_dir, ignore_errors=True)
                self._scratch_dir = None

    @contextlib.contextmanager
    def _failures_rolled_back(self) -> Iterator[None]:
        """Any failure inside rolls the open transaction back; DuckDB's errors come out as
        transient or terminal load errors."""
        try:
            yield
        except self._duckdb.Error as exc:
            self._rollback()
            raise self._error(exc, "loading a batch") from exc
        except BaseException:
            self._rollback()
            raise

    @contextlib.contextmanager
    def _unordered(self) -> Iterator[None]:
        """Inserts inside may store rows in any order.

        With insertion order kept, a large insert in DuckDB 2.0 here either wrote its rows to
        disk twice (the second time at the next checkpoint: about 5 s per 245,760 rows, paid
        at close) or took twice as long; without it, and from a table (see _load_staged),
        the rows are written once. Rows of a batch have no order anyway (queries order by
        ``collector_tstamp``), and the setting is put back for the connection's other
        queries. Enter it before :meth:`_failures_rolled_back`, which rolls a failed batch
        back first.
        """
        try:
            self._con.execute("SET preserve_insertion_order = false")
        except self._duckdb.Error as exc:
            raise self._error(exc, "loading a batch") from exc
        try:
            yield
        finally:
            # after the rollback (an aborted transaction refuses every statement but
            # ROLLBACK), and never in place of the error that ended the batch
            with contextlib.suppress(self._duckdb.Error):
                self._con.execute("RESET preserve_insertion_order")

    def load(self, batch: LoadBatch) -> LoadResult:
        with self._lock:
            load_tstamp = self._clock()
            with self._unordered(), self._failures_rolled_back():
                self._con.execute("BEGIN TRANSACTION")
                result, columns = self._load(batch, load_tstamp)
                self._con.execute("COMMIT")
            self._layout.accept(columns)
            return result

    def load_lines(self, lines: list[bytes], prepared: Prepared | None = None) -> LinesResult:
        """Load a chunk of enriched TSV lines as one batch, columnar (see
        :mod:`pyplow.loaders.bulk`); the same result as ``load`` of the decoded lines."""
        from pyplow.loaders.bulk.engine import drop_staging, stage
        from pyplow.loaders.bulk.run import LinesResult

        with self._lock:
            load_tstamp = self._clock()
            staged: Staged | None = None
            try:
                with self._failures_rolled_back():
                    staged = stage(
                        self._con,
                        lines,
                        self._layout,
                        self._stored_ids,
                        fresh_ids=True,
                        load_tstamp=load_tstamp,
                        hint=self._families,
                        prepared=prepared,
                        scratch=self._scratch(),
                    )
                if staged is not None:
                    with self._unordered(), self._failures_rolled_back():
                        self._con.execute("BEGIN TRANSACTION")
                        result, columns = self._load_staged(staged, load_tstamp)
                        self._con.execute("COMMIT")
            finally:
                with contextlib.suppress(self._duckdb.Error):
                    drop_staging(self._con, staged)
            if staged is not None:
                self._layout.accept(columns)
                self._families = staged.families
                return LinesResult(result, len(staged.bad))
        events, failed = split_rows(lines)
        return LinesResult(self.load(LoadBatch(events=events, bad_rows=failed)), len(failed))

    def _scratch(self) -> Path:
        if self._scratch_dir is None:
            self._scratch_dir = Path(tempfile.mkdtemp(prefix="pyplow-load-"))
        return self._scratch_dir

    def _load_staged(
        self, staged: Staged, load_tstamp: datetime
    ) -> tuple[LoadResult, list[WideColumn]]:
        result = LoadResult(duplicates_skipped=staged.skipped, duplicates_flagged=staged.flagged)
        columns = self._layout.columns_for(staged.slow, also=staged.also)
        for column in columns:
            self._apply(column)
        if staged.fast_rows:
            # Built in a temp table first: inserted straight from the staging query (a scan
            # of the chunk's Arrow table), even unordered, the rows were written twice.
            self._con.execute(f"CREATE OR REPLACE TEMP TABLE {_FAST_TABLE} AS {staged.fast_sql}")
            self._con.execute(f"INSERT INTO {self._events} BY NAME SELECT * FROM {_FAST_TABLE}")
            self._con.execute(f"DROP TABLE {_FAST_TABLE}")
        wide = self._layout.to_arrow(staged.slow, load_tstamp, also=staged.also)
        result.bad.extend(wide.bad)
        if wide.table.num_rows:
            self._con.register(_BATCH_VIEW, _naive_timestamps(wide.table))
            self._con.execute(f"INSERT INTO {self._events} BY NAME SELECT * FROM {_BATCH_VIEW}")
            self._con.unregister(_BATCH_VIEW)
        result.loaded = staged.fast_rows + wide.table.num_rows
        result.bad_rows_stored = self._insert_bad_rows(staged.bad, load_tstamp)
        return result, columns

    def _stored_ids(self, ids: Any) -> dict[str, set[str | None]]:
        self._con.register(_IDS_VIEW, pa.table({"event_id": ids}))
        rows = self._con.execute(
            f"SELECT event_id, event_fingerprint FROM {self._events} "
            f"WHERE event_id IN (SELECT event_id FROM {_IDS_VIEW})"
        ).fetchall()
        self._con.unregister(_IDS_VIEW)
        stored: dict[str, set[str | None]] = {}
        for event_id, fingerprint in rows:
            stored.setdefault(event_id, set()).add(fingerprint)
        return stored

    def _rollback(self) -> None:
        # no transaction may be open (it failed to start) or the connection may be gone
        with contextlib.suppress(self._duckdb.Error):
            self._con.execute("ROLLBACK")
        for view in (_BATCH_VIEW, _IDS_VIEW, _BAD_VIEW):
            with contextlib.suppress(self._duckdb.Error):
                self._con.unregister(view)

    def _load(self, batch: LoadBatch, load_tstamp: datetime) -> tuple[LoadResult, list[WideColumn]]:
        result = LoadResult()
        events: list[EnrichedEvent] = []
        for event in batch.events:
            missing = missing_required(event)
            if missing:
                result.bad.append(self._runtime_bad_row(event, missing))
            else:
                events.append(event)
        dedup = deduplicate(events, self._stored(events))
        result.duplicates_skipped, result.duplicates_flagged = dedup.skipped, dedup.flagged
        columns = self._layout.columns_for(dedup.events)
        for column in columns:
            self._apply(column)
        wide = self._layout.to_arrow(dedup.events, load_tstamp)
        result.bad.extend(wide.bad)
        if wide.table.num_rows:
            self._con.register(_BATCH_VIEW, _naive_timestamps(wide.table))
            self._con.execute(f"INSERT INTO {self._events} BY NAME SELECT * FROM {_BATCH_VIEW}")
            self._con.unregister(_BATCH_VIEW)
        result.loaded = wide.table.num_rows
        result.bad_rows_stored = self._insert_bad_rows(batch.bad_rows, load_tstamp)
        return result, columns

    def _stored(self, events: Sequence[EnrichedEvent]) -> dict[str, set[str | None]]:
        ids = pa.array(lookup_ids(events), pa.string())
        return self._stored_ids(ids) if len(ids) else {}

    def _apply(self, column: WideColumn) -> None:
        name, sql_type = quote(column.name), duckdb_type(column.type)
        if column.previous is None:
            self._con.execute(f"ALTER TABLE {self._events} ADD COLUMN {name} {sql_type}")
        else:  # DuckDB casts structs by field name: new fields are NULL in existing rows
            self._con.execute(f"ALTER TABLE {self._events} ALTER COLUMN {name} TYPE {sql_type}")
        uri = column.schema_key.to_uri().replace("'", "''")
        self._con.execute(f"COMMENT ON COLUMN {self._events}.{name} IS '{uri}'")

    def _insert_bad_rows(self, documents: Sequence[bytes], load_tstamp: datetime) -> int:
        if not documents:
            return 0
        self._con.register(_BAD_VIEW, bad_rows_arrow(documents, load_tstamp))
        before = self._count_bad_rows()
        self._con.execute(
            f"INSERT INTO {self._bad_rows} BY NAME SELECT DISTINCT ON (row_id) * FROM {_BAD_VIEW} "
            f"WHERE row_id NOT IN (SELECT row_id FROM {self._bad_rows})"
        )
        self._con.unregister(_BAD_VIEW)
        return self._count_bad_rows() - before

    def _count_bad_rows(self) -> int:
        row = self._con.execute(f"SELECT count(*) FROM {self._bad_rows}").fetchone()
        return int(row[0]) if row else 0

    def _runtime_bad_row(self, event: EnrichedEvent, missing: tuple[str, ...]) -> bytes:
        failure = f"required fields missing: {', '.join(missing)} (expected non-empty values)"
        return encode(LoaderRuntimeError(self._processor, failure, to_lossless_json(event)))
