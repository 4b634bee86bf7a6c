"""The parameter table, event codes, platforms and payload_data key sets."""

from __future__ import annotations

import itertools

import pytest

from pyplow.protocol.parameters import (
    EVENT_CODES,
    PARAMETERS,
    PARAMETERS_BY_NAME,
    PAYLOAD_DATA_KEYS,
    PAYLOAD_DATA_VERSIONS,
    PLATFORMS,
    ParamKind,
)

K = ParamKind

# (name, fields, kind, max_length) straight from the protocol's tables.
EXPECTED_ROWS = [
    ("e", ("event",), K.EVENT_CODE, 128),
    ("eid", ("event_id",), K.UUID, 36),
    ("aid", ("app_id",), K.STR, 255),
    ("p", ("platform",), K.PLATFORM, 255),
    ("tv", ("v_tracker",), K.STR, 100),
    ("tna", ("name_tracker",), K.STR, 128),
    ("cv", ("v_collector",), K.STR, 100),
    ("uid", ("user_id",), K.STR, 255),
    ("duid", ("domain_userid",), K.STR, 128),
    ("nuid", ("network_userid",), K.STR, 128),
    ("tnuid", ("network_userid",), K.STR, 128),
    ("sid", ("domain_sessionid",), K.UUID, 128),
    ("vid", ("domain_sessionidx",), K.INT, None),
    ("ip", ("user_ipaddress",), K.IP, 128),
    ("ua", ("useragent",), K.STR, 1000),
    ("fp", ("user_fingerprint",), K.STR, 128),
    ("tid", ("txn_id",), K.INT, None),
    ("dtm", ("dvce_created_tstamp",), K.TS, None),
    ("stm", ("dvce_sent_tstamp",), K.TS, None),
    ("ttm", ("true_tstamp",), K.TS, None),
    ("tz", ("os_timezone",), K.STR, 255),
    ("lang", ("br_lang",), K.STR, 255),
    ("cs", ("doc_charset",), K.STR, 128),
    ("cd", ("br_colordepth",), K.STR, 12),
    ("cookie", ("br_cookies",), K.BOOL, None),
    ("res", ("dvce_screenwidth", "dvce_screenheight"), K.DIMS, None),
    ("vp", ("br_viewwidth", "br_viewheight"), K.DIMS, None),
    ("ds", ("doc_width", "doc_height"), K.DIMS, None),
    ("url", ("page_url",), K.STR, 10000),
    ("refr", ("page_referrer",), K.STR, 10000),
    ("page", ("page_title",), K.STR, 2000),
    ("f_pdf", ("br_features_pdf",), K.BOOL, None),
    ("f_fla", ("br_features_flash",), K.BOOL, None),
    ("f_java", ("br_features_java",), K.BOOL, None),
    ("f_dir", ("br_features_director",), K.BOOL, None),
    ("f_qt", ("br_features_quicktime",), K.BOOL, None),
    ("f_realp", ("br_features_realplayer",), K.BOOL, None),
    ("f_wma", ("br_features_windowsmedia",), K.BOOL, None),
    ("f_gears", ("br_features_gears",), K.BOOL, None),
    ("f_ag", ("br_features_silverlight",), K.BOOL, None),
    ("ue_pr", ("unstruct_event",), K.JSON, None),
    ("ue_px", ("unstruct_event",), K.BASE64_JSON, None),
    ("co", ("contexts",), K.JSON, None),
    ("cx", ("contexts",), K.BASE64_JSON, None),
    ("se_ca", ("se_category",), K.STR, 1000),
    ("se_ac", ("se_action",), K.STR, 1000),
    ("se_la", ("se_label",), K.STR, 4096),
    ("se_pr", ("se_property",), K.STR, 1000),
    ("se_va", ("se_value",), K.DEC, None),
    ("ev_ca", ("se_category",), K.STR, 1000),
    ("ev_ac", ("se_action",), K.STR, 1000),
    ("ev_la", ("se_label",), K.STR, 4096),
    ("ev_pr", ("se_property",), K.STR, 1000),
    ("ev_va", ("se_value",), K.DEC, None),
    ("tr_id", ("tr_orderid",), K.STR, 255),
    ("tr_af", ("tr_affiliation",), K.STR, 255),
    ("tr_tt", ("tr_total",), K.DEC, None),
    ("tr_tx", ("tr_tax",), K.DEC, None),
    ("tr_sh", ("tr_shipping",), K.DEC, None),
    ("tr_ci", ("tr_city",), K.STR, 255),
    ("tr_st", ("tr_state",), K.STR, 255),
    ("tr_co", ("tr_country",), K.STR, 255),
    ("tr_cu", ("tr_currency",), K.STR, 3),
    ("ti_id", ("ti_orderid",), K.STR, 255),
    ("ti_sk", ("ti_sku",), K.STR, 255),
    ("ti_nm", ("ti_name",), K.STR, 255),
    ("ti_na", ("ti_name",), K.STR, 255),
    ("ti_ca", ("ti_category",), K.STR, 255),
    ("ti_pr", ("ti_price",), K.DEC, None),
    ("ti_qu", ("ti_quantity",), K.INT, None),
    ("ti_cu", ("ti_currency",), K.STR, 3),
    ("pp_mix", ("pp_xoffset_min",), K.INT, None),
    ("pp_max", ("pp_xoffset_max",), K.INT, None),
    ("pp_miy", ("pp_yoffset_min",), K.INT, None),
    ("pp_may", ("pp_yoffset_max",), K.INT, None),
]
IGNORED = ["ue_na", "ctype", "mac", "ad_ba", "ad_ca", "ad_ad", "ad_uid", "sa", "sn", "st", "sp"]


@pytest.mark.parametrize(("name", "fields", "kind", "limit"), EXPECTED_ROWS)
def test_row(name: str, fields: tuple[str, ...], kind: ParamKind, limit: int | None) -> None:
    row = PARAMETERS_BY_NAME[name]
    assert (row.fields, row.kind, row.max_length) == (fields, kind, limit)
    assert row.field == fields[0]


@pytest.mark.parametrize("name", IGNORED)
def test_ignored_rows_set_nothing(name: str) -> None:
    row = PARAMETERS_BY_NAME[name]
    assert row.kind is ParamKind.IGNORED
    assert row.fields == ()
    assert row.field is None
    assert row.payload_data_since == "1-0-0"


def test_table_is_exactly_the_protocol() -> None:
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    assert set(names) == {r[0] for r in EXPECTED_ROWS} | set(IGNORED)
    assert len(PARAMETERS) == 86


def test_legacy_flags() -> None:
    legacy = {p.name for p in PARAMETERS if p.legacy}
    assert {"ev_ca", "ev_ac", "ev_la", "ev_pr", "ev_va", "ti_na"} <= legacy
    assert "se_ca" not in legacy


def test_payload_data_key_counts() -> None:
    counts = {v: len(PAYLOAD_DATA_KEYS[v]) for v in PAYLOAD_DATA_VERSIONS}
    assert counts == {"1-0-0": 75, "1-0-1": 76, "1-0-2": 77, "1-0-3": 79, "1-0-4": 80}


def test_payload_data_versions_add_the_documented_keys() -> None:
    added = [
        PAYLOAD_DATA_KEYS[new] - PAYLOAD_DATA_KEYS[old]
        for old, new in itertools.pairwise(PAYLOAD_DATA_VERSIONS)
    ]
    assert added == [{"ua"}, {"tnuid"}, {"sid", "stm"}, {"ttm"}]


def test_payload_data_never_allows_querystring_only_keys() -> None:
    latest = PAYLOAD_DATA_KEYS["1-0-4"]
    for name in ("cv", "ev_ca", "ev_ac", "ev_la", "ev_pr", "ev_va"):
        assert name not in latest
    for name in ("tv", "p", "e", "ti_na", "ue_na", "cx", "tid", "fp"):
        assert name in latest


def test_event_codes() -> None:
    assert set(EVENT_CODES) == {"pv", "pp", "se", "ev", "ue", "tr", "ti", "ad"}
    se = EVENT_CODES["se"]
    assert (se.event, se.schema_vendor, se.schema_name) == (
        "struct",
        "com.google.analytics",
        "event",
    )
    assert EVENT_CODES["ev"].event == "struct"
    pv = EVENT_CODES["pv"]
    assert (pv.schema_vendor, pv.schema_name, pv.schema_format, pv.schema_version) == (
        "com.snowplowanalytics.snowplow",
        "page_view",
        "jsonschema",
        "1-0-0",
    )
    assert EVENT_CODES["ti"].event == "transaction_item"
    assert EVENT_CODES["ue"].schema_vendor is None
    assert EVENT_CODES["ad"].event == "ad_impression"
    assert EVENT_CODES["ad"].schema_name is None


def test_platforms() -> None:
    assert {"web", "mob", "pc", "srv", "app", "tv", "cnsl", "iot", "headset"} == PLATFORMS
