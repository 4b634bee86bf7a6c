"""The tracker-protocol parameter table: every parameter Enrich understands, in one place.

Each row says which enriched field(s) a parameter fills, how its string value is converted
(``ParamKind``) and Enrich's default length limit for the resulting field. The same rows record
the ``payload_data`` version that first allowed the key in a POST body, from which the key
sets of every ``payload_data`` 1-0-x version are derived.

Also here: the event-code table (``e`` → enriched ``event`` and event vendor/name/format/version)
and the set of accepted platform codes.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Final

import msgspec

__all__ = [
    "EVENT_CODES",
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "PAYLOAD_DATA_KEYS",
    "PAYLOAD_DATA_VERSIONS",
    "PLATFORMS",
    "EventCode",
    "ParamKind",
    "Parameter",
]


class ParamKind(enum.Enum):
    """How a parameter's raw string becomes an enriched value (see ``pyplow.protocol.values``)."""

    STR = "str"  # TSV-safe string
    INT = "int"  # 32-bit signed integer, "null" literal allowed
    DEC = "dec"  # arbitrary-precision decimal, "null" literal allowed
    BOOL = "bool"  # "1" or "0"
    TS = "ts"  # milliseconds since the epoch
    UUID = "uuid"  # canonical UUID, stored lower-cased
    DIMS = "dims"  # "<width>x<height>", two fields
    PLATFORM = "platform"  # one of PLATFORMS
    EVENT_CODE = "event_code"  # one of EVENT_CODES
    IP = "ip"  # TSV-safe string cut at the first ',', '|' or space
    JSON = "json"  # self-describing JSON as plain text
    BASE64_JSON = "base64_json"  # self-describing JSON, base64 (URL-safe or standard)
    IGNORED = "ignored"  # accepted in a POST body, sets nothing


class Parameter(msgspec.Struct, frozen=True, kw_only=True):
    """One tracker-protocol parameter.

    ``fields`` lists the enriched fields it sets (two for ``DIMS``, none for ``IGNORED``);
    ``max_length`` is Enrich's default atomic-field length limit (None: no limit applies);
    ``payload_data_since`` is the first ``payload_data`` version whose items may carry the key
    (None: never allowed in a POST body, so it can only arrive through a querystring).
    """

    name: str
    kind: ParamKind
    fields: tuple[str, ...] = ()
    max_length: int | None = None
    payload_data_since: str | None = "1-0-0"
    legacy: bool = False

    @property
    def field(self) -> str | None:
        """The (first) enriched field this parameter sets, or None when it sets nothing."""
        return self.fields[0] if self.fields else None


class EventCode(msgspec.Struct, frozen=True, kw_only=True):
    """One value of the ``e`` parameter and what Enrich derives from it.

    ``schema_vendor``/``name``/``format``/``version`` are the ``event_vendor`` … ``event_version``
    fields Enrich sets; None for ``ue`` (taken from the inner self-describing event) and for the
    legacy ``ad`` (Enrich finds no schema for it and the event fails).
    """

    code: str
    event: str
    schema_vendor: str | None = None
    schema_name: str | None = None
    schema_format: str | None = None
    schema_version: str | None = None
    legacy: bool = False


def _p(
    name: str,
    kind: ParamKind,
    *fields: str,
    limit: int | None = None,
    since: str | None = "1-0-0",
    legacy: bool = False,
) -> Parameter:
    return Parameter(
        name=name,
        kind=kind,
        fields=fields,
        max_length=limit,
        payload_data_since=since,
        legacy=legacy,
    )


_S, _I, _D, _B = ParamKind.STR, ParamKind.INT, ParamKind.DEC, ParamKind.BOOL
_T, _U, _X = ParamKind.TS, ParamKind.UUID, ParamKind.DIMS

#: Every parameter of the tracker protocol, grouped as in the protocol's documentation.
PARAMETERS: Final[tuple[Parameter, ...]] = (
    # --- common, identity, time
    _p("e", ParamKind.EVENT_CODE, "event", limit=128),
    _p("eid", _U, "event_id", limit=36),
    _p("aid", _S, "app_id", limit=255),
    _p("p", ParamKind.PLATFORM, "platform", limit=255),
    _p("tv", _S, "v_tracker", limit=100),
    _p("tna", _S, "name_tracker", limit=128),
    _p("cv", _S, "v_collector", limit=100, since=None),
    _p("uid", _S, "user_id", limit=255),
    _p("duid", _S, "domain_userid", limit=128),
    _p("nuid", _S, "network_userid", limit=128),
    _p("tnuid", _S, "network_userid", limit=128, since="1-0-2"),
    _p("sid", _U, "domain_sessionid", limit=128, since="1-0-3"),
    _p("vid", _I, "domain_sessionidx"),
    _p("ip", ParamKind.IP, "user_ipaddress", limit=128),
    _p("ua", _S, "useragent", limit=1000, since="1-0-1"),
    _p("fp", _S, "user_fingerprint", limit=128),
    _p("tid", _I, "txn_id"),
    _p("dtm", _T, "dvce_created_tstamp"),
    _p("stm", _T, "dvce_sent_tstamp", since="1-0-3"),
    _p("ttm", _T, "true_tstamp", since="1-0-4"),
    _p("tz", _S, "os_timezone", limit=255),
    _p("lang", _S, "br_lang", limit=255),
    _p("cs", _S, "doc_charset", limit=128),
    _p("cd", _S, "br_colordepth", limit=12),
    _p("cookie", _B, "br_cookies"),
    _p("res", _X, "dvce_screenwidth", "dvce_screenheight"),
    _p("vp", _X, "br_viewwidth", "br_viewheight"),
    _p("ds", _X, "doc_width", "doc_height"),
    _p("url", _S, "page_url", limit=10000),
    _p("refr", _S, "page_referrer", limit=10000),
    _p("page", _S, "page_title", limit=2000),
    _p("f_pdf", _B, "br_features_pdf"),
    _p("f_fla", _B, "br_features_flash"),
    _p("f_java", _B, "br_features_java"),
    _p("f_dir", _B, "br_features_director"),
    _p("f_qt", _B, "br_features_quicktime"),
    _p("f_realp", _B, "br_features_realplayer"),
    _p("f_wma", _B, "br_features_windowsmedia"),
    _p("f_gears", _B, "br_features_gears"),
    _p("f_ag", _B, "br_features_silverlight"),
    # --- self-describing JSON carriers
    _p("ue_pr", ParamKind.JSON, "unstruct_event"),
    _p("ue_px", ParamKind.BASE64_JSON, "unstruct_event"),
    _p("co", ParamKind.JSON, "contexts"),
    _p("cx", ParamKind.BASE64_JSON, "contexts"),
    # --- structured events (ev_* are the legacy spellings, never in payload_data)
    _p("se_ca", _S, "se_category", limit=1000),
    _p("se_ac", _S, "se_action", limit=1000),
    _p("se_la", _S, "se_label", limit=4096),
    _p("se_pr", _S, "se_property", limit=1000),
    _p("se_va", _D, "se_value"),
    _p("ev_ca", _S, "se_category", limit=1000, since=None, legacy=True),
    _p("ev_ac", _S, "se_action", limit=1000, since=None, legacy=True),
    _p("ev_la", _S, "se_label", limit=4096, since=None, legacy=True),
    _p("ev_pr", _S, "se_property", limit=1000, since=None, legacy=True),
    _p("ev_va", _D, "se_value", since=None, legacy=True),
    # --- legacy ecommerce: transactions
    _p("tr_id", _S, "tr_orderid", limit=255),
    _p("tr_af", _S, "tr_affiliation", limit=255),
    _p("tr_tt", _D, "tr_total"),
    _p("tr_tx", _D, "tr_tax"),
    _p("tr_sh", _D, "tr_shipping"),
    _p("tr_ci", _S, "tr_city", limit=255),
    _p("tr_st", _S, "tr_state", limit=255),
    _p("tr_co", _S, "tr_country", limit=255),
    _p("tr_cu", _S, "tr_currency", limit=3),
    # --- legacy ecommerce: transaction items (ti_na is a historic misspelling of ti_nm)
    _p("ti_id", _S, "ti_orderid", limit=255),
    _p("ti_sk", _S, "ti_sku", limit=255),
    _p("ti_nm", _S, "ti_name", limit=255),
    _p("ti_na", _S, "ti_name", limit=255, legacy=True),
    _p("ti_ca", _S, "ti_category", limit=255),
    _p("ti_pr", _D, "ti_price"),
    _p("ti_qu", _I, "ti_quantity"),
    _p("ti_cu", _S, "ti_currency", limit=3),
    # --- page pings
    _p("pp_mix", _I, "pp_xoffset_min"),
    _p("pp_max", _I, "pp_xoffset_max"),
    _p("pp_miy", _I, "pp_yoffset_min"),
    _p("pp_may", _I, "pp_yoffset_max"),
    # --- accepted in POST bodies but ignored by Enrich
    _p("ue_na", ParamKind.IGNORED, legacy=True),
    _p("ctype", ParamKind.IGNORED, legacy=True),
    _p("mac", ParamKind.IGNORED, legacy=True),
    _p("ad_ba", ParamKind.IGNORED, legacy=True),
    _p("ad_ca", ParamKind.IGNORED, legacy=True),
    _p("ad_ad", ParamKind.IGNORED, legacy=True),
    _p("ad_uid", ParamKind.IGNORED, legacy=True),
    _p("sa", ParamKind.IGNORED, legacy=True),
    _p("sn", ParamKind.IGNORED, legacy=True),
    _p("st", ParamKind.IGNORED, legacy=True),
    _p("sp", ParamKind.IGNORED, legacy=True),
)

#: Lookup by parameter name.
PARAMETERS_BY_NAME: Final[MappingProxyType[str, Parameter]] = MappingProxyType(
    {p.name: p for p in PARAMETERS}
)

#: The published ``payload_data`` versions, oldest first (all model 1, revision 0).
PAYLOAD_DATA_VERSIONS: Final[tuple[str, ...]] = ("1-0-0", "1-0-1", "1-0-2", "1-0-3", "1-0-4")


def _keys_up_to(version: str) -> frozenset[str]:
    rank = PAYLOAD_DATA_VERSIONS.index(version)
    return frozenset(
        p.name
        for p in PARAMETERS
        if p.payload_data_since is not None
        and PAYLOAD_DATA_VERSIONS.index(p.payload_data_since) <= rank
    )


#: The item keys each ``payload_data`` version allows (items have additionalProperties false).
PAYLOAD_DATA_KEYS: Final[MappingProxyType[str, frozenset[str]]] = MappingProxyType(
    {v: _keys_up_to(v) for v in PAYLOAD_DATA_VERSIONS}
)

#: Keys every ``payload_data`` item must carry.
PAYLOAD_DATA_REQUIRED: Final[tuple[str, ...]] = ("tv", "p", "e")

#: Accepted values of ``p``.
PLATFORMS: Final[frozenset[str]] = frozenset(
    {"web", "mob", "pc", "srv", "app", "tv", "cnsl", "iot", "headset"}
)

_SP = "com.snowplowanalytics.snowplow"


def _e(
    code: str, event: str, vendor: str | None, name: str | None, legacy: bool = False
) -> EventCode:
    fmt, ver = ("jsonschema", "1-0-0") if vendor is not None else (None, None)
    return EventCode(
        code=code,
        event=event,
        schema_vendor=vendor,
        schema_name=name,
        schema_format=fmt,
        schema_version=ver,
        legacy=legacy,
    )


#: The ``e`` values Enrich accepts; anything else is an atomic parse error.
EVENT_CODES: Final[MappingProxyType[str, EventCode]] = MappingProxyType(
    {
        c.code: c
        for c in (
            _e("pv", "page_view", _SP, "page_view"),
            _e("pp", "page_ping", _SP, "page_ping"),
            _e("se", "struct", "com.google.analytics", "event"),
            _e("ev", "struct", "com.google.analytics", "event", legacy=True),
            _e("ue", "unstruct", None, None),
            _e("tr", "transaction", _SP, "transaction"),
            _e("ti", "transaction_item", _SP, "transaction_item"),
            _e("ad", "ad_impression", None, None, legacy=True),
        )
    }
)
