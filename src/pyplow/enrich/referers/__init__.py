"""Referrer classification: a referer-parser database reader and pyplow's own database.

``builtin_database()`` is pyplow's shipped database (``referers.json`` beside this module,
Apache-2.0 like the rest of pyplow, composed for pyplow from public knowledge of the major
search engines, social networks, e-mail providers, ad networks and chatbots). Any database in
Snowplow's referer-parser JSON format can be loaded with ``load_database``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from pyplow.enrich.referers.database import (
    MEDIA,
    Provider,
    RefererDatabase,
    RefererDatabaseError,
    load_database,
)
from pyplow.enrich.referers.parser import Referer, RefererParser, decode_form_component

__all__ = [
    "BUILTIN_DATABASE_PATH",
    "MEDIA",
    "Provider",
    "Referer",
    "RefererDatabase",
    "RefererDatabaseError",
    "RefererParser",
    "builtin_database",
    "decode_form_component",
    "load_database",
]

#: pyplow's own referer database, in referer-parser's JSON format.
BUILTIN_DATABASE_PATH: Final = Path(__file__).with_name("referers.json")


@cache
def builtin_database() -> RefererDatabase:
    """pyplow's shipped database (read once)."""
    return load_database(BUILTIN_DATABASE_PATH)
