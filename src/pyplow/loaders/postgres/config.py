"""Settings of the PostgreSQL loader."""

from __future__ import annotations

import msgspec

__all__ = ["PostgresConfig"]


class PostgresConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how to load.

    ``dsn`` is a libpq connection string or URI (``postgresql://user@host:5432/db``).
    ``schema`` holds ``events``, ``bad_rows`` and the shredded tables. ``redshift`` makes the DDL
    functions emit Redshift DDL; the loader itself needs PostgreSQL (``COPY … FROM STDIN``), so
    :class:`~pyplow.loaders.postgres.loader.PostgresLoader` refuses such a configuration.
    """

    dsn: str
    schema: str = "atomic"
    redshift: bool = False
    #: Seconds to wait for a connection before the load counts as a transient failure.
    connect_timeout: int = 10
    #: Milliseconds a statement may run (0: no limit); a timeout is a transient failure.
    statement_timeout_ms: int = 0
    #: Milliseconds to wait for a lock (0: no limit); a timeout is a transient failure.
    lock_timeout_ms: int = 0
    application_name: str = "pyplow-loader"
