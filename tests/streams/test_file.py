"""File sink and source: rotation, atomic appearance, crash recovery, gzip."""

from __future__ import annotations

import asyncio
import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyplow.streams import FileSink, FileSinkConfig, FileSource, Framing, recover_inprogress


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def read_all(source: FileSource) -> list[bytes]:
    out: list[bytes] = []
    while (batch := await source.next_batch(3, timeout=0)) is not None:
        out.extend(batch.records)
    assert source.finished
    return out


def test_lines_appear_only_when_the_file_is_finished(tmp_path: Path) -> None:
    async def scenario() -> None:
        sink = FileSink(FileSinkConfig(path=str(tmp_path), prefix="enriched", extension="tsv"))
        await sink.write([b"a\tb", b"c\td"])
        current = sink.current_file
        assert current is not None
        assert current.name.endswith(".tsv.inprogress")
        assert current.read_bytes() == b"a\tb\nc\td\n"
        assert await read_all(FileSource([tmp_path])) == []  # in-progress files are not read
        await sink.close()
        finished = sorted(tmp_path.iterdir())
        assert [p.suffix for p in finished] == [".tsv"]
        assert await read_all(FileSource([tmp_path])) == [b"a\tb", b"c\td"]

    asyncio.run(scenario())


def test_rotation_by_size_and_by_age(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = Clock()
        config = FileSinkConfig(path=str(tmp_path), max_file_bytes=10, max_file_seconds=60)
        sink = FileSink(config, clock=clock)
        await sink.write([b"12345"])  # 6 bytes
        await sink.write([b"67890"])  # would make 12 > 10: rotates first
        assert len([p for p in tmp_path.iterdir() if not p.name.endswith(".inprogress")]) == 1
        clock.now += 61
        await sink.tick()
        assert sink.current_file is None
        await sink.write([b"late"])
        await sink.close()
        files = sorted(tmp_path.iterdir())
        assert len(files) == 3
        assert await read_all(FileSource([tmp_path])) == [b"12345", b"67890", b"late"]

    asyncio.run(scenario())


def test_base64_framing_round_trips_binary_records(tmp_path: Path) -> None:
    records = [b"\x00\x01\xff", b"", b"plain", bytes(range(256))]

    async def scenario() -> None:
        sink = FileSink(FileSinkConfig(path=str(tmp_path), framing=Framing.BASE64))
        await sink.write(records)
        await sink.close()
        (path,) = tmp_path.iterdir()
        assert b"=" not in path.read_bytes()  # Snowplow's stdout form: no padding
        # An empty record is an empty line, which readers skip: it carries nothing.
        assert await read_all(FileSource([tmp_path], Framing.BASE64)) == [r for r in records if r]

    asyncio.run(scenario())


def test_undecodable_lines_are_passed_on_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "raw-1.lines"
    path.write_bytes(b"aGVsbG8\n!!! not base64 !!!\nd29ybGQ=\n")

    async def scenario() -> None:
        source = FileSource([path], Framing.BASE64)
        assert await read_all(source) == [b"hello", b"!!! not base64 !!!", b"world"]
        assert source.counters.errors == 1

    asyncio.run(scenario())


def test_gzip_files_are_readable_even_before_they_are_finished(tmp_path: Path) -> None:
    async def scenario() -> None:
        sink = FileSink(FileSinkConfig(path=str(tmp_path), prefix="bad", gzip=True))
        await sink.write([b'{"a":1}'])
        await sink.write([b'{"b":2}'])
        current = sink.current_file
        assert current is not None
        # What a crash would leave behind: the in-progress file as it is now, with no gzip
        # trailer. Every line written so far must still be readable from it.
        copy = tmp_path / "crashed" / "bad-1.lines.gz"
        copy.parent.mkdir()
        shutil.copy(current, copy)
        with gzip.open(copy, "rb") as handle, pytest.raises(EOFError):
            handle.read()
        crashed = FileSource([copy])
        assert await read_all(crashed) == [b'{"a":1}', b'{"b":2}']
        assert crashed.counters.errors == 1
        shutil.rmtree(copy.parent)
        await sink.close()
        assert await read_all(FileSource([tmp_path])) == [b'{"a":1}', b'{"b":2}']

    asyncio.run(scenario())


def test_recovery_finishes_inprogress_files_and_cuts_a_torn_line(tmp_path: Path) -> None:
    torn = tmp_path / "raw-20240101T000000-000001.lines.inprogress"
    torn.write_bytes(b"complete\nhalf-writ")
    other = tmp_path / "other-20240101T000000-000001.lines.inprogress"
    other.write_bytes(b"x\n")
    finished = recover_inprogress(tmp_path, "raw")
    assert [p.name for p in finished] == ["raw-20240101T000000-000001.lines"]
    assert finished[0].read_bytes() == b"complete\n"
    assert other.exists()  # another prefix is another sink's business
    FileSink(FileSinkConfig(path=str(tmp_path), prefix="other"))
    assert not other.exists()


@given(st.lists(st.binary(min_size=1, max_size=64), max_size=20))
def test_framing_base64_round_trip(records: list[bytes]) -> None:
    for record in records:
        line = Framing.BASE64.to_line(record)
        assert b"\n" not in line
        assert Framing.BASE64.from_line(line) == record
        padded = line + b"=" * (-len(line) % 4)
        assert Framing.BASE64.from_line(padded) == record
