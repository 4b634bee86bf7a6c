import math
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.event.values import (
    InvalidTextError,
    WholeSecondTimestamp,
    format_instant,
    format_java_float,
    format_timestamp,
    parse_bool,
    parse_decimal,
    parse_float,
    parse_int,
    parse_int_memo,
    parse_timestamp,
    parse_uuid,
    strict_bool,
    strict_decimal,
    strict_float,
    strict_float_memo,
    strict_int,
    strict_timestamp,
    strict_uuid,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (37.443604, "37.443604"),
        (-122.4124, "-122.4124"),
        (37.0, "37.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1e-5, "1.0E-5"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (123456789.0, "1.23456789E8"),
        (-1.5e-10, "-1.5E-10"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
    ],
)
def test_java_float_rendering(value: float, text: str) -> None:
    assert format_java_float(value) == text


@pytest.mark.parametrize(
    # BigDecimal.toString results (JDK documentation examples and money values).
    "text",
    ["12.50", "0.00", "123", "-1.23", "1E+3", "1.23E+3", "0.000001", "1E-7", "-1.5E-10"],
)
def test_decimals_keep_their_text(text: str) -> None:
    value = parse_decimal(text)
    assert value is not None
    assert str(value) == text


def test_decimal_text_like_bigdecimal_for_unscaled_forms() -> None:
    assert str(parse_decimal("0.0000001")) == "1E-7"
    assert str(parse_decimal("1e3")) == "1E+3"
    assert parse_decimal("NaN") is None
    assert parse_decimal("1_000") is None
    assert parse_decimal(" 1") is None
    assert parse_decimal("12.50") == Decimal("12.5")


def test_ints() -> None:
    assert parse_int("2147483647") == 2**31 - 1
    assert parse_int("-2147483648") == -(2**31)
    assert parse_int("+7") == 7
    for bad in ["2147483648", "1.0", "1_0", " 1", "١٢", "-", "+", "x"]:
        assert parse_int(bad) is None, bad
        assert parse_int_memo(bad) is None, bad
    assert parse_int_memo("443") == 443
    assert parse_int_memo("443") == 443


def test_floats_bools_uuids() -> None:
    assert parse_float("37.443604") == 37.443604
    assert parse_float("NaN") is None
    assert parse_float("Infinity") is None
    assert parse_float("1e999") is None
    assert parse_bool("1") is True
    assert parse_bool("0") is False
    assert parse_bool("true") is None
    assert (
        parse_uuid("C6EF3124-B53A-4B13-A233-0088F79DCBCB") == "C6EF3124-B53A-4B13-A233-0088F79DCBCB"
    )
    assert parse_uuid("c6ef3124b53a4b13a2330088f79dcbcb") is None


def test_timestamps_with_and_without_fraction() -> None:
    ms = parse_timestamp("2020-02-17 09:28:16.507")
    assert ms == datetime(2020, 2, 17, 9, 28, 16, 507000, tzinfo=UTC)
    assert ms is not None
    assert ms.tzinfo is UTC
    whole = parse_timestamp("2013-11-26 00:02:05")
    assert isinstance(whole, WholeSecondTimestamp)
    assert whole == datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC)
    assert hash(whole) == hash(datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC))
    assert format_timestamp(whole) == "2013-11-26 00:02:05"
    assert (
        format_timestamp(datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC)) == "2013-11-26 00:02:05.000"
    )
    assert parse_timestamp("2013-11-26 00:02:05.1") == datetime(2013, 11, 26, 0, 2, 5, 100000, UTC)
    assert parse_timestamp("2013-11-26 00:02:05.123456789") == datetime(
        2013, 11, 26, 0, 2, 5, 123456, UTC
    )
    for bad in [
        "2013-11-26T00:02:05",
        "2013-13-01 00:00:00",
        "2013-W48-2 00:02:05.885",
        "0000-01-01 00:00:00",
        "2013-11-26 00:02:05.",
        "2013-11-26",
    ]:
        assert parse_timestamp(bad) is None, bad


def test_timestamp_formats() -> None:
    micro = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert format_timestamp(micro) == "2024-01-02 03:04:05.123456"
    paris = datetime(2024, 1, 2, 4, 4, 5, 7000, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(paris) == "2024-01-02 03:04:05.007"
    assert format_instant(paris) == "2024-01-02T03:04:05.007Z"
    assert format_instant(datetime(2013, 11, 26, 0, 2, 5, tzinfo=UTC)) == "2013-11-26T00:02:05Z"
    assert format_instant(micro) == "2024-01-02T03:04:05.123456Z"
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2024, 1, 1))


@settings(max_examples=200)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_float_text_round_trips(value: float) -> None:
    text = format_java_float(value)
    assert parse_float(text) == value
    assert ("E" in text) != (1e-3 <= abs(value) < 1e7 or value == 0)
    assert "." in text


@settings(max_examples=200)
@given(st.text(max_size=30))
def test_parsers_never_raise(text: str) -> None:
    if text:
        for parse in (
            parse_int,
            parse_decimal,
            parse_float,
            parse_bool,
            parse_timestamp,
            parse_uuid,
        ):
            parse(text)


_DECIMAL_SYNTAX = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@settings(max_examples=500)
@given(st.text(alphabet="0123456789+-.eE_ \t\x1f\x0bnaif١", min_size=1, max_size=12))
def test_strict_float_reads_exactly_the_decimal_syntax(text: str) -> None:
    # strict_float leans on float() and rules out what float() accepts beyond plain decimals;
    # this pins it to the grammar written out as a regex.
    expected = None
    if _DECIMAL_SYNTAX.fullmatch(text) and math.isfinite(float(text)):
        expected = float(text)
    assert parse_float(text) == expected
    for _ in range(2):  # the second round reads the memo (invalid texts are never kept)
        if expected is None:
            with pytest.raises(InvalidTextError):
                strict_float(text)
            with pytest.raises(InvalidTextError):
                strict_float_memo(text)
        else:
            assert strict_float(text) == expected
            assert strict_float_memo(text) == expected


@settings(max_examples=300)
@given(st.text(max_size=30) | st.sampled_from(["443", "-7", "0", "1", "2024-05-01 10:00:01.512"]))
def test_strict_parsers_agree_with_the_lenient_ones(text: str) -> None:
    if not text:
        return
    pairs = [
        (parse_int, strict_int),
        (parse_decimal, strict_decimal),
        (parse_float, strict_float),
        (parse_bool, strict_bool),
        (parse_timestamp, strict_timestamp),
        (parse_uuid, strict_uuid),
    ]
    for lenient, strict in pairs:
        expected = lenient(text)
        if expected is None:
            with pytest.raises(InvalidTextError):
                strict(text)
        else:
            assert strict(text) == expected
    # the memo keeps answering the same way the second time
    assert parse_int_memo(text) == parse_int(text)


def test_week_dates_and_comma_fractions_are_not_timestamps() -> None:
    for bad in ["2024-W01-1 10:00:01.512", "2024-05-01 10:00:01,512", "2024-05-01T10:00:01.512"]:
        with pytest.raises(InvalidTextError):
            strict_timestamp(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "2024-05-0\u0661 10:00:01.512",  # an Arabic-Indic digit one
        "\uff12024-05-01 10:00:01.512",  # a fullwidth two
        "2024-05-01 10:00:01.5\ud8002",  # a lone surrogate
    ],
)
def test_non_ascii_digits_are_not_timestamps(bad: str) -> None:
    assert len(bad) == 23
    with pytest.raises(InvalidTextError):
        strict_timestamp(bad)


@settings(max_examples=300)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    )
)
def test_timestamp_text_round_trips(value: datetime) -> None:
    text = format_timestamp(value)
    assert len(text) == (26 if value.microsecond % 1000 else 23)
    assert parse_timestamp(text) == value
    if value.microsecond % 1000 == 0:
        v = value
        expected = f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"
        assert text == f"{expected}:{v.second:02d}.{v.microsecond // 1000:03d}"
