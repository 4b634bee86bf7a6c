from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.referer_parser import RefererParser
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

DATABASE = {
    "search": {"Finder": {"domains": ["finder.test"], "parameters": ["q"]}},
    "social": {"Chirp": {"domains": ["chirp.test"]}},
}


def config(version: str = "2-0-1", **parameters: Any) -> EnrichmentConfig:
    key = SchemaKey.parse(
        f"iglu:com.snowplowanalytics.snowplow/referer_parser/jsonschema/{version}"
    )
    assert isinstance(key, SchemaKey)
    data = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "referer_parser",
        "enabled": True,
        "parameters": parameters,
    }
    return EnrichmentConfig(schema=key, data=data)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "referers.json").write_text(json.dumps(DATABASE))
    return tmp_path


def run(enrichment: RefererParser, **fields: Any) -> dict[str, Any]:
    ctx = EventContext(RawEvent(vendor="v", version="tp2", parameters={}), dict(fields))
    assert enrichment.enrich(ctx) is None
    return ctx.fields


def test_snowplow_config_validates(folder: Path) -> None:
    validator = Validator(Resolver([builtin_repository()]))
    cfg = config(
        internalDomains=["mysite.com"],
        uri="https://snowplow-hosted-assets.s3.amazonaws.com/third-party/referer-parser/",
        database="referers-latest.json",
        referrers={"social": {"Chirp": {"domains": ["chirp.test"], "parameters": []}}},
    )
    assert isinstance(validator.validate_data(cfg.schema, dict(cfg.data)), Validated)


def test_fields_from_engine_parts(folder: Path) -> None:
    enrichment = RefererParser(
        config(internalDomains=["blog.mysite.com"], uri=str(folder), database="referers.json")
    )
    fields = run(
        enrichment,
        refr_urlscheme="https",
        refr_urlhost="www.finder.test",
        refr_urlpath="/s",
        refr_urlquery="q=red+shoes",
        page_urlhost="mysite.com",
    )
    assert (fields["refr_medium"], fields["refr_source"], fields["refr_term"]) == (
        "search",
        "Finder",
        "red shoes",
    )
    fields = run(
        enrichment,
        refr_urlscheme="https",
        refr_urlhost="blog.mysite.com",
        refr_urlpath="/",
        page_urlhost="mysite.com",
    )
    assert fields["refr_medium"] == "internal"
    assert "refr_source" not in fields
    fields = run(
        enrichment,
        refr_urlscheme="https",
        refr_urlhost="mysite.com",
        refr_urlpath="/a",
        page_urlhost="mysite.com",
    )
    assert fields["refr_medium"] == "internal"
    fields = run(enrichment, refr_urlscheme="http", refr_urlhost="elsewhere.test", refr_urlpath="/")
    assert fields["refr_medium"] == "unknown"
    assert "refr_source" not in fields


def test_page_referrer_fallback_and_unparsable(folder: Path) -> None:
    enrichment = RefererParser(
        config(internalDomains=[], uri=f"file://{folder}", database="referers.json")
    )
    fields = run(enrichment, page_referrer="https://chirp.test/x?y=1")
    assert (fields["refr_medium"], fields["refr_source"]) == ("social", "Chirp")
    assert "refr_medium" not in run(enrichment, page_referrer="mailto:someone@example.com")
    assert "refr_medium" not in run(enrichment, page_referrer="http://[bad")
    assert "refr_medium" not in run(enrichment)


def test_inline_referrers_and_builtin_database() -> None:
    enrichment = RefererParser(
        config(
            internalDomains=[],
            uri="pyplow:builtin",
            database="referers.json",
            referrers={"paid": {"My Ads": {"domains": ["ads.partner.test"]}}},
        )
    )
    fields = run(
        enrichment, refr_urlscheme="https", refr_urlhost="ads.partner.test", refr_urlpath="/"
    )
    assert (fields["refr_medium"], fields["refr_source"]) == ("paid", "My Ads")
    fields = run(
        enrichment,
        refr_urlscheme="https",
        refr_urlhost="www.google.com",
        refr_urlpath="/search",
        refr_urlquery="q=pyplow",
    )
    assert (fields["refr_medium"], fields["refr_source"], fields["refr_term"]) == (
        "search",
        "Google",
        "pyplow",
    )
    default = RefererParser(config("2-0-0", internalDomains=[]))  # pyplow's default config
    assert (
        run(default, refr_urlscheme="https", refr_urlhost="t.co", refr_urlpath="/x")["refr_source"]
        == "Twitter"
    )


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"internalDomains": "x", "uri": "pyplow:builtin", "database": "x"}, "internalDomains"),
        ({"internalDomains": [], "uri": "/nonexistent", "database": "r.json"}, "does not exist"),
        ({"internalDomains": [], "uri": "s3://bucket/", "database": "r.json"}, "s3"),
        (
            {
                "internalDomains": [],
                "uri": "pyplow:builtin",
                "database": "r.json",
                "referrers": {"tv": {}},
            },
            "unknown medium",
        ),
    ],
)
def test_bad_configs(parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        RefererParser(config(**parameters))


def test_malformed_database_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"search": []}')
    with pytest.raises(EnrichmentConfigError, match="search"):
        RefererParser(config(internalDomains=[], uri=str(tmp_path), database="bad.json"))
