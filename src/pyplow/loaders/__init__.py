"""Loaders: enriched events and bad rows into DuckDB, PostgreSQL and Parquet."""
