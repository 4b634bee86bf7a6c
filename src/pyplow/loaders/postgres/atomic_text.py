"""``atomic.events`` rows as COPY text, by straight-line code generated from the field table.

:func:`event_line` is the fast path of :func:`~pyplow.loaders.postgres.atomic.event_row` plus
:func:`~pyplow.loaders.postgres.copytext.row_text`: the generated function unpacks the event
into 131 locals and joins the 128 column texts and ``load_tstamp``'s in one ``"\\t".join``,
writing text fields as they are (``\\N`` when absent) and typed ones through
:data:`~pyplow.loaders.postgres.copytext.TEXT_BY_CLASS`. When that line would not be valid COPY
text (a value holds a backslash, TAB, LF or CR: :func:`~pyplow.loaders.postgres.copytext.clean`
is false) or a value is not of a class it knows, the row is built value by value instead (with
escaping), or, failing that, left to psycopg (``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import msgspec

from pyplow.event import FIELDS, EnrichedEvent, Kind
from pyplow.loaders.postgres.atomic import event_row
from pyplow.loaders.postgres.copytext import NULL, TEXT_BY_CLASS, NoTextError, clean, row_text
from pyplow.loaders.postgres.ddl import ATOMIC_FIELDS

__all__ = ["event_line"]

_TABS: Final = len(ATOMIC_FIELDS)  # 128 columns and load_tstamp
_TEXT_KINDS: Final = (Kind.STR, Kind.UUID)
_NOT_COLUMNS: Final = tuple(f.index for f in FIELDS if f not in ATOMIC_FIELDS)


def _build() -> Callable[[EnrichedEvent, str], str | None]:
    """``line(event, load_text)``: the unescaped line, or ``None`` (see the module docstring)."""
    names = [f"v{field.index}" for field in FIELDS]
    texts: list[str] = []
    for field in ATOMIC_FIELDS:
        name = names[field.index]
        if field.kind in _TEXT_KINDS:
            texts.append(f"N if {name} is None else {name}")
        else:
            texts.append(f"N if {name} is None else T[{name}.__class__]({name})")
    texts.append("load_text")
    absent = " - ".join(f"(values[{i}] is None)" for i in _NOT_COLUMNS)
    source = (
        "def line(event, load_text):\n"
        "    values = astuple(event)\n"
        f"    ({', '.join(names)},) = values\n"
        "    try:\n"
        "        text = '\\t'.join((\n"
        + "".join(f"            {t},\n" for t in texts)
        + "        ))\n"
        "    except (KeyError, TypeError, NoTextError):\n"
        "        return None\n"
        f"    if clean(text, values.count(None) - {absent}, TABS):\n"
        "        return text\n"
        "    return None\n"
    )
    namespace: dict[str, Any] = {
        "astuple": msgspec.structs.astuple,
        "N": NULL,
        "T": TEXT_BY_CLASS,
        "NoTextError": NoTextError,
        "clean": clean,
        "TABS": _TABS,
    }
    code = compile(source, "<pyplow.loaders.postgres.atomic_text.line>", "exec")
    exec(code, namespace)  # the source is built above from the static field table
    function: Callable[[EnrichedEvent, str], str | None] = namespace["line"]
    return function


_line: Final = _build()


def event_line(event: EnrichedEvent, load_tstamp: datetime, load_text: str) -> str | None:
    """The COPY line (without LF) of ``event``'s ``atomic.events`` row; ``load_text`` is
    ``load_tstamp``'s text. ``None``: a value has no COPY text here, let psycopg adapt the row
    (``event_row(event, load_tstamp)``)."""
    text = _line(event, load_text)
    if text is None:
        text = row_text(event_row(event, load_tstamp))
    return text
