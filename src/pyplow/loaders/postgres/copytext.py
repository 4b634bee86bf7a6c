"""Rows as PostgreSQL ``COPY`` text, written in blocks.

psycopg's ``copy.write_row`` adapts every value of every row in Python; here a row is built as
one line of COPY text format (TAB between values, ``\\N`` for NULL, LF at the end) and many
lines go to ``copy.write`` at once. The text of each value is the one psycopg would send (so
PostgreSQL stores the same thing):

=============================  =======================================================
Python value                   text
=============================  =======================================================
``str``                        itself, ``\\``, TAB, LF and CR escaped as ``\\\\``, ``\\t``,
                               ``\\n``, ``\\r`` (PostgreSQL reads other characters as they are)
``bool``                       ``t`` / ``f``
``int``                        decimal digits
``float``                      ``repr`` (``1.5``, ``1e-07``, ``inf``)
finite ``Decimal``             ``str`` (``12.50``, ``1E+3``: the scale is kept)
``datetime``                   RFC 3339 (``2024-05-01T10:00:01.512000Z``: psycopg sends
                               ``2024-05-01 10:00:01.512000+00:00``; a ``timestamp``
                               column ignores the zone of either)
``date``                       ``str`` (``2024-05-01``)
=============================  =======================================================

Any other value (another class, a non-finite ``Decimal``) has no text here: such a row goes
through ``write_row`` as before. psycopg buffers those rows, so they may reach the server after
lines written later; every write holds whole lines, and a table has no row order to keep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import msgspec

from pyplow.event.values import WholeSecondTimestamp

if TYPE_CHECKING:
    import psycopg

__all__ = ["NULL", "TEXT_BY_CLASS", "CopyBlocks", "NoTextError", "escape", "row_text", "text_of"]

NULL: Final = "\\N"
"""The NULL marker of the text format."""

_BLOCK_ROWS: Final = 1000
_JSON: Final = msgspec.json.Encoder().encode


class NoTextError(Exception):
    """A value this module does not turn into COPY text (psycopg adapts it instead)."""


def escape(text: str) -> str:
    """``text`` as a COPY text-format value: backslash, TAB, LF and CR escaped."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def _bool(value: bool) -> str:
    return "t" if value else "f"


def _timestamp(value: datetime) -> str:
    # msgspec writes the RFC 3339 form in C, several times faster than str(): the same
    # wall-clock time with a ``T`` and ``Z`` (or the offset), which a ``timestamp`` column
    # ignores just as it ignores the ``+00:00`` of str()
    try:
        return _JSON(value).decode()[1:-1]
    except (TypeError, ValueError):  # pragma: no cover - an offset msgspec cannot write
        return str(value)


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise NoTextError(value)
    return str(value)


TEXT_BY_CLASS: Final[dict[type, Callable[[Any], str]]] = {
    str: escape,
    bool: _bool,
    int: int.__repr__,
    float: float.__repr__,
    Decimal: _decimal,
    datetime: _timestamp,
    WholeSecondTimestamp: str,
    date: str,
}
"""The COPY text of a non-NULL value, by its exact class (strings escaped)."""


def text_of(value: Any) -> str:
    """The COPY text of one value (``\\N`` for ``None``); raises :class:`NoTextError`."""
    if value is None:
        return NULL
    convert = TEXT_BY_CLASS.get(value.__class__)
    if convert is None:
        raise NoTextError(value)
    return convert(value)


def row_text(values: Sequence[Any]) -> str | None:
    """One COPY line (without its LF) for ``values``; ``None`` when a value has no text here."""
    try:
        text = "\t".join(
            [
                v if v.__class__ is str else NULL if v is None else TEXT_BY_CLASS[v.__class__](v)
                for v in values
            ]
        )
        if clean(text, values.count(None), len(values) - 1):
            return text
        return "\t".join([text_of(v) for v in values])
    except (KeyError, NoTextError):
        return None


def clean(line: str, nulls: int, tabs: int) -> bool:
    """Whether ``line``, built by joining unescaped texts with TAB and ``nulls`` NULL markers,
    is valid COPY text as it is: no value holds a TAB, LF, CR or backslash (the only
    backslashes are the markers' and the only TABs the ``tabs`` separators)."""
    return (
        line.count("\\") == nulls
        and line.count("\t") == tabs
        and "\n" not in line
        and "\r" not in line
    )


class CopyBlocks:
    """Collects COPY lines and writes them to an open ``COPY … FROM STDIN``, many at a time."""

    def __init__(self, copy: psycopg.Copy, block_rows: int = _BLOCK_ROWS) -> None:
        self._copy = copy
        self._block_rows = block_rows
        self._lines: list[str] = []

    def line(self, text: str) -> None:
        """Add one line (COPY text, without its LF)."""
        lines = self._lines
        lines.append(text)
        if len(lines) >= self._block_rows:
            self.flush()

    def row(self, values: Sequence[Any]) -> None:
        """Add one row of values: as text when every value has one, else through psycopg."""
        text = row_text(values)
        if text is not None:
            self.line(text)
            return
        self.flush()
        self._copy.write_row(values)

    def flush(self) -> None:
        """Write the collected lines (call once more at the end)."""
        lines = self._lines
        if lines:
            lines.append("")
            self._copy.write("\n".join(lines))
            self._lines = []
