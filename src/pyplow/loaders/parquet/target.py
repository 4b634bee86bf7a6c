"""The dataset's filesystem (any fsspec URL) and how a file appears there atomically.

- local filesystem: the file is written as ``.part-<uuid>.parquet.tmp`` in its folder,
  flushed to disk (``fsync``), then renamed; the folder is synced so the rename survives a
  crash. Readers never see a partial ``*.parquet`` file.
- object stores (S3, GCS, Azure): the file is written to the local scratch folder, then
  uploaded under its final key; the object exists only once the upload completes (S3: one
  PUT, or a multipart upload that is completed at the end and aborted on failure).
- other fsspec filesystems: uploaded under the hidden temporary name, then moved.

Filesystem failures become :class:`~pyplow.loaders.base.TransientLoadError` (retry later),
except permission errors, which are :class:`~pyplow.loaders.base.TerminalLoadError`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from pyplow.loaders.base import TerminalLoadError, TransientLoadError
from pyplow.loaders.parquet._deps import require
from pyplow.loaders.parquet.layout import temp_name

__all__ = ["Target", "fs_errors"]

_OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "abfs", "abfss", "az", "adl"})


@contextmanager
def fs_errors(action: str, kinds: tuple[type[Exception], ...] = (Exception,)) -> Iterator[None]:
    """Turn a filesystem failure (one of ``kinds``) during ``action`` into a load error.

    Remote backends raise many types (``OSError``, botocore and aiohttp errors, timeouts), so
    by default every ``Exception`` counts; local writes pass ``(OSError,)``."""
    try:
        yield
    except PermissionError as exc:
        raise TerminalLoadError(f"{action}: permission denied ({exc})") from exc
    except (TransientLoadError, TerminalLoadError):
        raise
    except kinds as exc:
        raise TransientLoadError(f"{action} failed: {type(exc).__name__}: {exc}") from exc


def _fsync_dir(path: str) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened elsewhere
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Target:
    """The filesystem and root folder of ``url`` (resolved once)."""

    def __init__(self, url: str, storage_options: dict[str, Any], scratch: Path) -> None:
        fsspec_core = require("fsspec.core")
        try:
            self.fs, self.root = fsspec_core.url_to_fs(url, **storage_options)
        except ImportError as exc:
            raise TerminalLoadError(
                f"no fsspec filesystem for {url!r}: {exc}; expected an installed backend "
                "(for s3:// `pip install 'pyplow[s3]'`)"
            ) from exc
        except (ValueError, TypeError) as exc:
            raise TerminalLoadError(f"cannot use {url!r} as a dataset path: {exc}") from exc
        protocols = self.fs.protocol
        names = {protocols} if isinstance(protocols, str) else set(protocols)
        self.local: bool = "file" in names or "local" in names
        self.object_store: bool = bool(names & _OBJECT_STORES)
        self.scratch = scratch

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists (fresh: caches of listings are bypassed)."""
        with fs_errors(f"checking {path}"):
            self.fs.invalidate_cache(path)
            return bool(self.fs.exists(path))

    def publish(self, directory: str, name: str, write: Callable[[BinaryIO], None]) -> str:
        """Make ``directory/name`` appear with the bytes ``write`` produces; its path."""
        final = f"{directory}/{name}"
        if self.local:
            with fs_errors(f"writing {final}", (OSError,)):
                self._publish_local(directory, name, write)
            return final
        staged = self.scratch / name
        try:
            with fs_errors(f"staging {staged}", (OSError,)):
                self.scratch.mkdir(parents=True, exist_ok=True)
                with staged.open("wb") as file:
                    write(file)
            with fs_errors(f"uploading {final}"):
                if self.object_store:
                    self.fs.put_file(str(staged), final)
                else:
                    hidden = f"{directory}/{temp_name(name)}"
                    self.fs.makedirs(directory, exist_ok=True)
                    self.fs.put_file(str(staged), hidden)
                    self.fs.mv(hidden, final)
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()
        return final

    def _publish_local(self, directory: str, name: str, write: Callable[[BinaryIO], None]) -> None:
        os.makedirs(directory, exist_ok=True)
        hidden = os.path.join(directory, temp_name(name))
        try:
            with open(hidden, "wb") as file:
                write(file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(hidden, os.path.join(directory, name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(hidden)
            raise
        _fsync_dir(directory)
