"""The 131 fields of an enriched event, in Snowplow's order, described in one place.

Every other module of :mod:`pyplow.event` (the model, the TSV codec, the SDK JSON shapes) and
the loaders derive their column lists from :data:`FIELDS`, so the order and the per-field facts
live here only.

For each field we record:

- ``kind``: how the value is typed and written (see :class:`Kind`);
- ``max_length``: Enrich's default ``atomicFieldsLimits`` (``None`` = no length check);
- ``required``: non-optional in the Scala Analytics SDK sense (``collector_tstamp``,
  ``event_id``, ``v_collector``, ``v_etl``); these are also ``NOT NULL`` in the warehouse;
- ``redshift_type``: the column type in Redshift ``atomic.events`` 0.11.0, without the
  ``NOT NULL`` constraint (``None`` for the three JSON fields, which are not columns);
- ``python_sdk_name``: the key used by the Python Analytics SDK 0.2.3, which differs from
  ``name`` only at position 122 (``refr_dvce_tstamp`` is called ``refr_device_tstamp`` there).
"""

from __future__ import annotations

import enum
from typing import Final

import msgspec

__all__ = [
    "FIELDS",
    "FIELD_COUNT",
    "FIELD_INDEX",
    "FIELD_NAMES",
    "REQUIRED_FIELDS",
    "Field",
    "Kind",
]


class Kind(enum.Enum):
    """How a field's value is typed in the model and rendered in the TSV."""

    STR = "str"
    """Free text; empty means absent."""
    INT = "int"
    """32-bit signed integer (Java ``Integer``)."""
    DEC = "dec"
    """Decimal with its scale kept (Java ``BigDecimal``), e.g. ``12.50``."""
    FLOAT = "float"
    """Binary floating point (Enrich holds a Java ``Float``), e.g. ``37.443604``."""
    BOOL = "bool"
    """``1`` / ``0``."""
    TS = "ts"
    """UTC timestamp ``yyyy-MM-dd HH:mm:ss.SSS``."""
    UUID = "uuid"
    """A UUID in its canonical 8-4-4-4-12 hexadecimal text form."""
    CONTEXTS = "contexts"
    """A ``contexts`` envelope holding a list of self-describing entities (JSON)."""
    UNSTRUCT = "unstruct"
    """An ``unstruct_event`` envelope holding one self-describing event (JSON)."""


class Field(msgspec.Struct, frozen=True, kw_only=True):
    """Facts about one column of the enriched-event TSV."""

    index: int
    """0-based position in the TSV line."""
    name: str
    """Name used by Enrich, the Scala Analytics SDK and the warehouse DDL."""
    kind: Kind
    max_length: int | None
    required: bool
    redshift_type: str | None
    python_sdk_name: str


STR: Final = Kind.STR
INT: Final = Kind.INT
DEC: Final = Kind.DEC
FLOAT: Final = Kind.FLOAT
BOOL: Final = Kind.BOOL
TS: Final = Kind.TS
UUID: Final = Kind.UUID
CONTEXTS: Final = Kind.CONTEXTS
UNSTRUCT: Final = Kind.UNSTRUCT

# (name, kind, Enrich default max length, Redshift 0.11.0 column type), in TSV order.
_TABLE: Final[tuple[tuple[str, Kind, int | None, str | None], ...]] = (
    ("app_id", STR, 255, "varchar(255)"),
    ("platform", STR, 255, "varchar(255)"),
    ("etl_tstamp", TS, None, "timestamp"),
    ("collector_tstamp", TS, None, "timestamp"),
    ("dvce_created_tstamp", TS, None, "timestamp"),
    ("event", STR, 128, "varchar(128)"),
    ("event_id", UUID, 36, "char(36)"),
    ("txn_id", INT, None, "int"),
    ("name_tracker", STR, 128, "varchar(128)"),
    ("v_tracker", STR, 100, "varchar(100)"),
    ("v_collector", STR, 100, "varchar(100)"),
    ("v_etl", STR, 100, "varchar(100)"),
    ("user_id", STR, 255, "varchar(255)"),
    ("user_ipaddress", STR, 128, "varchar(128)"),
    ("user_fingerprint", STR, 128, "varchar(128)"),
    ("domain_userid", STR, 128, "varchar(128)"),
    ("domain_sessionidx", INT, None, "int"),
    ("network_userid", STR, 128, "varchar(128)"),
    ("geo_country", STR, 2, "char(2)"),
    ("geo_region", STR, 3, "char(3)"),
    ("geo_city", STR, 75, "varchar(75)"),
    ("geo_zipcode", STR, 15, "varchar(15)"),
    ("geo_latitude", FLOAT, None, "double precision"),
    ("geo_longitude", FLOAT, None, "double precision"),
    ("geo_region_name", STR, 100, "varchar(100)"),
    ("ip_isp", STR, 100, "varchar(100)"),
    ("ip_organization", STR, 128, "varchar(128)"),
    ("ip_domain", STR, 128, "varchar(128)"),
    ("ip_netspeed", STR, 100, "varchar(100)"),
    ("page_url", STR, 10000, "varchar(4096)"),
    ("page_title", STR, 2000, "varchar(2000)"),
    ("page_referrer", STR, 10000, "varchar(4096)"),
    ("page_urlscheme", STR, 16, "varchar(16)"),
    ("page_urlhost", STR, 255, "varchar(255)"),
    ("page_urlport", INT, None, "int"),
    ("page_urlpath", STR, 3000, "varchar(3000)"),
    ("page_urlquery", STR, 6000, "varchar(6000)"),
    ("page_urlfragment", STR, 3000, "varchar(3000)"),
    ("refr_urlscheme", STR, 16, "varchar(16)"),
    ("refr_urlhost", STR, 255, "varchar(255)"),
    ("refr_urlport", INT, None, "int"),
    ("refr_urlpath", STR, 6000, "varchar(6000)"),
    ("refr_urlquery", STR, 6000, "varchar(6000)"),
    ("refr_urlfragment", STR, 3000, "varchar(3000)"),
    ("refr_medium", STR, 25, "varchar(25)"),
    ("refr_source", STR, 50, "varchar(50)"),
    ("refr_term", STR, 255, "varchar(255)"),
    ("mkt_medium", STR, 255, "varchar(255)"),
    ("mkt_source", STR, 255, "varchar(255)"),
    ("mkt_term", STR, 255, "varchar(255)"),
    ("mkt_content", STR, 500, "varchar(500)"),
    ("mkt_campaign", STR, 255, "varchar(255)"),
    ("contexts", CONTEXTS, None, None),
    ("se_category", STR, 1000, "varchar(1000)"),
    ("se_action", STR, 1000, "varchar(1000)"),
    ("se_label", STR, 4096, "varchar(4096)"),
    ("se_property", STR, 1000, "varchar(1000)"),
    ("se_value", DEC, None, "double precision"),
    ("unstruct_event", UNSTRUCT, None, None),
    ("tr_orderid", STR, 255, "varchar(255)"),
    ("tr_affiliation", STR, 255, "varchar(255)"),
    ("tr_total", DEC, None, "dec(18,2)"),
    ("tr_tax", DEC, None, "dec(18,2)"),
    ("tr_shipping", DEC, None, "dec(18,2)"),
    ("tr_city", STR, 255, "varchar(255)"),
    ("tr_state", STR, 255, "varchar(255)"),
    ("tr_country", STR, 255, "varchar(255)"),
    ("ti_orderid", STR, 255, "varchar(255)"),
    ("ti_sku", STR, 255, "varchar(255)"),
    ("ti_name", STR, 255, "varchar(255)"),
    ("ti_category", STR, 255, "varchar(255)"),
    ("ti_price", DEC, None, "dec(18,2)"),
    ("ti_quantity", INT, None, "int"),
    ("pp_xoffset_min", INT, None, "int"),
    ("pp_xoffset_max", INT, None, "int"),
    ("pp_yoffset_min", INT, None, "int"),
    ("pp_yoffset_max", INT, None, "int"),
    ("useragent", STR, 1000, "varchar(1000)"),
    ("br_name", STR, 50, "varchar(50)"),
    ("br_family", STR, 50, "varchar(50)"),
    ("br_version", STR, 50, "varchar(50)"),
    ("br_type", STR, 50, "varchar(50)"),
    ("br_renderengine", STR, 50, "varchar(50)"),
    ("br_lang", STR, 255, "varchar(255)"),
    ("br_features_pdf", BOOL, None, "boolean"),
    ("br_features_flash", BOOL, None, "boolean"),
    ("br_features_java", BOOL, None, "boolean"),
    ("br_features_director", BOOL, None, "boolean"),
    ("br_features_quicktime", BOOL, None, "boolean"),
    ("br_features_realplayer", BOOL, None, "boolean"),
    ("br_features_windowsmedia", BOOL, None, "boolean"),
    ("br_features_gears", BOOL, None, "boolean"),
    ("br_features_silverlight", BOOL, None, "boolean"),
    ("br_cookies", BOOL, None, "boolean"),
    ("br_colordepth", STR, 12, "varchar(12)"),
    ("br_viewwidth", INT, None, "int"),
    ("br_viewheight", INT, None, "int"),
    ("os_name", STR, 50, "varchar(50)"),
    ("os_family", STR, 50, "varchar(50)"),
    ("os_manufacturer", STR, 50, "varchar(50)"),
    ("os_timezone", STR, 255, "varchar(255)"),
    ("dvce_type", STR, 50, "varchar(50)"),
    ("dvce_ismobile", BOOL, None, "boolean"),
    ("dvce_screenwidth", INT, None, "int"),
    ("dvce_screenheight", INT, None, "int"),
    ("doc_charset", STR, 128, "varchar(128)"),
    ("doc_width", INT, None, "int"),
    ("doc_height", INT, None, "int"),
    ("tr_currency", STR, 3, "char(3)"),
    ("tr_total_base", DEC, None, "dec(18,2)"),
    ("tr_tax_base", DEC, None, "dec(18,2)"),
    ("tr_shipping_base", DEC, None, "dec(18,2)"),
    ("ti_currency", STR, 3, "char(3)"),
    ("ti_price_base", DEC, None, "dec(18,2)"),
    ("base_currency", STR, 3, "char(3)"),
    ("geo_timezone", STR, 64, "varchar(64)"),
    ("mkt_clickid", STR, 1000, "varchar(128)"),
    ("mkt_network", STR, 64, "varchar(64)"),
    ("etl_tags", STR, 500, "varchar(500)"),
    ("dvce_sent_tstamp", TS, None, "timestamp"),
    ("refr_domain_userid", STR, 128, "varchar(128)"),
    ("refr_dvce_tstamp", TS, None, "timestamp"),
    ("derived_contexts", CONTEXTS, None, None),
    ("domain_sessionid", STR, 128, "char(128)"),
    ("derived_tstamp", TS, None, "timestamp"),
    ("event_vendor", STR, 1000, "varchar(1000)"),
    ("event_name", STR, 1000, "varchar(1000)"),
    ("event_format", STR, 128, "varchar(128)"),
    ("event_version", STR, 128, "varchar(128)"),
    ("event_fingerprint", STR, 128, "varchar(128)"),
    ("true_tstamp", TS, None, "timestamp"),
)

REQUIRED_FIELDS: Final[frozenset[str]] = frozenset(
    {"collector_tstamp", "event_id", "v_collector", "v_etl"}
)
"""Fields the Scala Analytics SDK types as non-optional."""

_PYTHON_SDK_RENAMES: Final[dict[str, str]] = {"refr_dvce_tstamp": "refr_device_tstamp"}

FIELDS: Final[tuple[Field, ...]] = tuple(
    Field(
        index=i,
        name=name,
        kind=kind,
        max_length=max_length,
        required=name in REQUIRED_FIELDS,
        redshift_type=redshift_type,
        python_sdk_name=_PYTHON_SDK_RENAMES.get(name, name),
    )
    for i, (name, kind, max_length, redshift_type) in enumerate(_TABLE)
)
"""All 131 fields in TSV order."""

FIELD_COUNT: Final[int] = len(FIELDS)
"""Number of TAB-separated values in one enriched event (131)."""

FIELD_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in FIELDS)
"""Field names in TSV order."""

FIELD_INDEX: Final[dict[str, int]] = {f.name: f.index for f in FIELDS}
"""Field name → 0-based TSV position."""
