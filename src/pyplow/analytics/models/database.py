"""The databases the data models and the dashboard read: DuckDB and PostgreSQL.

:class:`Database` is the small surface both need: run a statement, fetch rows, look up a
table's columns, and group statements in one transaction. SQL is written once, in the subset
DuckDB and PostgreSQL share; parameters are written ``?`` (PostgreSQL gets ``%s``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

__all__ = ["Database", "DuckDBDatabase", "PostgresDatabase", "open_database"]

Dialect = Literal["duckdb", "postgres"]


class Database:
    """A connection to the warehouse, used from one thread at a time (a lock enforces it)."""

    dialect: Dialect

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock:
            self._execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._query(sql, params)

    def columns(self, schema: str, table: str) -> list[str]:
        """The columns of ``schema.table`` in table order; empty when the table is absent."""
        rows = self.query(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        )
        return [str(r[0]) for r in rows]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._execute("begin", ())
            try:
                yield
            except BaseException:
                self._execute("rollback", ())
                raise
            self._execute("commit", ())

    def close(self) -> None:
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        raise NotImplementedError

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError


class DuckDBDatabase(Database):
    """A DuckDB database file, or a cursor on a connection another component owns
    (the embedded pipeline's loader): ``close`` then closes only the cursor."""

    dialect: Dialect = "duckdb"

    def __init__(self, path: str | None = None, *, connection: Any = None) -> None:
        super().__init__()
        import duckdb

        if connection is not None:
            self._con = connection.cursor()
        elif path is not None:
            self._con = duckdb.connect(path)
        else:
            raise ValueError("DuckDBDatabase needs a path or a connection")

    def cursor(self) -> DuckDBDatabase:
        """Another connection to the same database, for use in another thread."""
        return DuckDBDatabase(connection=self._con)

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        self._con.execute(sql, list(params) if params else None)

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._con.execute(
            sql, list(params) if params else None
        ).fetchall()
        return rows

    def close(self) -> None:
        self._con.close()


_LITERAL_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")


def _to_psycopg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` and ``%`` as ``%%``; string literals, where
    ``?`` is a character, keep their question marks."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token.replace("%", "%%")

    return _LITERAL_OR_MARK.sub(swap, sql)


class PostgresDatabase(Database):
    """A PostgreSQL database through psycopg 3, autocommit outside :meth:`transaction`."""

    dialect: Dialect = "postgres"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        import psycopg

        self._con = psycopg.connect(dsn, autocommit=True)

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        if params:
            self._con.execute(_to_psycopg(sql), list(params))
        else:
            self._con.execute(sql)

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if params:
            cursor = self._con.execute(_to_psycopg(sql), list(params))
        else:
            cursor = self._con.execute(sql)
        return list(cursor.fetchall())

    def close(self) -> None:
        self._con.close()


def open_database(target: str, *, path: str | None = None, dsn: str | None = None) -> Database:
    """A :class:`Database` for ``target`` (``duckdb`` with ``path``, ``postgres`` with ``dsn``)."""
    if target == "duckdb":
        if not path:
            raise ValueError("the duckdb target needs --path (the database file)")
        return DuckDBDatabase(path)
    if target == "postgres":
        if not dsn:
            raise ValueError("the postgres target needs --dsn")
        return PostgresDatabase(dsn)
    raise ValueError(f"unknown target {target!r}: expected duckdb or postgres")
