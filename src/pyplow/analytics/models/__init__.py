"""SQL data models over the loaded events: page views, sessions and users.

One definition per model (``sql/*.sql``), in the SQL DuckDB and PostgreSQL share; built
incrementally by :func:`run_models` (``pyplow model run``). See docs/analytics.md.
"""

from pyplow.analytics.models.database import (
    Database,
    DuckDBDatabase,
    PostgresDatabase,
    open_database,
)
from pyplow.analytics.models.runner import MODEL_TABLES, MODEL_VERSION, ModelRun, run_models
from pyplow.analytics.models.settings import ModelSettings

__all__ = [
    "MODEL_TABLES",
    "MODEL_VERSION",
    "Database",
    "DuckDBDatabase",
    "ModelRun",
    "ModelSettings",
    "PostgresDatabase",
    "open_database",
    "run_models",
]
