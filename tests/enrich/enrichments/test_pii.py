from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import EnrichmentConfig, EnrichmentConfigError, EventContext
from pyplow.enrich.enrichments.pii import PII_TRANSFORMATION_SCHEMA, PiiPseudonymization
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = "iglu:com.snowplowanalytics.snowplow.enrichments/pii_enrichment_config/jsonschema/2-0-1"
EMAIL = "iglu:com.acme/email_sent/jsonschema/1-0-0"
USER = "iglu:com.acme/user/jsonschema/1-0-2"

# The documented Snowplow example, extended with every kind of rule.
REAL_CONFIG: dict[str, Any] = {
    "schema": SCHEMA,
    "data": {
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "pii_enrichment_config",
        "emitEvent": True,
        "enabled": True,
        "parameters": {
            "pii": [
                {"pojo": {"field": "user_id"}},
                {"pojo": {"field": "user_ipaddress"}},
                {
                    "json": {
                        "field": "unstruct_event",
                        "schemaCriterion": "iglu:com.acme/email_sent/jsonschema/1-0-*",
                        "jsonPath": "$.emailAddress",
                    }
                },
                {
                    "json": {
                        "field": "contexts",
                        "schemaCriterion": "iglu:com.acme/user/jsonschema/1-*-*",
                        "jsonPath": "$.emails",
                    }
                },
            ],
            "strategy": {"pseudonymize": {"hashFunction": "SHA-256", "salt": "pepper"}},
        },
    },
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def config(
    rules: list[Any] | None = None,
    *,
    hash_function: str = "SHA-256",
    salt: str = "pepper",
    emit: bool = True,
    anonymous_only: bool | None = None,
) -> EnrichmentConfig:
    data = dict(REAL_CONFIG["data"])
    data["emitEvent"] = emit
    data["parameters"] = {
        "pii": rules if rules is not None else REAL_CONFIG["data"]["parameters"]["pii"],
        "strategy": {"pseudonymize": {"hashFunction": hash_function, "salt": salt}},
    }
    if anonymous_only is not None:
        data["anonymousOnly"] = anonymous_only
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    return EnrichmentConfig(schema=key, data=data)


def event(
    fields: dict[str, Any] | None = None,
    *,
    contexts: list[Entity] | None = None,
    unstruct: Entity | None = None,
    headers: tuple[str, ...] = (),
) -> EventContext:
    raw = RawEvent(
        vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={}, headers=headers
    )
    return EventContext(raw, fields, contexts=contexts, unstruct=unstruct)


def test_real_config_validates_and_is_registered() -> None:
    key = SchemaKey.parse(REAL_CONFIG["schema"])
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, REAL_CONFIG["data"]), Validated)
    assert implementation("pii_enrichment_config") is PiiPseudonymization
    assert any(c.matches(key) for c in PiiPseudonymization.criteria)
    enrichment = PiiPseudonymization(EnrichmentConfig(schema=key, data=REAL_CONFIG["data"]))
    assert enrichment.emit_event is True
    assert enrichment.hash_function == "SHA-256"


def test_hashes_pojo_and_json_fields_and_describes_the_transformation() -> None:
    enrichment = PiiPseudonymization(config())
    user = Entity(USER, {"emails": ["a@x.com", "b@y.org", 3], "name": "Ann"})
    other = Entity("iglu:com.acme/other/jsonschema/1-0-0", {"emails": ["keep@me"]})
    ev = event(
        {"user_id": "jon.doe", "user_ipaddress": "70.46.123.145", "app_id": "shop"},
        contexts=[other, user],
        unstruct=Entity(EMAIL, {"emailAddress": "jon@doe.com", "subject": "hi"}),
    )
    result = enrichment.enrich(ev)

    assert ev.fields == {
        "user_id": sha256("jon.doepepper"),
        "user_ipaddress": sha256("70.46.123.145pepper"),
        "app_id": "shop",
    }
    assert ev.unstruct == Entity(
        EMAIL, {"emailAddress": sha256("jon@doe.compepper"), "subject": "hi"}
    )
    assert ev.contexts[0] is other
    assert ev.contexts[1] == Entity(
        USER, {"emails": [sha256("a@x.compepper"), sha256("b@y.orgpepper"), 3], "name": "Ann"}
    )
    # The original entity was not modified in place.
    assert user.data["emails"][0] == "a@x.com"

    assert isinstance(result, list)
    assert len(result) == 1
    assert result[0].schema == PII_TRANSFORMATION_SCHEMA
    assert result[0].data == {
        "pii": {
            "pojo": [
                {
                    "fieldName": "user_id",
                    "originalValue": "jon.doe",
                    "modifiedValue": sha256("jon.doepepper"),
                },
                {
                    "fieldName": "user_ipaddress",
                    "originalValue": "70.46.123.145",
                    "modifiedValue": sha256("70.46.123.145pepper"),
                },
            ],
            "json": [
                {
                    "fieldName": "unstruct_event",
                    "originalValue": "jon@doe.com",
                    "modifiedValue": sha256("jon@doe.compepper"),
                    "jsonPath": "$.emailAddress",
                    "schema": EMAIL,
                },
                {
                    "fieldName": "contexts",
                    "originalValue": "a@x.com",
                    "modifiedValue": sha256("a@x.compepper"),
                    "jsonPath": "$.emails",
                    "schema": USER,
                },
                {
                    "fieldName": "contexts",
                    "originalValue": "b@y.org",
                    "modifiedValue": sha256("b@y.orgpepper"),
                    "jsonPath": "$.emails",
                    "schema": USER,
                },
            ],
        },
        "strategy": {"pseudonymize": {"hashFunction": "SHA-256"}},
    }
    key = SchemaKey.parse(PII_TRANSFORMATION_SCHEMA)
    assert isinstance(key, SchemaKey)
    assert isinstance(VALIDATOR.validate_data(key, result[0].data), Validated)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MD5", hashlib.md5(b"valuesalt").hexdigest()),
        ("SHA-1", hashlib.sha1(b"valuesalt").hexdigest()),
        ("SHA-256", hashlib.sha256(b"valuesalt").hexdigest()),
        ("SHA-384", hashlib.sha384(b"valuesalt").hexdigest()),
        ("SHA-512", hashlib.sha512(b"valuesalt").hexdigest()),
    ],
)
def test_hash_functions(name: str, expected: str) -> None:
    enrichment = PiiPseudonymization(
        config([{"pojo": {"field": "se_label"}}], hash_function=name, salt="salt")
    )
    ev = event({"se_label": "value"})
    enrichment.enrich(ev)
    assert ev.fields["se_label"] == expected


def test_known_vector_md5_without_salt() -> None:
    enrichment = PiiPseudonymization(
        config([{"pojo": {"field": "user_id"}}], hash_function="MD5", salt="")
    )
    ev = event({"user_id": "hello"})
    enrichment.enrich(ev)
    assert ev.fields["user_id"] == "5d41402abc4b2a76b9719d911017c592"


def test_nothing_to_change_emits_nothing_and_unset_fields_stay_unset() -> None:
    enrichment = PiiPseudonymization(config())
    ev = event({"app_id": "a", "user_id": ""})
    assert enrichment.enrich(ev) is None
    assert ev.fields == {"app_id": "a", "user_id": ""}


def test_without_emit_event_fields_are_still_hashed() -> None:
    enrichment = PiiPseudonymization(config([{"pojo": {"field": "user_id"}}], emit=False))
    ev = event({"user_id": "u"})
    assert enrichment.enrich(ev) is None
    assert ev.fields["user_id"] == sha256("upepper")


def test_anonymous_only_acts_only_on_anonymous_requests() -> None:
    enrichment = PiiPseudonymization(config([{"pojo": {"field": "user_id"}}], anonymous_only=True))
    plain = event({"user_id": "u"})
    assert enrichment.enrich(plain) is None
    assert plain.fields["user_id"] == "u"
    anonymous = event({"user_id": "u"}, headers=("SP-Anonymous: *",))
    assert isinstance(enrichment.enrich(anonymous), list)
    assert anonymous.fields["user_id"] == sha256("upepper")


def test_derived_contexts_and_non_string_values() -> None:
    rule = {
        "json": {
            "field": "derived_contexts",
            "schemaCriterion": "iglu:com.acme/user/jsonschema/1-0-*",
            "jsonPath": "$..id",
        }
    }
    enrichment = PiiPseudonymization(config([rule]))
    ev = event()
    derived = Entity(USER, {"id": 42, "nested": {"id": "x"}, "list": [{"id": "y"}]})
    ev.derived.append(derived)
    result = enrichment.enrich(ev)
    assert ev.derived[0].data == {
        "id": 42,
        "nested": {"id": sha256("xpepper")},
        "list": [{"id": sha256("ypepper")}],
    }
    assert isinstance(result, list)
    assert [c["originalValue"] for c in result[0].data["pii"]["json"]] == ["x", "y"]


def test_missing_path_or_non_matching_schema_changes_nothing() -> None:
    enrichment = PiiPseudonymization(config())
    unstruct = Entity(EMAIL, {"subject": "no address"})
    other = Entity("iglu:com.acme/email_sent/jsonschema/2-0-0", {"emailAddress": "x@y"})
    ev = event(unstruct=unstruct, contexts=[other])
    assert enrichment.enrich(ev) is None
    assert ev.unstruct is unstruct
    assert ev.contexts == [other]


def test_md2_is_refused_clearly() -> None:
    with pytest.raises(EnrichmentConfigError, match="MD2 is not available"):
        PiiPseudonymization(config(hash_function="MD2"))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"pojo": {"field": "page_url"}}], "cannot be pseudonymized"),
        (
            [
                {
                    "json": {
                        "field": "body",
                        "schemaCriterion": "iglu:a/b/jsonschema/1-0-*",
                        "jsonPath": "$.x",
                    }
                }
            ],
            "json field 'body' is invalid",
        ),
        (
            [
                {
                    "json": {
                        "field": "contexts",
                        "schemaCriterion": "iglu:a/b/1-0-*",
                        "jsonPath": "$.x",
                    }
                }
            ],
            "schemaCriterion",
        ),
        (
            [
                {
                    "json": {
                        "field": "contexts",
                        "schemaCriterion": "iglu:a/b/jsonschema/1-0-*",
                        "jsonPath": "$.[[[",
                    }
                }
            ],
            "JSONPath",
        ),
        (
            [
                {
                    "json": {
                        "field": "contexts",
                        "schemaCriterion": "iglu:a/b/jsonschema/1-0-*",
                        "jsonPath": "x",
                    }
                }
            ],
            "starting with",
        ),
        ([{}], "exactly one of pojo, json"),
        ("user_id", "must be a list"),
    ],
)
def test_bad_configs_are_explained(rules: Any, message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        PiiPseudonymization(config(rules))


@settings(max_examples=50, deadline=None)
@given(value=st.text(min_size=1), salt=st.text())
def test_pseudonym_is_the_salted_digest(value: str, salt: str) -> None:
    enrichment = PiiPseudonymization(config([{"pojo": {"field": "user_id"}}], salt=salt))
    ev = event({"user_id": value})
    enrichment.enrich(ev)
    expected = hashlib.sha256((value + salt).encode("utf-8", "surrogatepass")).hexdigest()
    assert ev.fields["user_id"] == expected
