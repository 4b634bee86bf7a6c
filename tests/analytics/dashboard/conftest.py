"""The model tests' warehouses (DuckDB and PostgreSQL with the known event set), reused."""

from tests.analytics.models.conftest import Warehouse, warehouse

__all__ = ["Warehouse", "warehouse"]
