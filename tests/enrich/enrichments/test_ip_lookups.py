import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.ip_lookups import ASN_SCHEMA, IpLookups, java_float
from pyplow.event.entities import Entity
from pyplow.event.values import format_java_float

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config
from mmdb_writer import write_mmdb

CITY = {
    "city": {"names": {"en": "Milton Keynes", "de": "Milton Keynes"}},
    "continent": {"code": "EU", "names": {"en": "Europe"}},
    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
    "location": {"latitude": 52.0333, "longitude": -0.7, "time_zone": "Europe/London"},
    "postal": {"code": "MK9"},
    "subdivisions": [
        {"iso_code": "ENG", "names": {"en": "England"}},
        {"iso_code": "MIK", "names": {"en": "Milton Keynes"}},
    ],
}
HOSTED = "http://snowplow-hosted-assets.s3.amazonaws.com/third-party/maxmind"


def _document(parameters: dict[str, Any], version: str = "2-0-1") -> dict[str, Any]:
    return {
        "schema": f"iglu:com.snowplowanalytics.snowplow/ip_lookups/jsonschema/{version}",
        "data": {
            "name": "ip_lookups",
            "vendor": "com.snowplowanalytics.snowplow",
            "enabled": True,
            "parameters": parameters,
        },
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("maxmind")
    write_mmdb(
        root / "GeoIP2-City.mmdb",
        [
            ("81.2.69.0/24", CITY),
            ("81.2.70.0/24", {"country": {"iso_code": "GB"}}),
            ("2001:db8::/32", {"country": {"iso_code": "US"}, "location": {"latitude": 37.751}}),
        ],
    )
    write_mmdb(
        root / "GeoIP2-ISP.mmdb",
        [("81.2.69.0/24", {"isp": "Andrews & Arnold", "organization": "AAISP", "x": 1})],
        database_type="GeoIP2-ISP",
    )
    write_mmdb(
        root / "GeoIP2-Domain.mmdb",
        [("81.2.69.0/24", {"domain": "aa.net.uk"})],
        database_type="GeoIP2-Domain",
    )
    write_mmdb(
        root / "GeoIP2-Connection-Type.mmdb",
        [("81.2.69.0/24", {"connection_type": "Cable/DSL"})],
        database_type="GeoIP2-Connection-Type",
    )
    write_mmdb(
        root / "GeoLite2-ASN.mmdb",
        [
            (
                "81.2.69.0/24",
                {"autonomous_system_number": 20712, "autonomous_system_organization": "AAISP"},
            ),
            ("2001:db8::/32", {"autonomous_system_number": 64496}),
        ],
        database_type="GeoLite2-ASN",
    )
    return root


def _all(folder: Path) -> dict[str, Any]:
    return {
        "geo": {"database": "GeoIP2-City.mmdb", "uri": str(folder)},
        "isp": {"database": "GeoIP2-ISP.mmdb", "uri": str(folder)},
        "domain": {"database": "GeoIP2-Domain.mmdb", "uri": str(folder)},
        "connectionType": {"database": "GeoIP2-Connection-Type.mmdb", "uri": f"file://{folder}"},
        "asn": {"database": "GeoLite2-ASN.mmdb", "uri": str(folder)},
    }


@pytest.fixture(scope="module")
def lookups(folder: Path) -> IpLookups:
    return IpLookups(config(_document(_all(folder))))


def test_snowplow_configs_validate_against_embedded_schemas() -> None:
    full = {
        "geo": {"database": "GeoLite2-City.mmdb", "uri": HOSTED},
        "isp": {"database": "GeoIP2-ISP.mmdb", "uri": HOSTED},
        "domain": {"database": "GeoIP2-Domain.mmdb", "uri": HOSTED},
        "connectionType": {"database": "GeoIP2-Connection-Type.mmdb", "uri": HOSTED},
        "asn": {"database": "GeoLite2-ASN.mmdb", "uri": HOSTED},
    }
    assert validate_config(_document(full))
    assert validate_config(_document({"geo": full["geo"]}, "2-0-0"))
    assert not validate_config(_document({"asn": full["asn"]}, "2-0-0"))
    assert not validate_config(_document({"geo": {"database": "City.mmdb", "uri": HOSTED}}))


def test_every_database_fills_its_fields(lookups: IpLookups) -> None:
    context = event({"user_ipaddress": "81.2.69.160"})
    derived = lookups.enrich(context)
    assert context.fields == {
        "user_ipaddress": "81.2.69.160",
        "geo_country": "GB",
        "geo_region": "MIK",
        "geo_city": "Milton Keynes",
        "geo_zipcode": "MK9",
        "geo_latitude": 52.0333,
        "geo_longitude": -0.7,
        "geo_region_name": "Milton Keynes",
        "geo_timezone": "Europe/London",
        "ip_isp": "Andrews & Arnold",
        "ip_organization": "AAISP",
        "ip_domain": "aa.net.uk",
        "ip_netspeed": "Cable/DSL",
    }
    assert derived == [Entity(ASN_SCHEMA, {"number": 20712, "organization": "AAISP"})]
    assert isinstance(derived, list)
    assert_valid(derived[0])


def test_partial_record_leaves_missing_fields_unset_and_coordinates_zero(
    lookups: IpLookups,
) -> None:
    context = event({"user_ipaddress": "81.2.70.1"})
    assert lookups.enrich(context) is None
    assert context.fields["geo_country"] == "GB"
    assert context.fields["geo_city"] is None
    assert context.fields["geo_latitude"] == 0.0
    assert "ip_isp" not in context.fields


def test_ipv6_ports_and_mapped_addresses(lookups: IpLookups) -> None:
    context = event({"user_ipaddress": "[2001:db8::1]:443"})
    derived = lookups.enrich(context)
    assert context.fields["geo_country"] == "US"
    assert format_java_float(context.fields["geo_latitude"]) == "37.751"
    assert derived == [Entity(ASN_SCHEMA, {"number": 64496, "organization": None})]
    for text in ("81.2.69.160:8080", "::ffff:81.2.69.160", " 81.2.69.160 "):
        other = event({"user_ipaddress": text})
        lookups.enrich(other)
        assert other.fields["geo_city"] == "Milton Keynes", text


@pytest.mark.parametrize("ip", [None, "", "8.8.8.8", "unknown", "999.1.1.1", "fe80::1%eth0"])
def test_failed_lookups_are_swallowed(lookups: IpLookups, ip: str | None) -> None:
    context = event({"user_ipaddress": ip})
    assert lookups.enrich(context) is None
    assert context.fields == {"user_ipaddress": ip}


def test_returned_entities_are_fresh_copies(lookups: IpLookups) -> None:
    first = lookups.enrich(event({"user_ipaddress": "81.2.69.160"}))
    assert isinstance(first, list)
    first[0].data["number"] = 1
    second = lookups.enrich(event({"user_ipaddress": "81.2.69.160"}))
    assert isinstance(second, list)
    assert second[0].data["number"] == 20712


def test_java_float_matches_float_to_string() -> None:
    assert java_float(37.751) == 37.751
    assert java_float(51.5142) == 51.5142
    assert java_float(-0.0931) == -0.0931
    assert java_float(0.1 + 0.2) == 0.3  # 0.30000000000000004 is 0.3 at float precision


@settings(max_examples=200)
@given(st.floats(-180, 180, allow_nan=False))
def test_java_float_is_a_float32_value(value: float) -> None:
    import struct

    result = java_float(value)
    assert struct.pack("<f", result) == struct.pack("<f", value)


@settings(max_examples=150)
@given(st.text(max_size=45))
def test_any_address_text_never_raises(lookups: IpLookups, text: str) -> None:
    result = lookups.enrich(event({"user_ipaddress": text}))
    assert result is None or all(e.schema == ASN_SCHEMA for e in result)


def test_bad_configs_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(EnrichmentConfigError, match=r"unknown parameters \['organization'\]"):
        IpLookups(config(_document({"organization": {"database": "x", "uri": str(tmp_path)}})))
    with pytest.raises(EnrichmentConfigError, match="does not exist"):
        IpLookups(
            config(_document({"geo": {"database": "GeoIP2-City.mmdb", "uri": str(tmp_path)}}))
        )
    (tmp_path / "GeoIP2-City.mmdb").write_bytes(b"not a database")
    with pytest.raises(EnrichmentConfigError, match="is not a MaxMind DB file"):
        IpLookups(
            config(_document({"geo": {"database": "GeoIP2-City.mmdb", "uri": str(tmp_path)}}))
        )
    with pytest.raises(EnrichmentConfigError, match="'uri' and 'database' must be strings"):
        IpLookups(config(_document({"geo": {"database": 3}})))
    with pytest.raises(EnrichmentConfigError, match="cannot fetch"):
        IpLookups(config(_document({"geo": {"database": "GeoIP2-City.mmdb", "uri": "s3://b/k"}})))
