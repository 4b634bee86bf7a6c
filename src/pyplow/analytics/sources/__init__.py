"""Where events are read from: telling the kind of a source, and reading it as Arrow.

A source is given as one string (or path):

- ``*.duckdb`` / ``*.ddb`` or ``duckdb:///path`` (or any file that is a DuckDB database): the
  DuckDB loader's ``atomic.events``;
- ``postgresql://…`` / ``postgres://…``: the PostgreSQL loader's ``atomic.events``;
- a folder holding ``*.parquet`` files, a ``*.parquet`` file, or any other fsspec URL
  (``s3://bucket/events``): the Parquet loader's dataset;
- a folder holding ``*.tsv`` files, or a ``*.tsv`` / ``*.tsv.gz`` file: enriched TSV as
  ``pyplow enrich --output`` writes it.

``kind=`` overrides the guess (for a libpq keyword DSN, a TSV folder on S3, …).
Detection problems (a path that does not exist, a folder with nothing to read) raise
``ValueError``; failures while reading raise :class:`SourceError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final, Literal, get_args

import msgspec

from pyplow.analytics.columns import Selection
from pyplow.analytics.window import TimeWindow

__all__ = [
    "SOURCE_KINDS",
    "ReadOptions",
    "SourceError",
    "SourceKind",
    "SourceSpec",
    "detect",
    "read_table",
]

SourceKind = Literal["duckdb", "postgres", "parquet", "tsv"]
SOURCE_KINDS: Final[tuple[str, ...]] = get_args(SourceKind)
OnError = Literal["raise", "skip"]

_DUCKDB_MAGIC: Final = b"DUCK"
_DUCKDB_SUFFIXES: Final = (".duckdb", ".ddb")
_TSV_SUFFIXES: Final = (".tsv", ".tsv.gz")
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
_DUCKDB_SCHEME: Final = "duckdb://"


class SourceError(Exception):
    """Reading a source failed (connection refused, table missing, unreadable file, …)."""


class SourceSpec(msgspec.Struct, frozen=True):
    """A source of a known kind: a path, DSN or fsspec URL."""

    kind: SourceKind
    location: str


class ReadOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Settings that only some sources use."""

    #: DuckDB and PostgreSQL: the schema and table of the events.
    schema: str = "atomic"
    table: str = "events"
    #: Parquet and TSV on fsspec filesystems (S3: ``key``, ``secret``, ``endpoint_url``…).
    storage_options: dict[str, Any] = msgspec.field(default_factory=dict)
    #: TSV: what to do with a line that is not a valid enriched event.
    on_error: OnError = "raise"
    #: TSV: the ``pyplow.iglu.Resolver`` whose schemas type the wide columns (``None``: the
    #: embedded registry).
    resolver: Any = None


def _is_duckdb_file(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(12)[8:12] == _DUCKDB_MAGIC
    except OSError:
        return False


def _visible(path: Path, root: Path) -> bool:
    return not any(p.startswith(("_", ".")) for p in path.relative_to(root).parts)


def _folder_kind(folder: Path) -> SourceKind:
    for candidate in folder.rglob("*"):
        if candidate.name.endswith(".parquet") and _visible(candidate, folder):
            return "parquet"
    for candidate in folder.rglob("*"):
        if candidate.name.endswith(_TSV_SUFFIXES) and _visible(candidate, folder):
            return "tsv"
    raise ValueError(
        f"{folder} holds no *.parquet or *.tsv files; expected a Parquet dataset or a folder "
        "of enriched TSV files"
    )


def _local_kind(path: Path) -> SourceKind:
    name = path.name.lower()
    if name.endswith(_DUCKDB_SUFFIXES):
        return "duckdb"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(_TSV_SUFFIXES):
        return "tsv"
    if not path.exists():
        raise ValueError(
            f"{path} does not exist; expected a DuckDB file, a Parquet dataset, a folder of "
            "enriched TSV files or a postgresql:// DSN"
        )
    if path.is_dir():
        return _folder_kind(path)
    if _is_duckdb_file(path):
        return "duckdb"
    raise ValueError(
        f"cannot tell what {path} is; expected *.duckdb, *.parquet or *.tsv (or pass kind=)"
    )


def detect(source: str | os.PathLike[str], kind: SourceKind | None = None) -> SourceSpec:
    """The kind and location of ``source`` (``kind`` forces the kind)."""
    text = os.fspath(source)
    if not text:
        raise ValueError("the source is empty; expected a path, DSN or URL")
    if kind is not None and kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
    if text.startswith(_DUCKDB_SCHEME):
        if kind not in (None, "duckdb"):
            raise ValueError(f"{text!r} is a DuckDB URL but kind={kind!r} was asked for")
        return SourceSpec("duckdb", text[len(_DUCKDB_SCHEME) :])
    if kind is not None:
        return SourceSpec(kind, text)
    if text.startswith(_POSTGRES_SCHEMES):
        return SourceSpec("postgres", text)
    if "://" in text and not text.startswith("file://"):
        is_tsv = text.lower().endswith(_TSV_SUFFIXES)
        return SourceSpec("tsv" if is_tsv else "parquet", text)
    return SourceSpec(_local_kind(Path(text.removeprefix("file://"))), text)


def read_table(
    spec: SourceSpec, window: TimeWindow, selection: Selection, options: ReadOptions
) -> Any:
    """The events of ``spec`` in ``window`` as an Arrow table (source-specific layout: the
    selected columns the source has, the sort keys among them; see :func:`columns.conform`)."""
    if spec.kind == "duckdb":
        from pyplow.analytics.sources.duckdb import read_duckdb

        return read_duckdb(spec.location, window, selection, options)
    if spec.kind == "postgres":
        from pyplow.analytics.sources.postgres import read_postgres

        return read_postgres(spec.location, window, selection, options)
    if spec.kind == "parquet":
        from pyplow.analytics.sources.parquet import read_parquet

        return read_parquet(spec.location, window, selection, options)
    from pyplow.analytics.sources.tsv import read_tsv

    return read_tsv(spec.location, window, selection, options)
