"""The columns every source returns, and bringing a source's Arrow table to that shape.

Every source gives the same table layout:

- the 128 canonical columns of ``atomic.events`` in Snowplow's order, then ``load_tstamp``,
  typed as the wide-row loaders type them (:data:`pyplow.loaders.wide.ATOMIC_COLUMNS`):
  ``timestamp[us, tz=UTC]``, ``int32``, ``float64``, ``decimal128(18, 2)`` for money, ``bool``,
  ``string``. A column the source does not have (``load_tstamp`` of TSV files) is all null;
- then the wide columns the source has (``contexts_<vendor>_<name>_<model>``,
  ``unstruct_event_<vendor>_<name>_<model>``), sorted by name;
- rows ordered by ``collector_tstamp``, then ``event_id``.

With ``columns=[…]`` the table has exactly those columns, in that order. Canonical names are
always available; a wide column that the source does not have (no such event in the window)
comes back all null; any other unknown name is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import msgspec

from pyplow.event import FIELDS, Kind

__all__ = [
    "ATOMIC_NAMES",
    "LOAD_TSTAMP",
    "SORT_KEYS",
    "Selection",
    "conform",
    "is_wide",
    "plain_type",
]

LOAD_TSTAMP: Final = "load_tstamp"
#: The canonical column names, in table order (``load_tstamp`` last).
ATOMIC_NAMES: Final[tuple[str, ...]] = (
    *(f.name for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)),
    LOAD_TSTAMP,
)
_ATOMIC_SET: Final = frozenset(ATOMIC_NAMES)
#: Rows are ordered by these columns.
SORT_KEYS: Final[tuple[str, str]] = ("collector_tstamp", "event_id")
_WIDE_PREFIXES: Final = ("contexts_", "unstruct_event_")


def is_wide(name: str) -> bool:
    """Whether ``name`` is a wide column (one per self-describing schema family)."""
    return name.startswith(_WIDE_PREFIXES)


class Selection(msgspec.Struct, frozen=True):
    """The columns asked for: ``names`` in order, or ``None`` for all of them."""

    names: tuple[str, ...] | None = None

    @classmethod
    def of(cls, columns: Iterable[str] | None) -> Selection:
        """Check ``columns``: ``ValueError`` for an unknown or repeated name."""
        if columns is None:
            return cls()
        if isinstance(columns, str):
            raise TypeError("columns must be a list of names, not one string")
        names = tuple(columns)
        unknown = [n for n in names if n not in _ATOMIC_SET and not is_wide(n)]
        if unknown:
            raise ValueError(
                f"unknown column(s) {', '.join(map(repr, unknown))}; expected canonical "
                "atomic.events columns, load_tstamp, or contexts_…/unstruct_event_… columns"
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"column(s) asked for twice: {', '.join(repeated)}")
        return cls(names)

    def fetch(self, available: Iterable[str]) -> list[str]:
        """The columns to read from a source offering ``available`` (in the source's order):
        the selected ones it has, plus the sort keys."""
        present = list(available)
        if self.names is None:
            return present
        wanted = set(self.names).union(SORT_KEYS)
        return [n for n in present if n in wanted]


def _canonical_types() -> dict[str, Any]:
    from pyplow.loaders.wide import ATOMIC_COLUMNS

    return dict(ATOMIC_COLUMNS)


def _with_type(column: Any, wanted: Any) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    if str(column.type) == str(wanted):  # equals() would ignore list item names
        return column
    if pa.types.is_timestamp(column.type) and column.type.tz is None:
        # naive timestamps hold UTC (DuckDB, PostgreSQL): same instants, now labelled UTC
        column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
    return column.cast(wanted)


def plain_type(kind: Any) -> Any:
    """``kind`` with every list item field named ``item`` (DuckDB says ``l``, Parquet
    ``element``): the same data then has the same Arrow type whatever its source."""
    import pyarrow as pa

    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        item = kind.value_field
        return pa.list_(pa.field("item", plain_type(item.type), item.nullable))
    if pa.types.is_struct(kind):
        fields = (kind.field(i) for i in range(kind.num_fields))
        return pa.struct([pa.field(f.name, plain_type(f.type), f.nullable) for f in fields])
    return kind


def conform(table: Any, selection: Selection) -> Any:
    """``table`` (read from any source, with the sort keys) in the common layout."""
    import pyarrow as pa

    types = _canonical_types()
    if table.num_rows and all(k in table.column_names for k in SORT_KEYS):
        table = table.sort_by([(k, "ascending") for k in SORT_KEYS])
    rows = table.num_rows
    present = set(table.column_names)
    if selection.names is None:
        wide = sorted(n for n in table.column_names if n not in _ATOMIC_SET)
        names: Sequence[str] = (*ATOMIC_NAMES, *wide)
    else:
        names = selection.names
    arrays = []
    for name in names:
        wanted = types.get(name)
        if name in present:
            column = table.column(name)
            if wanted is None:
                wanted = plain_type(column.type)
            arrays.append(_with_type(column, wanted))
        else:
            arrays.append(pa.nulls(rows, type=wanted if wanted is not None else pa.null()))
    return pa.Table.from_arrays(arrays, names=list(names))
