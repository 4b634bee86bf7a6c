from pyplow.event import FIELD_COUNT, FIELD_INDEX, FIELD_NAMES, FIELDS, REQUIRED_FIELDS, Kind
from pyplow.event.model import EnrichedEvent


def test_there_are_131_fields_in_order() -> None:
    assert FIELD_COUNT == 131
    assert [f.index for f in FIELDS] == list(range(131))
    assert FIELD_NAMES[:4] == ("app_id", "platform", "etl_tstamp", "collector_tstamp")
    assert FIELD_NAMES[-1] == "true_tstamp"


def test_position_122_has_both_names() -> None:
    field = FIELDS[121]
    assert field.name == "refr_dvce_tstamp"
    assert field.python_sdk_name == "refr_device_tstamp"
    assert field.kind is Kind.TS
    renamed = [f.name for f in FIELDS if f.name != f.python_sdk_name]
    assert renamed == ["refr_dvce_tstamp"]


def test_json_fields_and_kinds() -> None:
    json_fields = {f.name: f.kind for f in FIELDS if f.kind in (Kind.CONTEXTS, Kind.UNSTRUCT)}
    assert json_fields == {
        "contexts": Kind.CONTEXTS,
        "unstruct_event": Kind.UNSTRUCT,
        "derived_contexts": Kind.CONTEXTS,
    }
    assert (FIELD_INDEX["contexts"], FIELD_INDEX["unstruct_event"]) == (52, 58)
    assert FIELD_INDEX["derived_contexts"] == 122
    decimals = [f.name for f in FIELDS if f.kind is Kind.DEC]
    assert decimals == [
        "se_value",
        "tr_total",
        "tr_tax",
        "tr_shipping",
        "ti_price",
        "tr_total_base",
        "tr_tax_base",
        "tr_shipping_base",
        "ti_price_base",
    ]
    assert [f.name for f in FIELDS if f.kind is Kind.FLOAT] == ["geo_latitude", "geo_longitude"]
    assert len([f for f in FIELDS if f.kind is Kind.BOOL]) == 11


def test_required_limits_and_ddl() -> None:
    assert {f.name for f in FIELDS if f.required} == REQUIRED_FIELDS
    assert {"collector_tstamp", "event_id", "v_collector", "v_etl"} == REQUIRED_FIELDS
    by_name = {f.name: f for f in FIELDS}
    assert by_name["page_url"].max_length == 10000
    assert by_name["page_url"].redshift_type == "varchar(4096)"
    assert by_name["event_id"].redshift_type == "char(36)"
    assert by_name["tr_total"].redshift_type == "dec(18,2)"
    assert by_name["se_value"].redshift_type == "double precision"
    assert by_name["domain_sessionid"].redshift_type == "char(128)"
    assert by_name["mkt_clickid"].max_length == 1000
    assert by_name["collector_tstamp"].max_length is None
    assert by_name["contexts"].redshift_type is None
    assert sum(f.redshift_type is not None for f in FIELDS) == 128


def test_model_fields_follow_the_table() -> None:
    assert EnrichedEvent.__struct_fields__ == FIELD_NAMES
