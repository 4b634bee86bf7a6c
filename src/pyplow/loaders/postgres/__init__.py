"""The PostgreSQL loader (and Redshift DDL), shredding entities the way Snowplow's
Postgres/Redshift loaders do.

- :mod:`~pyplow.loaders.postgres.config`: :class:`PostgresConfig`;
- :mod:`~pyplow.loaders.postgres.loader`: :class:`PostgresLoader`;
- :mod:`~pyplow.loaders.postgres.ddl`: ``atomic.events``, shredded-table and ``bad_rows`` DDL;
- :mod:`~pyplow.loaders.postgres.columns`: JSON schema → typed columns;
- :mod:`~pyplow.loaders.postgres.shredding`: entity → row (metadata columns first);
- :mod:`~pyplow.loaders.postgres.copytext`: rows as ``COPY`` text, written in blocks
  (:mod:`~pyplow.loaders.postgres.atomic_text` for ``events``,
  :mod:`~pyplow.loaders.postgres.entity_text` for shredded tables);
- :mod:`~pyplow.loaders.postgres.stored`: what ``events`` holds for a batch's ids;
- :mod:`~pyplow.loaders.postgres.migrations`: create / ``ADD COLUMN`` / incompatible;
- :mod:`~pyplow.loaders.postgres.identifiers`: sanitised, quoted names.

Importing this package does not import psycopg; the loader does when it connects.
"""

from pyplow.loaders.postgres.columns import Column, ColumnKind, column_type, schema_columns
from pyplow.loaders.postgres.config import PostgresConfig
from pyplow.loaders.postgres.ddl import bad_rows_ddl, events_ddl, shredded_table_ddl
from pyplow.loaders.postgres.identifiers import quote, sanitise, table_name
from pyplow.loaders.postgres.loader import PostgresLoader
from pyplow.loaders.postgres.migrations import Incompatible, Migration, TableState, plan_migration
from pyplow.loaders.postgres.shredding import CastFailure, entity_row

__all__ = [
    "CastFailure",
    "Column",
    "ColumnKind",
    "Incompatible",
    "Migration",
    "PostgresConfig",
    "PostgresLoader",
    "TableState",
    "bad_rows_ddl",
    "column_type",
    "entity_row",
    "events_ddl",
    "plan_migration",
    "quote",
    "sanitise",
    "schema_columns",
    "shredded_table_ddl",
    "table_name",
]
