"""Chunks of lines: the same records as ``FileSource``, and the columnar readers' limits."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import duckdb

from pyplow.loaders.bulk.chunks import arrow_chunk, csv_chunk, read_chunks
from pyplow.streams import FileSource, Framing


def _file_source_lines(paths: list[Path]) -> list[bytes]:
    async def read() -> list[bytes]:
        source = FileSource(paths, Framing.TEXT)
        out: list[bytes] = []
        while (batch := await source.next_batch(3, timeout=0.1)) is not None:
            out.extend(batch.records)
        return out

    return asyncio.run(read())


def test_lines_are_those_of_file_source(tmp_path: Path) -> None:
    a = tmp_path / "a.tsv"
    a.write_bytes(b"one\r\n\r\ntwo\n\nthree\r\r\nfour\rstill four\n  \nlast without newline")
    b = tmp_path / "b.tsv.gz"
    with gzip.open(b, "wb") as out:
        out.write(b"gz one\ngz two\n")
    c = tmp_path / "c.tsv"
    c.write_bytes(b"\n\n")
    paths = [a, b, c]
    expected = _file_source_lines(paths)
    for rows in (1, 2, 3, 100):
        chunks = list(read_chunks(paths, rows))
        assert [line for chunk in chunks for line in chunk] == expected
        assert all(len(chunk) == rows for chunk in chunks[:-1])


def test_columnar_readers_refuse_what_they_would_split_differently(tmp_path: Path) -> None:
    good = "\t".join(["x"] * 131).encode()
    assert csv_chunk([good, good], tmp_path) is not None
    assert csv_chunk([good, b"a\tfew"], tmp_path) is None  # pyarrow sets the short line apart
    assert csv_chunk([good, good.replace(b"x", b"\r", 1)], tmp_path) is None
    con = duckdb.connect()
    split = arrow_chunk(con, [good, b"a\tfew", good])
    assert split is not None
    assert (split.rows, split.malformed) == (2, [b"a\tfew"])
    assert con.execute(f"SELECT list(__row ORDER BY __row) FROM {split.sql}").fetchone() == (
        [0, 2],
    )
    assert arrow_chunk(con, [good, good.replace(b"x", b"\xff", 1)]) is None
    assert arrow_chunk(con, [good.replace(b"x", b"\x00", 1)]) is None
