"""The ``_sp`` cross-domain parameter and the cross_navigation entity."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.crossdomain import (
    CROSS_NAVIGATION_SCHEMA,
    CrossDomain,
    apply_cross_domain,
    cross_navigation_entity,
    parse_sp,
    sp_value,
)
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository

DUID = "e7d6bc43-4c1a-4e0c-9b1f-5d0b9e6f2a11"
SESSION = "0bd4e6f1-6d3a-4f0c-8d4e-2d1f1b7a9c00"


def b64url(text: str, *, pad: bool = False) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if pad else encoded.rstrip("=")


def test_duid_only() -> None:
    assert parse_sp("abc") == CrossDomain(domain_user_id="abc")


def test_duid_and_timestamp() -> None:
    assert parse_sp("abc.1426245561368") == CrossDomain(
        domain_user_id="abc",
        timestamp=dt.datetime(2015, 3, 13, 11, 19, 21, 368_000, tzinfo=dt.UTC),
    )


def test_all_seven_parts() -> None:
    value = ".".join(
        [
            DUID,
            "1778170444467",
            SESSION,
            b64url("user@example.com"),
            b64url("shop-web", pad=True),
            "web",
            b64url("link click: Café"),
        ]
    )
    assert parse_sp(value) == CrossDomain(
        domain_user_id=DUID,
        timestamp=dt.datetime(2026, 5, 7, 16, 14, 4, 467_000, tzinfo=dt.UTC),
        session_id=SESSION,
        user_id="user@example.com",
        source_id="shop-web",
        source_platform="web",
        reason="link click: Café",
    )


def test_blank_parts_are_absent() -> None:
    value = f"{DUID}.1778170444467. .{b64url('   ')}...x"
    result = parse_sp(value)
    assert isinstance(result, CrossDomain)
    assert (result.session_id, result.user_id, result.source_id) == (None, None, None)
    assert (result.source_platform, result.reason) == (None, None)
    assert parse_sp(f"{DUID}..") == CrossDomain(domain_user_id=DUID)


@pytest.mark.parametrize("value", [None, "", "a.1.b.c.d.e.f.g"])
def test_nothing_to_read(value: str | None) -> None:
    assert parse_sp(value) is None


@pytest.mark.parametrize("stamp", ["not-a-timestamp", "15e11", "-", "253402300800000"])
def test_bad_timestamp(stamp: str) -> None:
    error = parse_sp(f"abc.{stamp}")
    assert isinstance(error, str)
    assert error.startswith(f"sp_dtm: value [{stamp}] of the _sp parameter [abc.{stamp}]")


def test_bad_timestamp_message() -> None:
    assert parse_sp("abc.yesterday") == (
        "sp_dtm: value [yesterday] of the _sp parameter [abc.yesterday] is invalid: "
        "Not in the expected format: ms since epoch"
    )


def test_sp_value_last_wins() -> None:
    query: list[tuple[str, str | None]] = [("_sp", "first"), ("x", "1"), ("_sp", "second")]
    assert sp_value(query) == "second"
    assert sp_value([("_sp", None)]) == ""
    assert sp_value([("sp", "x")]) is None


def test_apply_cross_domain_sets_fields() -> None:
    fields: dict[str, Any] = {}
    result = apply_cross_domain(fields, [("utm_source", "x"), ("_sp", "abc.1426245561368")])
    assert isinstance(result, CrossDomain)
    assert fields == {
        "refr_domain_userid": "abc",
        "refr_dvce_tstamp": dt.datetime(2015, 3, 13, 11, 19, 21, 368_000, tzinfo=dt.UTC),
    }
    untouched: dict[str, Any] = {}
    assert apply_cross_domain(untouched, [("_sp", "abc.bad")]) == (
        "sp_dtm: value [bad] of the _sp parameter [abc.bad] is invalid: "
        "Not in the expected format: ms since epoch"
    )
    assert untouched == {}
    assert apply_cross_domain(untouched, []) is None


@pytest.mark.parametrize(
    ("millis", "iso"),
    [
        (1426245561368, "2015-03-13T11:19:21.368Z"),
        (1426245561100, "2015-03-13T11:19:21.1Z"),
        (1426245561120, "2015-03-13T11:19:21.12Z"),
        (1426245561000, "2015-03-13T11:19:21Z"),
    ],
)
def test_entity_timestamp_format(millis: int, iso: str) -> None:
    cd = parse_sp(f"abc.{millis}")
    assert isinstance(cd, CrossDomain)
    entity = cross_navigation_entity(cd)
    assert entity is not None
    assert entity["timestamp"] == iso


def test_entity_data_validates_against_schema() -> None:
    value = f"{DUID}.1778170444467.{SESSION}.{b64url('user-1')}.{b64url('app')}.mob."
    cd = parse_sp(value)
    assert isinstance(cd, CrossDomain)
    data = cross_navigation_entity(cd)
    assert data == {
        "domain_user_id": DUID,
        "timestamp": "2026-05-07T16:14:04.467Z",
        "session_id": SESSION,
        "user_id": "user-1",
        "source_id": "app",
        "source_platform": "mob",
        "reason": None,
    }
    key = SchemaKey.parse(CROSS_NAVIGATION_SCHEMA)
    assert isinstance(key, SchemaKey)
    validator = Validator(Resolver([builtin_repository()]))
    assert isinstance(validator.validate_data(key, data), Validated)


def test_no_entity_without_duid_or_timestamp() -> None:
    assert cross_navigation_entity(CrossDomain(domain_user_id="abc")) is None
    stamp = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert cross_navigation_entity(CrossDomain(timestamp=stamp)) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1.-_=+/ \t\x00é9")), max_size=60) | st.text())
def test_parse_sp_never_raises(value: str) -> None:
    result = parse_sp(value)
    assert result is None or isinstance(result, CrossDomain | str)
    if isinstance(result, CrossDomain):
        cross_navigation_entity(result)
        if result.domain_user_id is not None:
            assert "\t" not in result.domain_user_id
