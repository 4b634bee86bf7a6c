"""SQL helpers of the SQL query enrichment: statements, column names, values, connections.

- ``translate_placeholders``: Snowplow writes JDBC statements with ``?`` placeholders; the
  Python drivers (psycopg, PyMySQL) take ``%s``. ``?`` outside quotes and comments becomes
  ``%s`` and a literal ``%`` becomes ``%%``; the count of placeholders is returned too.
- ``rename``: Snowplow's ``propertyNames`` transforms of column names.
- ``to_json``: a column value as JSON (numbers, booleans, strings; ISO-8601 text for dates and
  times; JSON columns as they are).
- ``Database``: one connection to PostgreSQL (psycopg 3) or MySQL/MariaDB (PyMySQL), opened on
  first use and re-opened once when a query fails on a broken connection.
"""

from __future__ import annotations

import base64
import contextlib
import math
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from pyplow.enrich.context import EnrichmentConfigError

__all__ = ["NAMINGS", "Database", "rename", "to_json", "translate_placeholders"]


def translate_placeholders(sql: str) -> tuple[str, int]:
    """``sql`` with ``?`` → ``%s`` and ``%`` → ``%%`` outside literals; and the ``?`` count."""
    out: list[str] = []
    count = 0
    i, end = 0, len(sql)
    while i < end:
        ch = sql[i]
        if ch in "'\"`":
            close = sql.find(ch, i + 1)
            while close != -1 and close + 1 < end and sql[close + 1] == ch:
                close = sql.find(ch, close + 2)  # a doubled quote inside the literal
            stop = end if close == -1 else close + 1
            out.append(sql[i:stop].replace("%", "%%"))
            i = stop
            continue
        if sql.startswith("--", i):
            stop = sql.find("\n", i)
            stop = end if stop == -1 else stop
            out.append(sql[i:stop].replace("%", "%%"))
            i = stop
            continue
        if sql.startswith("/*", i):
            stop = sql.find("*/", i + 2)
            stop = end if stop == -1 else stop + 2
            out.append(sql[i:stop].replace("%", "%%"))
            i = stop
            continue
        if ch == "?":
            out.append("%s")
            count += 1
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
        i += 1
    return "".join(out), count


_SNAKE_TO_CAMEL: Final = re.compile(r"_([a-z0-9])")
_CAMEL_SPLIT_1: Final = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_SPLIT_2: Final = re.compile(r"([a-z0-9])([A-Z])")


def _camel(name: str) -> str:
    return _SNAKE_TO_CAMEL.sub(lambda m: m.group(1).upper(), name)


def _pascal(name: str) -> str:
    camel = _camel(name)
    return camel[:1].upper() + camel[1:]


def _snake(name: str) -> str:
    name = _CAMEL_SPLIT_1.sub(r"\1_\2", name)
    return _CAMEL_SPLIT_2.sub(r"\1_\2", name).replace("-", "_").lower()


#: ``propertyNames`` values → column-name transforms.
NAMINGS: Final[dict[str, Callable[[str], str]]] = {
    "AS_IS": lambda name: name,
    "CAMEL_CASE": _camel,
    "PASCAL_CASE": _pascal,
    "SNAKE_CASE": _snake,
    "LOWER_CASE": str.lower,
    "UPPER_CASE": str.upper,
}


def rename(naming: str, name: str) -> str:
    """Column ``name`` under the ``naming`` transform (one of :data:`NAMINGS`)."""
    return NAMINGS[naming](name)


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_json(value: Any) -> Any:
    """A database value as a JSON value (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


class Database:
    """One lazily opened connection; ``query`` runs a statement and returns names and rows."""

    def __init__(self, engine: str, settings: Mapping[str, Any]) -> None:
        self.engine = engine
        what = f"sql_query: database.{engine}"
        for key in ("host", "username", "database"):
            if not isinstance(settings.get(key), str) or not settings[key]:
                raise EnrichmentConfigError(f"{what}.{key} must be a non-empty string")
        port = settings.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise EnrichmentConfigError(f"{what}.port must be an integer 1..65535, got {port!r}")
        password = settings.get("password", "")
        if not isinstance(password, str):
            raise EnrichmentConfigError(f"{what}.password must be a string")
        self._settings = dict(settings)
        self._ssl = bool(settings.get("sslMode", False))
        self._module = self._load_driver(engine)
        self._connection: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def _load_driver(engine: str) -> Any:
        try:
            if engine == "postgresql":
                import psycopg

                return psycopg
            import pymysql  # type: ignore[import-untyped]

            return pymysql
        except ImportError:
            package = "psycopg" if engine == "postgresql" else "PyMySQL"
            raise EnrichmentConfigError(
                f"sql_query: the {engine} driver needs the '{package}' package; "
                "install pyplow[enrich]"
            ) from None

    def _connect(self) -> Any:
        s = self._settings
        if self.engine == "postgresql":
            return self._module.connect(
                host=s["host"],
                port=s["port"],
                user=s["username"],
                password=s.get("password", ""),
                dbname=s["database"],
                sslmode="require" if self._ssl else "prefer",
                connect_timeout=10,
                autocommit=True,
            )
        return self._module.connect(
            host=s["host"],
            port=s["port"],
            user=s["username"],
            password=s.get("password", ""),
            database=s["database"],
            ssl={"check_hostname": False} if self._ssl else None,
            connect_timeout=10,
            autocommit=True,
        )

    def _broken(self, exc: Exception) -> bool:
        """Whether ``exc`` means the connection is unusable (not a bad statement)."""
        if self.engine == "postgresql":
            return self._connection is None or bool(self._connection.closed)
        module = self._module
        return isinstance(exc, module.err.OperationalError | module.err.InterfaceError)

    def _run(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self._connection is None:
            self._connection = self._connect()
        with self._connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            if cursor.description is None:
                return [], []
            names = [str(column[0]) for column in cursor.description]
            return names, [tuple(row) for row in cursor.fetchall()]

    def query(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows; raises the driver's error when it fails twice."""
        with self._lock:
            try:
                return self._run(sql, params)
            except Exception as exc:
                if self._connection is not None and not self._broken(exc):
                    raise
                self.close_unlocked()
                return self._run(sql, params)  # one retry on a fresh connection

    def close_unlocked(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        with self._lock:
            self.close_unlocked()
