"""``ParquetLoader``: enriched events as wide rows in Hive-partitioned Parquet files.

How a batch becomes durable (the trade-off): Parquet files cannot be appended to, and writing
complete files at every ``load`` gives many small files. So ``load`` commits the batch's rows
to a local write-ahead spool (a SQLite file, synced to disk, see
:mod:`~pyplow.loaders.parquet.spool`) together with its deduplication index entries, in one
transaction, and returns: from then on a crash loses nothing, and the runner may acknowledge
its input. Each partition's spooled rows become one Parquet file (a *roll*) when they reach
``max_file_bytes`` or are ``max_file_seconds`` old; rolls are checked after every ``load``, by
:meth:`ParquetLoader.flush`, and all partitions are rolled by :meth:`ParquetLoader.close`. The
cost: rows reach the dataset up to ``max_file_seconds`` after ``load`` returns, and until then
they live on the loader's local disk (a lost disk loses them; ``max_file_seconds=0`` writes
files at every ``load`` and keeps the spool only as a journal).

Failures: a roll that fails (filesystem away) stays pending in the spool and is retried
before the next batch is accepted; while it keeps failing ``load`` raises
:class:`~pyplow.loaders.base.TransientLoadError` without storing anything, so an outage
applies back-pressure instead of filling the local disk. Rolls are idempotent (files named
after the roll, written atomically, skipped when already present), so retries publish every
row exactly once.

Deduplication: the spool remembers each stored ``(event_id, event_fingerprint)`` for
``dedup_retention_seconds``; :func:`~pyplow.loaders.dedup.deduplicate` decides with it. The
pair recorded for a flagged event is its original id, so a redelivered batch that contained
one is recognised too.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pyplow import __version__, badrows
from pyplow.event import EnrichedEvent, to_lossless_json
from pyplow.loaders.base import (
    LoadBatch,
    Loader,
    LoadError,
    LoadResult,
    TerminalLoadError,
    TransientLoadError,
)
from pyplow.loaders.bulk.staging import StagingArea
from pyplow.loaders.dedup import deduplicate
from pyplow.loaders.parquet import arrowio
from pyplow.loaders.parquet._deps import require
from pyplow.loaders.parquet.config import ParquetConfig
from pyplow.loaders.parquet.layout import file_name, target_dir
from pyplow.loaders.parquet.segments import segments
from pyplow.loaders.parquet.spool import PendingRoll, Spool
from pyplow.loaders.parquet.target import Target

if TYPE_CHECKING:
    from pyplow.iglu import Resolver
    from pyplow.loaders.bulk.chunks import Prepared
    from pyplow.loaders.bulk.engine import Families, Staged
    from pyplow.loaders.bulk.run import LinesResult
    from pyplow.loaders.wide import WideLayout

__all__ = ["ParquetLoader"]

log = logging.getLogger(__name__)

T = TypeVar("T")

PROCESSOR = badrows.Processor("pyplow-loader-parquet", __version__)

#: How often (at most) expired deduplication entries are purged.
_PURGE_EVERY_SECONDS = 60.0
#: Threads that encode segments and write the files of rolls (Arrow releases the GIL).
_WORKERS = 2


class ParquetLoader(Loader):
    """Loads into the Parquet dataset of ``config`` (see the module documentation)."""

    name = "parquet"
    #: Streamed batches of this many rows or more load columnar (measured crossover, see
    #: docs/loaders.md).
    columnar_from = 3_000

    def __init__(
        self,
        config: ParquetConfig,
        *,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``resolver`` gives the JSON schemas that type the wide columns (default:
        ``Resolver.default()``, the embedded registry then Iglu Central)."""
        from pyplow.iglu import Resolver
        from pyplow.loaders.wide import WideLayout

        self.config = config
        self._clock = clock
        self._resolver = resolver if resolver is not None else Resolver.default()
        self._lock = threading.RLock()
        self._last_purge = float("-inf")
        self._closed = False
        self._staging = StagingArea("pyplow-parquet-")
        self._families: Families | None = None
        self._workers: ThreadPoolExecutor | None = None
        scratch_parent = self._spool_dir(config)
        self.target = Target(config.path, config.storage_options, scratch_parent / "scratch")
        if config.spool_dir is None and not self.target.local:
            raise TerminalLoadError(
                f"ParquetConfig.spool_dir is not set for the remote path {config.path!r}; "
                "expected a local folder for the spool"
            )
        try:
            self.spool = Spool(scratch_parent / "spool.sqlite3")
        except (OSError, sqlite3.Error) as exc:
            raise TerminalLoadError(f"cannot open the spool in {scratch_parent}: {exc}") from exc
        #: Rolls found pending (from an earlier run or a failure): their files may exist.
        self._recovering = {roll.id for roll in self.spool.pending_rolls()}
        self._layout: WideLayout = WideLayout(
            self._resolver, processor=PROCESSOR, known=self.spool.known_columns()
        )

    @staticmethod
    def _spool_dir(config: ParquetConfig) -> Path:
        if config.spool_dir is not None:
            return Path(config.spool_dir)
        fsspec_core = require("fsspec.core")
        _, local_root = fsspec_core.url_to_fs(config.path, **config.storage_options)
        return Path(local_root) / "_spool"

    # -- the contract ----------------------------------------------------------------------

    def load(self, batch: LoadBatch) -> LoadResult:
        with self._lock:
            if self._closed:
                raise TerminalLoadError("the Parquet loader is closed")
            self._finish_pending()
            now = self._clock()
            self._purge(now)
            load_tstamp = datetime.fromtimestamp(now, UTC)
            result = self._spool_batch(batch, now, load_tstamp)
            try:
                self._roll(now, force=False)
            except LoadError as exc:
                log.warning("parquet: rolling files failed (%s); retried before the next load", exc)
            return result

    def load_lines(self, lines: list[bytes], prepared: Prepared | None = None) -> LinesResult:
        """Load a chunk of enriched TSV lines as one batch, columnar (see
        :mod:`pyplow.loaders.bulk`); the same result as ``load`` of the decoded lines."""
        from pyplow.loaders.bulk.run import LinesResult
        from pyplow.loaders.runner import split_rows

        with self._lock:
            if self._closed:
                raise TerminalLoadError("the Parquet loader is closed")
            self._finish_pending()
            now = self._clock()
            self._purge(now)
            load_tstamp = datetime.fromtimestamp(now, UTC)
            with self._staging.staged(
                "parquet",
                lines,
                layout=self._layout,
                stored=lambda ids: self.spool.stored(ids.to_pylist()),
                fresh_ids=False,
                load_tstamp=load_tstamp,
                hint=self._families,
                prepared=prepared,
                seen=True,
            ) as (con, staged):
                if staged is not None:
                    fast = con.sql(_by_hour(staged.fast_sql)).to_arrow_table()
            if staged is not None:
                result = self._spool_staged(staged, fast, now, load_tstamp)
                self._families = staged.families
                try:
                    self._roll(now, force=False)
                except LoadError as exc:
                    log.warning("parquet: rolling files failed (%s); retried later", exc)
                return LinesResult(result, len(staged.bad))
        events, failed = split_rows(lines)
        return LinesResult(self.load(LoadBatch(events=events, bad_rows=failed)), len(failed))

    def _pool(self) -> ThreadPoolExecutor:
        if self._workers is None:
            self._workers = ThreadPoolExecutor(_WORKERS, thread_name_prefix="pyplow-parquet")
        return self._workers

    def _spool_staged(
        self, staged: Staged, fast: Any, now: float, load_tstamp: datetime
    ) -> LoadResult:
        pa = require("pyarrow")
        columns = self._layout.columns_for(staged.slow, also=staged.also)
        wide = self._layout.to_arrow(staged.slow, load_tstamp, also=staged.also)
        table = pa.concat_tables([fast.cast(wide.table.schema), wide.table])
        parts = segments(table, staged.bad, load_tstamp, self._pool())
        known = {c.name: c.schema_key.to_uri() for c in columns}
        self._spool_write(lambda: self.spool.commit(parts, staged.seen, now, known))
        self._layout.accept(columns)
        return LoadResult(
            loaded=table.num_rows,
            duplicates_skipped=staged.skipped,
            duplicates_flagged=staged.flagged,
            bad_rows_stored=len(staged.bad),
            bad=list(wide.bad),
        )

    def flush(self, *, force: bool = False) -> int:
        """Roll partitions that are due (all of them with ``force``); how many files written.

        Raises ``TransientLoadError`` when the filesystem fails (the rows stay spooled)."""
        with self._lock:
            written = self._finish_pending()
            return written + self._roll(self._clock(), force=force)

    def close(self) -> None:
        """Roll every partition and close the spool. If the filesystem fails, the rows stay
        in the spool and are written by the next loader opened on it."""
        with self._lock:
            if self._closed:
                return
            try:
                self.flush(force=True)
            except LoadError as exc:
                log.warning("parquet: could not write the last files (%s); they stay spooled", exc)
            finally:
                self._closed = True
                self.spool.close()
                self._staging.close()
                if self._workers is not None:
                    self._workers.shutdown()

    # -- spooling --------------------------------------------------------------------------

    def _spool_batch(self, batch: LoadBatch, now: float, load_tstamp: datetime) -> LoadResult:
        keyed: list[EnrichedEvent] = []
        bad: list[bytes] = []
        for event in batch.events:
            if event.collector_tstamp is None or not event.event_id:
                bad.append(_runtime_error(event, "collector_tstamp and event_id are required"))
            else:
                keyed.append(event)
        stored = self.spool.stored(e.event_id or "" for e in keyed)
        decided = deduplicate(keyed, stored)
        columns = self._layout.columns_for(decided.events)
        wide = self._layout.to_arrow(decided.events, load_tstamp)
        table = wide.table
        bad.extend(wide.bad)
        parts = segments(table, batch.bad_rows, load_tstamp, self._pool())
        seen: dict[str, set[str | None]] = {}
        for event in keyed:
            seen.setdefault(event.event_id or "", set()).add(event.event_fingerprint)
        known = {c.name: c.schema_key.to_uri() for c in columns}
        self._spool_write(lambda: self.spool.commit(parts, seen, now, known))
        self._layout.accept(columns)
        return LoadResult(
            loaded=table.num_rows,
            duplicates_skipped=decided.skipped,
            duplicates_flagged=decided.flagged,
            bad_rows_stored=len(batch.bad_rows),
            bad=bad,
        )

    def _spool_write(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except sqlite3.OperationalError as exc:  # disk full, I/O error, locked
            raise TransientLoadError(f"writing the spool failed: {exc}") from exc
        except sqlite3.DatabaseError as exc:  # a corrupt spool file
            raise TerminalLoadError(f"the spool is unusable: {exc}") from exc

    def _purge(self, now: float) -> None:
        if now - self._last_purge < _PURGE_EVERY_SECONDS:
            return
        before = now - self.config.dedup_retention_seconds
        self._spool_write(lambda: self.spool.purge_seen(before))
        self._last_purge = now

    # -- rolling ---------------------------------------------------------------------------

    def _roll(self, now: float, *, force: bool) -> int:
        due = [
            PendingRoll(str(uuid.uuid4()), part.kind, part.partition)
            for part in self.spool.open_partitions()
            if force
            or part.bytes >= self.config.max_file_bytes
            or now - part.oldest >= self.config.max_file_seconds
        ]
        if not due:
            return 0
        tied = self._spool_write(lambda: self.spool.begin_rolls(due, now))
        return self._complete([roll for roll in due if roll.id in tied])

    def _finish_pending(self) -> int:
        rolls = self.spool.pending_rolls()
        self._recovering.update(roll.id for roll in rolls)
        return self._complete(rolls)

    def _complete(self, rolls: Sequence[PendingRoll]) -> int:
        """Write the files of ``rolls`` (those not already there; several rolls at a time),
        then forget the rolls written, in one spool transaction (also when another fails:
        the first failure is raised once the rolls under way are done, and the rolls not
        started stay pending)."""
        futures = [self._pool().submit(self._write_roll, roll) for roll in rolls]
        written = 0
        done: list[str] = []
        failure: BaseException | None = None
        for roll, future in zip(rolls, futures, strict=True):
            try:
                written += future.result()
                done.append(roll.id)
            except BaseException as exc:  # raised below, once the others are done
                if failure is None:
                    failure = exc
                    for later in futures:
                        later.cancel()
        if failure is not None:
            if isinstance(failure, Exception):
                with contextlib.suppress(LoadError):  # they are redone, their files skipped
                    self._forget(done)
            raise failure
        self._forget(done)
        return written

    def _forget(self, roll_ids: list[str]) -> None:
        if roll_ids:
            self._spool_write(lambda: self.spool.finish_roll(*roll_ids))
            self._recovering.difference_update(roll_ids)

    def _write_roll(self, roll: PendingRoll) -> int:
        """Write the files of a roll that are not already there; how many."""
        tables = [arrowio.from_ipc(data) for data in self.spool.roll_segments(roll.id)]
        directory = target_dir(
            self.target.root, roll.kind, roll.partition, self.config.bad_rows_dir
        )
        recovering = roll.id in self._recovering
        written = 0
        for index, table in enumerate(arrowio.merge(tables)):
            name = file_name(roll.id, index)
            if recovering and self.target.exists(f"{directory}/{name}"):
                continue
            self.target.publish(directory, name, _writer(table, self.config))
            written += 1
        return written


def _writer(table: Any, config: ParquetConfig) -> Callable[[Any], None]:
    return lambda file: arrowio.write_parquet(table, file, config)


def _runtime_error(event: EnrichedEvent, failure: str) -> bytes:
    payload = to_lossless_json(event)
    return badrows.encode(
        badrows.LoaderRuntimeError(processor=PROCESSOR, failure=failure, payload=payload)
    )


def _by_hour(fast_sql: str) -> str:
    """The rows of ``fast_sql`` in partition order, then input order: the table then splits
    into partitions without a copy (see :func:`~pyplow.loaders.parquet.segments.by_partition`)
    and its rows keep their input order in the files."""
    return f"{fast_sql} ORDER BY date_trunc('hour', collector_tstamp), __row"
