import ipaddress
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.anon_ip import AnonIp, anonymize_ip

sys.path.insert(0, str(Path(__file__).parent))
from client_support import config, event, validate_config


def _document(parameters: dict[str, Any], version: str = "1-0-1") -> dict[str, Any]:
    return {
        "schema": f"iglu:com.snowplowanalytics.snowplow/anon_ip/jsonschema/{version}",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow",
            "name": "anon_ip",
            "enabled": True,
            "parameters": parameters,
        },
    }


def _anon(parameters: dict[str, Any], ip: str | None, version: str = "1-0-1") -> Any:
    enrichment = AnonIp(config(_document(parameters, version)))
    context = event({"user_ipaddress": ip})
    assert enrichment.enrich(context) is None
    return context.fields["user_ipaddress"]


def test_snowplow_configs_validate_against_embedded_schemas() -> None:
    assert validate_config(_document({"anonOctets": 1}, "1-0-0"))
    assert validate_config(_document({"anonOctets": 2, "anonSegments": 3}))
    assert not validate_config(_document({"anonOctets": 5}))
    assert not validate_config(_document({}))


@pytest.mark.parametrize(
    ("octets", "expected"),
    [(1, "94.15.223.x"), (2, "94.15.x.x"), (3, "94.x.x.x"), (4, "x.x.x.x")],
)
def test_ipv4_trailing_octets(octets: int, expected: str) -> None:
    assert _anon({"anonOctets": octets}, "94.15.223.151") == expected


def test_ipv6_is_expanded_the_jvm_way_before_masking() -> None:
    got = _anon({"anonOctets": 1, "anonSegments": 4}, "2605:2700:0:3::4713:93e3")
    assert got == "2605:2700:0:3:x:x:x:x"
    assert _anon({"anonOctets": 2, "anonSegments": 1}, "2001:DB8::0001") == "2001:db8:0:0:0:0:0:x"


def test_anon_segments_default_to_anon_octets() -> None:
    assert _anon({"anonOctets": 2}, "2605:2700:0:3::4713:93e3", "1-0-0") == (
        "2605:2700:0:3:0:0:x:x"
    )


def test_ipv4_mapped_addresses_keep_their_prefix() -> None:
    assert _anon({"anonOctets": 2}, "::FFFF:94.15.223.151") == "::FFFF:94.15.x.x"
    # lower-case spelling: masked as text split on dots, same visible result
    assert _anon({"anonOctets": 3}, "::ffff:94.15.223.151") == "::ffff:94.x.x.x"
    # hexadecimal spelling of a mapped address has no dots: nothing to keep but one part
    assert _anon({"anonOctets": 4}, "::ffff:5e0f:df97") == "x"


@pytest.mark.parametrize(
    ("ip", "octets", "expected"),
    [
        ("777.2.23", 1, "777.2.23"),
        ("777.2.23", 2, "777.2.x"),
        ("1.2.3.", 1, "1.2.3"),
        ("...", 2, ""),
        ("", 4, "x"),
        ("", 1, ""),
        ("not-an-ip", 2, "not-an-ip"),
        ("a:b:c", 2, "a:b:c:x:x:x:x:x"),
        ("01.02.03.04", 1, "01.02.03.x"),
    ],
)
def test_text_that_is_not_an_ip_is_masked_by_position(ip: str, octets: int, expected: str) -> None:
    assert anonymize_ip(ip, octets, octets) == expected


def test_unset_address_stays_unset() -> None:
    assert _anon({"anonOctets": 2}, None) is None


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({}, "anonOctets is required"),
        ({"anonOctets": 0}, "parameters.anonOctets must be an integer 1..4, got 0"),
        ({"anonOctets": 2.5}, "got 2.5"),
        ({"anonOctets": "2"}, "got '2'"),
        ({"anonOctets": True}, "got True"),
        ({"anonOctets": 2, "anonSegments": 9}, "parameters.anonSegments must be an integer 1..8"),
    ],
)
def test_bad_configs_are_rejected(parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message.replace(".", r"\.")):
        AnonIp(config(_document(parameters)))


def test_whole_float_counts_are_accepted() -> None:
    assert _anon({"anonOctets": 2.0}, "10.0.0.1") == "10.0.x.x"


@settings(max_examples=200)
@given(st.text(max_size=40), st.integers(1, 4), st.integers(1, 8))
def test_never_raises(text: str, octets: int, segments: int) -> None:
    assert isinstance(anonymize_ip(text, octets, segments), str)


@settings(max_examples=200)
@given(st.ip_addresses(v=4), st.integers(1, 4))
def test_ipv4_keeps_leading_octets(address: ipaddress.IPv4Address, octets: int) -> None:
    parts = anonymize_ip(str(address), octets, 1).split(".")
    assert parts[4 - octets :] == ["x"] * octets
    assert parts[: 4 - octets] == str(address).split(".")[: 4 - octets]


@settings(max_examples=200)
@given(st.ip_addresses(v=6), st.integers(1, 8))
def test_ipv6_masks_trailing_groups(address: ipaddress.IPv6Address, segments: int) -> None:
    result = anonymize_ip(str(address), 1, segments)
    if address.ipv4_mapped is not None:
        return
    groups = result.split(":")
    assert len(groups) == 8
    assert groups[8 - segments :] == ["x"] * segments
    kept = [int(g, 16) for g in groups[: 8 - segments]]
    assert kept == [int(g, 16) for g in address.exploded.split(":")][: 8 - segments]
