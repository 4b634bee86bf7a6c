"""Length limits, the derived timestamp and the event's schema fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.atomic import (
    DEFAULT_LIMITS,
    LENGTH_KEYWORD,
    check_lengths,
    derived_tstamp,
    event_schema_fields,
    length_limits,
)
from pyplow.iglu import DataReport, SchemaKey
from pyplow.protocol import EVENT_CODES


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[arg-type,misc]


def too_long(field: str, limit: int) -> DataReport:
    return DataReport(
        message=f"Field is longer than maximum allowed size {limit}",
        path=field,
        keyword=LENGTH_KEYWORD,
    )


# --- lengths ----------------------------------------------------------------------------------


def test_default_limits() -> None:
    limits = dict(DEFAULT_LIMITS)
    assert len(DEFAULT_LIMITS) == 84
    assert DEFAULT_LIMITS[0] == ("app_id", 255)
    assert DEFAULT_LIMITS[-1] == ("event_fingerprint", 128)
    assert limits["page_url"] == 10000
    assert limits["mkt_clickid"] == 1000
    assert limits["event_id"] == 36
    assert "se_value" not in limits
    assert "contexts" not in limits


def test_length_boundaries() -> None:
    assert check_lengths({"app_id": "a" * 255, "tr_currency": "GBP"}) == []
    assert check_lengths({"app_id": "a" * 256, "tr_currency": "EURO"}) == [
        too_long("app_id", 255),
        too_long("tr_currency", 3),
    ]


def test_lengths_count_utf16_units() -> None:
    # U+1F600 is one code point but two Java chars.
    assert check_lengths({"app_id": "\U0001f600" * 127 + "a"}) == []
    assert check_lengths({"app_id": "\U0001f600" * 128}) == [too_long("app_id", 255)]
    assert check_lengths({"app_id": "é" * 255}) == []


def test_lengths_skip_unset_and_non_text() -> None:
    fields: dict[str, Any] = {"app_id": None, "page_urlport": 10**30, "se_value": "9" * 5000}
    assert check_lengths(fields) == []


def test_configured_limits() -> None:
    limits = length_limits({"app_id": 5, "page_url": 4096})
    assert dict(limits)["page_url"] == 4096
    assert check_lengths({"app_id": "abcdef"}, limits) == [too_long("app_id", 5)]
    with pytest.raises(ValueError, match="se_value"):
        length_limits({"se_value": 3})


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([n for n, _ in DEFAULT_LIMITS]), st.text(max_size=300)))
def test_length_reports_match_limits(fields: dict[str, str]) -> None:
    limits = dict(DEFAULT_LIMITS)
    expected = {
        name
        for name, value in fields.items()
        if len(value.encode("utf-16-le", "surrogatepass")) // 2 > limits[name]
    }
    assert {r.path for r in check_lengths(fields)} == expected


# --- derived timestamp ------------------------------------------------------------------------

COLLECTOR = utc(2014, 4, 29, 9, 0, 54)


@pytest.mark.parametrize(
    ("created", "sent", "collector", "true", "expected"),
    [
        (utc(2014, 4, 29, 12, 0, 54, 555_000), None, COLLECTOR, None, COLLECTOR),
        (None, None, COLLECTOR, None, COLLECTOR),
        (None, None, None, None, None),
        (utc(2014, 4, 29, 9, 0, 54, 1000), COLLECTOR, COLLECTOR, None, COLLECTOR),
        (
            COLLECTOR,
            utc(2014, 4, 29, 9, 0, 54, 1000),
            COLLECTOR,
            None,
            utc(2014, 4, 29, 9, 0, 53, 999_000),
        ),
        (utc(2014, 4, 29, 9, 0, 54, 1000), COLLECTOR, COLLECTOR, utc(2000, 1, 1), utc(2000, 1, 1)),
        (COLLECTOR, COLLECTOR, COLLECTOR, None, COLLECTOR),
        # a wait of 3 h 20 min 0.5 s
        (
            utc(2020, 6, 1, 8, 0),
            utc(2020, 6, 1, 11, 20, 0, 500_000),
            utc(2020, 6, 1, 11, 20, 2),
            None,
            utc(2020, 6, 1, 8, 0, 1, 500_000),
        ),
    ],
)
def test_derived_tstamp(
    created: dt.datetime | None,
    sent: dt.datetime | None,
    collector: dt.datetime | None,
    true: dt.datetime | None,
    expected: dt.datetime | None,
) -> None:
    fields = {
        "dvce_created_tstamp": created,
        "dvce_sent_tstamp": sent,
        "collector_tstamp": collector,
        "true_tstamp": true,
    }
    assert derived_tstamp(fields) == expected


def test_long_waits_move_by_calendar_months() -> None:
    # Period(2024-01-31, 2024-03-01) is 1 month 1 day; 2024-03-31 minus that is 2024-02-28,
    # where subtracting the exact 30 days would give 2024-03-01.
    fields = {
        "dvce_created_tstamp": utc(2024, 1, 31),
        "dvce_sent_tstamp": utc(2024, 3, 1),
        "collector_tstamp": utc(2024, 3, 31),
    }
    assert derived_tstamp(fields) == utc(2024, 2, 28)


def test_long_waits_balance_leap_days() -> None:
    # Period(2020-02-29 12:00, 2021-03-01 12:00) is 1 year 1 day.
    fields = {
        "dvce_created_tstamp": utc(2020, 2, 29, 12),
        "dvce_sent_tstamp": utc(2021, 3, 1, 12),
        "collector_tstamp": utc(2021, 3, 1, 13),
    }
    assert derived_tstamp(fields) == utc(2020, 2, 29, 13)


def test_exactly_four_weeks() -> None:
    fields = {
        "dvce_created_tstamp": utc(2023, 2, 1),
        "dvce_sent_tstamp": utc(2023, 3, 1),
        "collector_tstamp": utc(2023, 3, 31, 6),
    }
    # Period = 1 month; 2023-03-31 06:00 minus one month is 2023-02-28 06:00.
    assert derived_tstamp(fields) == utc(2023, 2, 28, 6)


def test_derived_out_of_range_is_an_error() -> None:
    fields = {
        "dvce_created_tstamp": utc(2020, 1, 1),
        "dvce_sent_tstamp": utc(2020, 3, 1),
        "collector_tstamp": utc(1, 1, 15),
    }
    result = derived_tstamp(fields)
    assert isinstance(result, str)
    assert result.startswith("exception calculating derived timestamp: ")


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=800)),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)),
)
def test_derived_close_to_exact(
    start: dt.datetime, wait: dt.timedelta, collector: dt.datetime
) -> None:
    created = start.replace(tzinfo=dt.UTC, microsecond=start.microsecond // 1000 * 1000)
    sent = created + wait
    now = collector.replace(tzinfo=dt.UTC)
    result = derived_tstamp(
        {"dvce_created_tstamp": created, "dvce_sent_tstamp": sent, "collector_tstamp": now}
    )
    assert isinstance(result, dt.datetime)
    exact = now - wait
    # Calendar months and years differ from exact durations by a few days at most.
    assert abs(result - exact) <= dt.timedelta(days=3 * (wait.days // 28 + 1))
    if wait < dt.timedelta(days=28):
        assert result == exact


# --- event schema fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pv", ("com.snowplowanalytics.snowplow", "page_view", "jsonschema", "1-0-0")),
        ("pp", ("com.snowplowanalytics.snowplow", "page_ping", "jsonschema", "1-0-0")),
        ("se", ("com.google.analytics", "event", "jsonschema", "1-0-0")),
        ("ev", ("com.google.analytics", "event", "jsonschema", "1-0-0")),
        ("tr", ("com.snowplowanalytics.snowplow", "transaction", "jsonschema", "1-0-0")),
        ("ti", ("com.snowplowanalytics.snowplow", "transaction_item", "jsonschema", "1-0-0")),
    ],
)
def test_schema_fields_per_event_code(code: str, expected: tuple[str, ...]) -> None:
    fields: dict[str, Any] = {"event": EVENT_CODES[code].event}
    assert event_schema_fields(fields, None) is None
    actual = tuple(
        fields[f] for f in ("event_vendor", "event_name", "event_format", "event_version")
    )
    assert actual == expected


def test_schema_fields_of_unstruct_event() -> None:
    uri = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
    key = SchemaKey.parse(uri)
    assert isinstance(key, SchemaKey)
    for schema in (uri, key):
        fields: dict[str, Any] = {"event": "unstruct"}
        assert event_schema_fields(fields, schema) is None
        assert fields["event_name"] == "link_click"
        assert fields["event_version"] == "1-0-1"
    untouched: dict[str, Any] = {"event": "unstruct"}
    assert event_schema_fields(untouched, None) is None
    assert untouched == {"event": "unstruct"}


@pytest.mark.parametrize(
    ("event", "shown"), [("ad_impression", "ad_impression"), (None, "null"), ("x", "x")]
)
def test_schema_fields_of_events_without_schema(event: str | None, shown: str) -> None:
    fields: dict[str, Any] = {"event": event}
    assert event_schema_fields(fields, None) == (
        f"trying to extract the schema of the enriched event but event type [{shown}] doesn't "
        "match\n          any of page_view, page_ping, struct, transaction, transaction_item "
        "and unstruct\n          "
    )
    assert "event_vendor" not in fields
