"""Shredded-table rows as COPY text.

An entity's row is the nine metadata columns then the schema's columns
(:class:`~pyplow.loaders.postgres.shredding.EntityShredder`). Seven metadata values are the
same for every row of a schema and two (``root_id``, ``root_tstamp``) for every entity of an
event, so their text is made once (per schema, per event); only the column values are turned
into text per entity (:func:`~pyplow.loaders.postgres.copytext.row_text`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pyplow.loaders.postgres.copytext import NoTextError, escape, row_text, text_of
from pyplow.loaders.postgres.shredding import CastFailure, EntityShredder

__all__ = ["EntityLines", "root_text"]


def root_text(root_id: str, root_tstamp: datetime) -> str | None:
    """The text of the ``root_id`` and ``root_tstamp`` columns (``None``: leave the event's
    rows to psycopg)."""
    try:
        return escape(root_id) + "\t" + text_of(root_tstamp)
    except NoTextError:
        return None


class EntityLines:
    """COPY lines (without LF) for the rows of one schema's entities."""

    def __init__(self, shredder: EntityShredder) -> None:
        self.shredder = shredder
        head = row_text(shredder.head)
        tail = row_text(shredder.tail)
        self._head = None if head is None else head + "\t"
        self._tail = None if tail is None else "\t" + tail

    def line(
        self, data: Any, root_id: str, root_tstamp: datetime, root: str | None
    ) -> str | tuple[Any, ...] | CastFailure:
        """The entity's row as a COPY line, or (when some value has no COPY text here) as a
        tuple for psycopg, or the first value that does not fit its column. ``root`` is
        :func:`root_text` of ``root_id`` and ``root_tstamp``."""
        values = self.shredder.values(data)
        if isinstance(values, CastFailure):
            return values
        head, tail = self._head, self._tail
        text = row_text(values)
        if root is None or head is None or tail is None or text is None:
            shredder = self.shredder
            return (*shredder.head, root_id, root_tstamp, *shredder.tail, *values)
        if self.shredder.width:
            return head + root + tail + "\t" + text
        return head + root + tail
