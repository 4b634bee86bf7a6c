"""The Parquet loader: wide rows in Hive-partitioned Parquet files on any fsspec filesystem.

- :mod:`~pyplow.loaders.parquet.config`: ``ParquetConfig``;
- :mod:`~pyplow.loaders.parquet.layout`: the partition and file layout;
- :mod:`~pyplow.loaders.parquet.spool`: the local write-ahead spool and deduplication index;
- :mod:`~pyplow.loaders.parquet.arrowio`: spooled Arrow segments, merging, Parquet writing;
- :mod:`~pyplow.loaders.parquet.target`: the fsspec filesystem and atomic file appearance;
- :mod:`~pyplow.loaders.parquet.loader`: ``ParquetLoader``.

pyarrow and fsspec (the ``parquet`` extra; ``s3`` adds s3fs) are imported when a loader is
built, not by importing this package.
"""

from pyplow.loaders.parquet.config import Compression, ParquetConfig
from pyplow.loaders.parquet.layout import file_name, partition_of, target_dir
from pyplow.loaders.parquet.loader import ParquetLoader

__all__ = [
    "Compression",
    "ParquetConfig",
    "ParquetLoader",
    "file_name",
    "partition_of",
    "target_dir",
]
