"""Files appear atomically; filesystem failures become load errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from pyplow.loaders.base import TerminalLoadError, TransientLoadError
from pyplow.loaders.parquet.target import Target, fs_errors


def _write(data: bytes) -> Any:
    def write(file: BinaryIO) -> None:
        file.write(data)

    return write


def test_local_file_appears_complete_and_no_temp_remains(tmp_path: Path) -> None:
    target = Target(str(tmp_path / "lake"), {}, tmp_path / "scratch")
    assert target.local
    directory = f"{target.root}/date=2024-05-01/hour=10"
    path = target.publish(directory, "part-x.parquet", _write(b"PAR1 data"))
    assert Path(path).read_bytes() == b"PAR1 data"
    assert os.listdir(directory) == ["part-x.parquet"]
    assert target.exists(path)
    assert not target.exists(f"{directory}/part-y.parquet")


def test_local_write_failing_midway_leaves_nothing(tmp_path: Path) -> None:
    target = Target(str(tmp_path / "lake"), {}, tmp_path / "scratch")
    directory = f"{target.root}/date=2024-05-01/hour=10"

    def broken(file: BinaryIO) -> None:
        file.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(TransientLoadError, match="No space left on device"):
        target.publish(directory, "part-x.parquet", broken)
    assert os.listdir(directory) == []


def test_file_url_is_local(tmp_path: Path) -> None:
    target = Target(f"file://{tmp_path}/lake", {}, tmp_path / "scratch")
    assert target.local
    assert target.root == f"{tmp_path}/lake"


def test_other_filesystems_upload_hidden_then_move(tmp_path: Path, flaky: Any) -> None:
    target = Target("flaky://lake", {}, tmp_path / "scratch")
    assert not target.local
    assert not target.object_store
    path = target.publish("/lake/date=2024-05-01/hour=10", "part-x.parquet", _write(b"abc"))
    assert target.fs.cat_file(path) == b"abc"
    assert target.fs.ls("/lake/date=2024-05-01/hour=10", detail=False) == [path]
    assert list(Path(tmp_path / "scratch").iterdir()) == []


def test_upload_failure_is_transient_and_leaves_nothing(tmp_path: Path, flaky: Any) -> None:
    flaky.down = True
    target = Target("flaky://lake", {}, tmp_path / "scratch")
    with pytest.raises(TransientLoadError, match="ConnectionResetError: target away"):
        target.publish("/lake/d", "part-x.parquet", _write(b"abc"))
    assert not target.fs.exists("/lake/d/part-x.parquet")
    assert list(Path(tmp_path / "scratch").iterdir()) == []


def test_error_mapping() -> None:
    with pytest.raises(TerminalLoadError, match="permission denied"), fs_errors("writing x"):
        raise PermissionError("no")
    with (
        pytest.raises(TransientLoadError, match="writing x failed: TimeoutError"),
        fs_errors("writing x"),
    ):
        raise TimeoutError("slow")
    with pytest.raises(ValueError, match="a bug"), fs_errors("writing x", (OSError,)):
        raise ValueError("a bug")


def test_unknown_protocol_is_terminal(tmp_path: Path) -> None:
    with pytest.raises(TerminalLoadError, match="nosuchproto"):
        Target("nosuchproto://x", {}, tmp_path)
