from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest
from event_rows import (
    EVERY_FIELD,
    OLD_SECOND_PRECISION,
    PAGE_VIEW,
    REQUIRED,
    TRANSACTION,
    events,
    row,
    tsv_lines,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.event import (
    CONTEXTS_SCHEMA_1_0_1,
    FIELD_INDEX,
    Contexts,
    EnrichedEvent,
    Entity,
    FieldNumberMismatch,
    InvalidValue,
    NotTSV,
    RowDecodingError,
    WholeSecondTimestamp,
    decode_tsv,
    encode_tsv,
    missing_required,
)
from pyplow.event.tsv_codegen import build_decoder


def _decode(line: str) -> EnrichedEvent:
    event = decode_tsv(line)
    assert isinstance(event, EnrichedEvent), event
    return event


@pytest.mark.parametrize("line", [PAGE_VIEW, TRANSACTION, OLD_SECOND_PRECISION, EVERY_FIELD])
def test_hand_written_rows_round_trip_byte_for_byte(line: str) -> None:
    assert encode_tsv(_decode(line)) == line


def test_page_view_values() -> None:
    event = _decode(PAGE_VIEW)
    assert event.app_id == "shop"
    assert event.collector_tstamp == datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
    assert event.dvce_created_tstamp == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert event.domain_sessionidx == 4
    assert event.page_urlport == 443
    assert event.geo_latitude == 48.8566
    assert event.br_cookies is True
    assert event.br_features_pdf is False
    assert event.br_features_java is None
    assert event.page_referrer is None
    assert event.unstruct_event is None
    assert isinstance(event.contexts, Contexts)
    assert event.contexts.schema == CONTEXTS_SCHEMA_1_0_1
    assert len(event.contexts.data) == 2
    assert event.derived_contexts == Contexts(
        CONTEXTS_SCHEMA_1_0_1,
        (
            Entity(
                "iglu:nl.basjes/yauaa_context/jsonschema/1-0-4",
                {"deviceClass": "Desktop", "agentName": "Firefox"},
            ),
        ),
    )
    assert missing_required(event) == ()


def test_transaction_decimals_keep_scale() -> None:
    event = _decode(TRANSACTION)
    assert event.tr_total == Decimal("12.50")
    assert str(event.tr_total) == "12.50"
    assert str(event.tr_shipping) == "0.00"
    assert str(event.tr_total_base) == "13.5125"
    assert str(event.se_value) == "1E+3"


def test_second_precision_timestamps_are_preserved() -> None:
    event = _decode(OLD_SECOND_PRECISION)
    assert isinstance(event.collector_tstamp, WholeSecondTimestamp)
    assert event.collector_tstamp == datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC)
    assert not isinstance(event.dvce_created_tstamp, WholeSecondTimestamp)
    plain = msgspec.structs.replace(
        event, collector_tstamp=datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC)
    )
    assert plain == event
    assert "\t2013-11-26 00:02:05.000\t" in encode_tsv(plain)
    assert "\t2013-11-26 00:02:05\t" in encode_tsv(event)


def test_decoder_without_parsers_keeps_texts() -> None:
    unparsed = build_decoder({})
    event = unparsed(PAGE_VIEW)
    parts = PAGE_VIEW.split("\t")
    assert event.collector_tstamp == parts[FIELD_INDEX["collector_tstamp"]]
    assert event.page_urlport == "443"
    assert event.contexts == parts[FIELD_INDEX["contexts"]]
    assert event.page_referrer is None  # empty texts still become None
    assert encode_tsv(_decode(PAGE_VIEW)) == PAGE_VIEW  # the default decoder is unchanged


def test_not_tsv_and_field_count() -> None:
    assert decode_tsv("") == NotTSV()
    assert decode_tsv("just one field") == NotTSV()
    assert decode_tsv("a\tb") == FieldNumberMismatch(2)
    assert decode_tsv(PAGE_VIEW + "\t") == FieldNumberMismatch(132)
    assert decode_tsv(PAGE_VIEW.rsplit("\t", 1)[0]) == FieldNumberMismatch(130)


def test_all_invalid_values_are_reported_in_field_order() -> None:
    line = row(
        collector_tstamp="yesterday",
        event_id="not-a-uuid",
        txn_id="12x",
        geo_latitude="north",
        contexts='{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":[]}',
        se_value="1,5",
        br_cookies="yes",
        v_collector="c",
    )
    error = decode_tsv(line)
    assert isinstance(error, RowDecodingError)
    assert error.errors == (
        InvalidValue(
            "collector_tstamp", "yesterday", "Cannot parse key collector_tstamp into datetime"
        ),
        InvalidValue("event_id", "not-a-uuid", "Cannot parse key event_id into UUID"),
        InvalidValue("txn_id", "12x", "Cannot parse key txn_id into integer"),
        InvalidValue("v_etl", "", "Field v_etl cannot be empty"),
        InvalidValue("geo_latitude", "north", "Cannot parse key geo_latitude into double"),
        InvalidValue(
            "contexts",
            '{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":[]}',
            "Unknown payload: iglu:com.acme/x/jsonschema/1-0-0 "
            "(expected iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-*)",
        ),
        InvalidValue("se_value", "1,5", "Cannot parse key se_value into double"),
        InvalidValue("br_cookies", "yes", "Cannot parse key br_cookies into boolean"),
    )


def test_missing_required_fields() -> None:
    error = decode_tsv(row())
    assert isinstance(error, RowDecodingError)
    assert [(e.key, e.value) for e in error.errors if isinstance(e, InvalidValue)] == [
        ("collector_tstamp", ""),
        ("event_id", ""),
        ("v_collector", ""),
        ("v_etl", ""),
    ]
    assert missing_required(EnrichedEvent()) == (
        "collector_tstamp",
        "event_id",
        "v_collector",
        "v_etl",
    )


def test_encoder_refuses_line_breaking_values() -> None:
    event = _decode(PAGE_VIEW)
    for bad in ("a\tb", "a\nb", "a\rb"):
        with pytest.raises(ValueError, match="page_title"):
            encode_tsv(msgspec.structs.replace(event, page_title=bad))


def test_encoder_writes_sub_millisecond_precision() -> None:
    event = EnrichedEvent(
        collector_tstamp=datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
        event_id=REQUIRED["event_id"],
        v_collector=REQUIRED["v_collector"],
        v_etl=REQUIRED["v_etl"],
    )
    line = encode_tsv(event)
    assert line.split("\t")[3] == "2024-01-01 00:00:00.123456"
    assert decode_tsv(line) == event


_FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(events())
def test_event_round_trip(event: EnrichedEvent) -> None:
    assert decode_tsv(encode_tsv(event)) == event


@_FAST
@given(tsv_lines())
def test_line_round_trip(line: str) -> None:
    assert encode_tsv(_decode(line)) == line


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(max_size=12) | st.sampled_from(["", "1", "x", "{}", "2020-01-01 00:00:00"]),
        min_size=1,
        max_size=140,
    ).map("\t".join)
    | st.text(max_size=80)
)
def test_decode_never_raises(line: str) -> None:
    result = decode_tsv(line)
    assert isinstance(result, EnrichedEvent | NotTSV | FieldNumberMismatch | RowDecodingError)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_characters="\t"), max_size=10), min_size=131, max_size=131
    )
)
def test_decode_never_raises_on_131_fields(fields: list[str]) -> None:
    result = decode_tsv("\t".join(fields))
    assert isinstance(result, EnrichedEvent | RowDecodingError)
