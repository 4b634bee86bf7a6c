"""Whole pipelines: the embedded one (collector → enrich → DuckDB in one process)."""
