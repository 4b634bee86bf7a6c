import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments.asn_lookups import AsnLookups, parse_bot_asns_csv
from pyplow.enrich.enrichments.ip_lookups import ASN_SCHEMA
from pyplow.event.entities import Entity

sys.path.insert(0, str(Path(__file__).parent))
from client_support import assert_valid, config, event, validate_config

UA_ENTITY = Entity("iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0", {})


def _document(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "iglu:com.snowplowanalytics.snowplow.enrichments/asn_lookups/jsonschema/1-0-0",
        "data": {
            "vendor": "com.snowplowanalytics.snowplow.enrichments",
            "name": "asn_lookups",
            "enabled": True,
            "parameters": parameters,
        },
    }


@pytest.fixture
def csv_folder(tmp_path: Path) -> Path:
    (tmp_path / "bot_asns.csv").write_text("asn,name\n14061, DigitalOcean\n16509,Amazon\n\n")
    return tmp_path


def test_snowplow_configs_validate_against_embedded_schema() -> None:
    document = _document(
        {
            "botAsnsFile": {"uri": "https://example.com/asn", "database": "bot_asns.csv"},
            "botAsns": [{"asn": 14061, "name": "DigitalOcean"}, {"asn": 396982}],
            "bypassPlatforms": ["srv", "app"],
        }
    )
    assert validate_config(document)
    assert not validate_config(_document({"bypassPlatforms": ["moon"]}))


def test_file_and_inline_asns_are_merged(csv_folder: Path) -> None:
    enrichment = AsnLookups(
        config(
            _document(
                {
                    "botAsnsFile": {"uri": str(csv_folder), "database": "bot_asns.csv"},
                    "botAsns": [{"asn": 396982, "name": "Google Cloud"}],
                }
            )
        )
    )
    assert enrichment.bot_asns == frozenset({14061, 16509, 396982})


def test_likely_bot_replaces_the_asn_entity_in_place() -> None:
    enrichment = AsnLookups(config(_document({"botAsns": [{"asn": 14061}]})))
    asn = Entity(ASN_SCHEMA, {"number": 14061, "organization": "DIGITALOCEAN-ASN"})
    context = event({"platform": "web"}, derived=[asn, UA_ENTITY])
    assert enrichment.enrich(context) is None
    assert context.derived == [
        Entity(
            ASN_SCHEMA, {"number": 14061, "organization": "DIGITALOCEAN-ASN", "likelyBot": True}
        ),
        UA_ENTITY,
    ]
    assert_valid(context.derived[0])

    human = event({"platform": "web"}, derived=[UA_ENTITY, Entity(ASN_SCHEMA, {"number": 5089})])
    enrichment.enrich(human)
    assert human.derived[1].data == {"number": 5089, "organization": None, "likelyBot": False}
    assert_valid(human.derived[1])


def test_bypassed_platforms_and_missing_entities_change_nothing() -> None:
    enrichment = AsnLookups(
        config(_document({"botAsns": [{"asn": 14061}], "bypassPlatforms": ["srv"]}))
    )
    asn = Entity(ASN_SCHEMA, {"number": 14061, "organization": None})
    server = event({"platform": "srv"}, derived=[asn])
    assert enrichment.enrich(server) is None
    assert server.derived == [asn]
    nothing = event({"platform": "web"}, derived=[UA_ENTITY])
    assert enrichment.enrich(nothing) is None
    assert nothing.derived == [UA_ENTITY]
    odd = event({}, derived=[Entity(ASN_SCHEMA, {"number": "14061"})])
    assert enrichment.enrich(odd) is None
    assert odd.derived[0].data == {"number": "14061"}


def test_csv_parsing() -> None:
    assert parse_bot_asns_csv("ASN,Org\nAS13335,Cloudflare\n 42 \n") == frozenset({13335, 42})
    assert parse_bot_asns_csv("only a header\n") == frozenset()
    with pytest.raises(EnrichmentConfigError, match=r"line 3: expected an ASN number.*'cloud'"):
        parse_bot_asns_csv("asn\n1\ncloud,x\n")


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"botAsns": [{"asn": -1}]}, r"parameters\.botAsns\[0\]"),
        ({"botAsns": {"asn": 1}}, "must be a list"),
        ({"bypassPlatforms": "web"}, "list of platform codes"),
        ({"botAsnsFile": {"uri": "/nonexistent", "database": "x.csv"}}, "does not exist"),
    ],
)
def test_bad_configs_are_rejected(parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        AsnLookups(config(_document(parameters)))


@settings(max_examples=100)
@given(st.lists(st.integers(0, 2**31 - 1), max_size=20))
def test_csv_round_trip(asns: list[int]) -> None:
    text = "asn,name\n" + "".join(f"{a},org {a}\n" for a in asns)
    assert parse_bot_asns_csv(text) == frozenset(asns)
