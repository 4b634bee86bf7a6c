"""The wide-row layout shared by the DuckDB and Parquet loaders (Arrow tables).

- :mod:`~pyplow.loaders.wide.atomic`: ``ATOMIC_COLUMNS`` and their Arrow arrays;
- :mod:`~pyplow.loaders.wide.shapes`: JSON Schema → column shape → Arrow type, value converters;
- :mod:`~pyplow.loaders.wide.layout`: ``WideLayout`` (columns per schema family, ``to_arrow``).

Importing this package imports pyarrow (the ``parquet`` or ``duckdb`` extra).
"""

from pyplow.loaders.wide.atomic import (
    ATOMIC_COLUMNS,
    ATOMIC_SCHEMA,
    ATOMIC_SCHEMA_KEY,
    LOAD_TSTAMP,
    MONEY_COLUMNS,
    TIMESTAMP_TYPE,
)
from pyplow.loaders.wide.layout import (
    DEFAULT_PROCESSOR,
    SCHEMA_VERSION_FIELD,
    WideBatch,
    WideColumn,
    WideLayout,
    wide_column,
)
from pyplow.loaders.wide.shapes import arrow_type, field_name

__all__ = [
    "ATOMIC_COLUMNS",
    "ATOMIC_SCHEMA",
    "ATOMIC_SCHEMA_KEY",
    "DEFAULT_PROCESSOR",
    "LOAD_TSTAMP",
    "MONEY_COLUMNS",
    "SCHEMA_VERSION_FIELD",
    "TIMESTAMP_TYPE",
    "WideBatch",
    "WideColumn",
    "WideLayout",
    "arrow_type",
    "field_name",
    "wide_column",
]
