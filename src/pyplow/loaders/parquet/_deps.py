"""Lazy imports of the optional libraries (``pip install pyplow[parquet]`` / ``[s3]``)."""

from __future__ import annotations

import importlib
from typing import Any

from pyplow.loaders.base import TerminalLoadError

__all__ = ["require"]

_EXTRA = {"pyarrow": "parquet", "pyarrow.parquet": "parquet", "fsspec": "parquet", "s3fs": "s3"}


def require(module: str) -> Any:
    """Import ``module``, or fail with the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra = _EXTRA.get(module, "parquet")
        raise TerminalLoadError(
            f"the Parquet loader needs {module!r}, which is not installed; "
            f"expected it from `pip install 'pyplow[{extra}]'`"
        ) from exc
