"""The columnar bulk path of ``pyplow load --input DIR``: whole chunks of enriched TSV lines
typed, checked and deduplicated in DuckDB instead of one decoded event at a time.

- :mod:`~pyplow.loaders.bulk.chunks`: files → chunks of lines → Arrow tables of text columns;
- :mod:`~pyplow.loaders.bulk.atomic_sql`, :mod:`~pyplow.loaders.bulk.entities_sql`: the SQL
  that checks and types the atomic fields and builds the wide columns;
- :mod:`~pyplow.loaders.bulk.engine`: one chunk staged (fast rows, rows for the per-row path,
  parsing errors), deduplicated as :mod:`pyplow.loaders.dedup` does
  (:mod:`~pyplow.loaders.bulk.dedup_sql`);
- :mod:`~pyplow.loaders.bulk.run`: the file-mode runner.

A loader takes part by offering ``load_lines(lines) -> LinesResult`` (DuckDB and Parquet do);
with any other loader the runner decodes each chunk row by row. Results are those of the
per-row path with batches of the same lines: rows the SQL does not vouch for are decoded
and stored by the per-row code, in the same transaction.
"""

from pyplow.loaders.bulk.run import LinesResult, run_files, supports_lines

__all__ = ["LinesResult", "run_files", "supports_lines"]
