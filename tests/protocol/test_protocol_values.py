"""Value conversions: every edge case the protocol names, plus "never raises" properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.event import format_timestamp
from pyplow.protocol.parameters import EVENT_CODES
from pyplow.protocol.values import (
    ConversionError,
    extract_ip,
    iso_millis,
    parse_bool,
    parse_decimal,
    parse_dims,
    parse_event_code,
    parse_int32,
    parse_platform,
    parse_timestamp,
    parse_uuid,
    tsv_safe,
)


def test_tsv_safe() -> None:
    assert tsv_safe("a\tb") == "a    b"
    assert tsv_safe("line1\r\nline2") == "line1line2"
    assert tsv_safe("x\x00\x1f\x7fy") == "xy"
    assert tsv_safe("é\u0085 ok") == "é\u0085 ok"  # only ASCII controls go (Java \p{Cntrl})
    assert tsv_safe("") is None
    assert tsv_safe("\n\r") is None
    assert tsv_safe("\t") == "    "


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7, 10.0.0.1", "203.0.113.7"),
        ("203.0.113.7|10.0.0.1", "203.0.113.7"),
        ("2001:db8::1 10.0.0.1", "2001:db8::1"),
        (",10.0.0.1", None),
        ("", None),
    ],
)
def test_extract_ip(raw: str, expected: str | None) -> None:
    assert extract_ip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("-12", -12), ("+7", 7), ("2147483647", 2**31 - 1), ("-2147483648", -(2**31))],
)
def test_int32_ok(raw: str, expected: int) -> None:
    assert parse_int32(raw) == expected


@pytest.mark.parametrize("raw", ["null", "NULL", "Null"])
def test_int32_null_literal(raw: str) -> None:
    assert parse_int32(raw) is None


@pytest.mark.parametrize("raw", ["2147483648", "-2147483649", "1.0", " 1", "1_000", "", "0x10"])
def test_int32_errors(raw: str) -> None:
    result = parse_int32(raw)
    assert result == ConversionError(raw, "Cannot be converted to java.lang.Integer")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19.99", "19.99"),
        ("1.50", "1.50"),  # scale kept
        ("-0.001", "-0.001"),
        ("1e2", "100"),  # negative Java scale normalised to 0
        ("1.5E+3", "1500"),
        ("1.5e-3", "0.0015"),
        (".5", "0.5"),
        ("5.", "5"),
    ],
)
def test_decimal_ok(raw: str, expected: str) -> None:
    result = parse_decimal(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected or format(result, "f") == expected
    assert "E" not in str(result) or result.as_tuple().exponent < 0


def test_decimal_keeps_scale_exactly() -> None:
    assert parse_decimal("1.50").as_tuple().exponent == -2  # type: ignore[union-attr]
    assert parse_decimal("1e2").as_tuple().exponent == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("raw", ["abc", "1,5", "NaN", "Infinity", "1e", "", " 1", "1_0", "--1"])
def test_decimal_errors(raw: str) -> None:
    result = parse_decimal(raw)
    assert isinstance(result, ConversionError)
    assert result.value == raw
    assert result.message.startswith("Cannot be converted to java.math.BigDecimal")


def test_decimal_null_and_huge_exponent() -> None:
    assert parse_decimal("null") is None
    assert isinstance(parse_decimal("1e999999999"), ConversionError)
    assert isinstance(parse_decimal("1e-99999999999"), ConversionError)


def test_bool() -> None:
    assert parse_bool("1") is True
    assert parse_bool("0") is False
    for raw in ("true", "yes", "01", "", " 1"):
        assert parse_bool(raw) == ConversionError(
            raw, "Cannot be converted to Boolean-like java.lang.Byte"
        )


def test_timestamp_ok() -> None:
    result = parse_timestamp("1700000000000")
    assert result == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert parse_timestamp("1") == dt.datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=dt.UTC)
    assert parse_timestamp("-1") == dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=dt.UTC)
    assert isinstance(parse_timestamp("253402300799999"), dt.datetime)  # 9999-12-31 23:59:59.999
    assert isinstance(parse_timestamp("-62135596800000"), dt.datetime)  # 0001-01-01


def test_timestamp_not_a_number() -> None:
    for raw in ("abc", "1.5", "", "1e3", "9223372036854775808"):
        assert parse_timestamp(raw) == ConversionError(
            raw, "Not in the expected format: ms since epoch"
        )


def test_timestamp_out_of_range_years() -> None:
    result = parse_timestamp("1111111111111111")
    assert result == ConversionError(
        "1111111111111111", "Formatting as 37179-09-17 07:18:31.111 is not Redshift-compatible"
    )
    assert isinstance(parse_timestamp("253402300800000"), ConversionError)  # year 10000
    before_year_1 = parse_timestamp("-62135596800001")  # in year 0: Python cannot hold it
    assert isinstance(before_year_1, ConversionError)
    assert "0000-12-31 23:59:59.999" in before_year_1.message
    assert "year 0" in before_year_1.message
    bc = parse_timestamp("-63113904000000")  # -0030-01-01
    assert isinstance(bc, ConversionError)
    assert "-0030-01-01 00:00:00.000" in bc.message


def test_format_timestamp_and_iso() -> None:
    value = parse_timestamp("1389833398278")
    assert isinstance(value, dt.datetime)
    assert format_timestamp(value) == "2014-01-16 00:49:58.278"
    assert iso_millis(1389833398278) == "2014-01-16T00:49:58.278Z"
    assert iso_millis(0) == "1970-01-01T00:00:00.000Z"


def test_uuid() -> None:
    assert (
        parse_uuid("5A305BF5-32FC-40D9-B0E8-66052F0F2C95") == "5a305bf5-32fc-40d9-b0e8-66052f0f2c95"
    )
    for raw in (
        "{5a305bf5-32fc-40d9-b0e8-66052f0f2c95}",
        "5a305bf532fc40d9b0e866052f0f2c95",
        "1-1-1-1-1",
        "urn:uuid:5a305bf5-32fc-40d9-b0e8-66052f0f2c95",
        "5a305bf5-32fc-40d9-b0e8-66052f0f2c9g",
        "",
    ):
        assert parse_uuid(raw) == ConversionError(raw, "Not a valid UUID")


def test_dims() -> None:
    assert parse_dims("1920x1080") == (1920, 1080)
    assert parse_dims("0x0") == (0, 0)
    for raw in ("1920X1080", "1920x", "x1080", "1920 x 1080", "-1x2", "1.5x2"):
        result = parse_dims(raw)
        assert isinstance(result, ConversionError)
        assert "(\\d+)x(\\d+)" in result.message
    assert isinstance(parse_dims("2147483648x1"), ConversionError)


def test_platform_and_event_code() -> None:
    assert parse_platform("headset") == "headset"
    assert parse_platform("WEB") == ConversionError("WEB", "Not a valid platform")
    assert parse_event_code("pv") is EVENT_CODES["pv"]
    assert parse_event_code("xx") == ConversionError("xx", "Not a valid event type")


CONVERTERS = [
    tsv_safe,
    extract_ip,
    parse_int32,
    parse_decimal,
    parse_bool,
    parse_timestamp,
    parse_uuid,
    parse_dims,
    parse_platform,
    parse_event_code,
]


@settings(max_examples=150, deadline=None)
@given(st.text(), st.sampled_from(CONVERTERS))
def test_converters_never_raise(raw: str, convert: object) -> None:
    result = convert(raw)  # type: ignore[operator]
    if isinstance(result, ConversionError):
        assert result.value == raw
        assert result.message


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_int32_round_trip(number: int) -> None:
    assert parse_int32(str(number)) == number


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=-62135596800000, max_value=253402300799999))
def test_timestamp_round_trip(ms: int) -> None:
    value = parse_timestamp(str(ms))
    assert isinstance(value, dt.datetime)
    back = (value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)
    assert back == ms
    assert iso_millis(ms).replace("T", " ").removesuffix("Z") == format_timestamp(value)


@settings(max_examples=150, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimal_round_trip(number: Decimal) -> None:
    assert parse_decimal(str(number)) == number
