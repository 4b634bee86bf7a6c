"""SQL identifiers and literals for the PostgreSQL/Redshift loader.

Everything derived from outside data (schema vendors and names, JSON-schema property names,
the configured database schema) goes through :func:`sanitise` and is always written quoted
with :func:`quote`. Snowplow's naming:

- a table per schema family and model: ``<vendor>_<name>_<model>``, the vendor's ``.`` and
  ``-`` becoming ``_``, a camelCase name becoming snake_case (``com.acme/CheckoutStep`` model 1
  is ``com_acme_checkout_step_1``);
- a column per property, snake_cased the same way; nested objects join with ``_``.

PostgreSQL truncates identifiers to 63 bytes (``NAMEDATALEN - 1``) silently, which could make
two long names collide; a longer name keeps its first bytes and ends with a hash of the whole.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from pyplow.iglu import SchemaKey

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "qualified",
    "quote",
    "quote_literal",
    "sanitise",
    "snake_case",
    "table_name",
]

MAX_IDENTIFIER_BYTES: Final = 63
_HASH_CHARS: Final = 8
_CAMEL_BOUNDARY: Final = re.compile(r"([^A-Z_])([A-Z])")
_NOT_IDENT: Final = re.compile(r"[^a-z0-9_]")


def snake_case(name: str) -> str:
    """``pageViewId`` → ``page_view_id``; ``.``, ``-`` and spaces become ``_``; lower case."""
    flat = name.replace(".", "_").replace("-", "_").replace(" ", "_")
    return _CAMEL_BOUNDARY.sub(r"\1_\2", flat).lower()


def sanitise(name: str) -> str:
    """A safe lower-case identifier: only ``[a-z0-9_]``, not starting with a digit, non-empty,
    at most 63 bytes (longer names are cut and end with ``_`` and 8 hex digits of a hash)."""
    ident = _NOT_IDENT.sub("_", name.lower()) or "_"
    if ident[0].isdigit():
        ident = "_" + ident
    if len(ident) > MAX_IDENTIFIER_BYTES:  # ASCII only by now: characters are bytes
        digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_CHARS]
        ident = f"{ident[: MAX_IDENTIFIER_BYTES - _HASH_CHARS - 1]}_{digest}"
    return ident


def quote(ident: str) -> str:
    """A double-quoted identifier (inner ``"`` doubled)."""
    return '"' + ident.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    """``"schema"."table"``."""
    return f"{quote(schema)}.{quote(table)}"


def quote_literal(text: str) -> str:
    """A single-quoted SQL string literal (standard-conforming strings: ``'`` doubled)."""
    return "'" + text.replace("'", "''") + "'"


def table_name(key: SchemaKey) -> str:
    """The shredded table of ``key``'s family and model: ``com_acme_checkout_1``."""
    vendor = snake_case(key.vendor)
    name = snake_case(key.name)
    return sanitise(f"{vendor}_{name}_{key.version.model}")
