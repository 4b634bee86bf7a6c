"""PII pseudonymization: replace personal data by salted hashes.

Configured by ``pii_enrichment_config`` 2-0-*: ``parameters.pii`` lists what to hash — atomic
fields (``{"pojo": {"field": "user_id"}}``) or string values inside entities
(``{"json": {"field": "contexts" | "derived_contexts" | "unstruct_event",
"schemaCriterion": ..., "jsonPath": ...}}``) — and ``parameters.strategy.pseudonymize`` the
hash function and salt. A value ``v`` becomes the lower-case hex digest of UTF-8 ``v + salt``.

- JSON rules act on every entity whose schema fits the criterion; each string matched by the
  path is hashed, and so is each string item of a matched array (other values are kept).
  Entities are never changed in place: the event's ``contexts`` / ``derived`` lists and
  ``unstruct`` get modified copies.
- Unset and empty atomic fields are left alone.
- ``anonymousOnly`` (2-0-1): act only on requests that carried an ``SP-Anonymous`` header.
- ``MD2`` (allowed by the schema) is not available in Python's ``hashlib``: such a config is
  refused at start-up.

``emitEvent``: when it is true and something was hashed, the returned list holds one extra
``Entity`` with schema :data:`PII_TRANSFORMATION_SCHEMA` whose data is the transformation
record (``{"pii": {"pojo": [...], "json": [...]}, "strategy": {"pseudonymize":
{"hashFunction": ...}}}``). This entity is a message to the engine, not a derived context: the
engine takes it out of the derived entities and emits Snowplow's separate
``pii_transformation`` event (with a ``parent_event`` context) from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.support.inputs import JSON_FIELDS, matching, parse_criterion
from pyplow.enrich.support.jsonpath import JsonPath
from pyplow.event.entities import Entity
from pyplow.iglu import SchemaCriterion

__all__ = ["HASH_FUNCTIONS", "PII_FIELDS", "PII_TRANSFORMATION_SCHEMA", "PiiPseudonymization"]

PII_TRANSFORMATION_SCHEMA: Final = (
    "iglu:com.snowplowanalytics.snowplow/pii_transformation/jsonschema/1-0-0"
)

#: Atomic fields the config schema allows.
PII_FIELDS: Final = frozenset(
    {
        "user_id",
        "user_ipaddress",
        "user_fingerprint",
        "domain_userid",
        "network_userid",
        "ip_organization",
        "ip_domain",
        "tr_orderid",
        "ti_orderid",
        "mkt_term",
        "mkt_content",
        "se_category",
        "se_action",
        "se_label",
        "se_property",
        "mkt_clickid",
        "refr_domain_userid",
        "domain_sessionid",
    }
)

#: Snowplow's hash function names → hashlib names.
HASH_FUNCTIONS: Final[dict[str, str]] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class _PojoRule(msgspec.Struct, frozen=True):
    field: str


class _JsonRule(msgspec.Struct, frozen=True):
    field: str
    criterion: SchemaCriterion
    path: JsonPath


def _parse_rule(spec: Any, what: str) -> _PojoRule | _JsonRule:
    if not isinstance(spec, Mapping) or ("pojo" in spec) == ("json" in spec):
        raise EnrichmentConfigError(f"{what}: expected an object with exactly one of pojo, json")
    if "pojo" in spec:
        pojo = spec["pojo"]
        field = pojo.get("field") if isinstance(pojo, Mapping) else None
        if field not in PII_FIELDS:
            raise EnrichmentConfigError(
                f"{what}: pojo field {field!r} cannot be pseudonymized; expected one of "
                + ", ".join(sorted(PII_FIELDS))
            )
        return _PojoRule(str(field))
    json = spec["json"]
    if not isinstance(json, Mapping):
        raise EnrichmentConfigError(f"{what}: 'json' must be an object, got {json!r}")
    field = json.get("field")
    if field not in JSON_FIELDS:
        raise EnrichmentConfigError(
            f"{what}: json field {field!r} is invalid; expected one of {', '.join(JSON_FIELDS)}"
        )
    return _JsonRule(
        str(field),
        parse_criterion(json.get("schemaCriterion"), f"{what}.schemaCriterion"),
        JsonPath(json.get("jsonPath"), f"{what}.jsonPath"),
    )


def _hasher(name: Any, salt: str) -> Callable[[str], str]:
    algorithm = HASH_FUNCTIONS.get(name) if isinstance(name, str) else None
    if algorithm is None:
        hint = " (MD2 is not available in Python's hashlib)" if name == "MD2" else ""
        raise EnrichmentConfigError(
            f"pii: hashFunction {name!r} is not supported{hint}; expected one of "
            + ", ".join(HASH_FUNCTIONS)
        )
    constructor = getattr(hashlib, algorithm)
    salt_bytes = salt.encode()

    def scramble(value: str) -> str:
        digest = constructor(value.encode("utf-8", "surrogatepass"))
        digest.update(salt_bytes)
        hexdigest: str = digest.hexdigest()
        return hexdigest

    return scramble


def _copy(value: Any) -> Any:
    """A deep copy of decoded JSON (containers copied, scalars shared)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class PiiPseudonymization(Enrichment):
    """Hash configured atomic fields and entity values (see the module docstring)."""

    schema_name = "pii_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/pii_enrichment_config/jsonschema/2-0-*"
        ),
    )
    identifier = "pii"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        data, params = config.data, config.parameters
        rules = params.get("pii")
        if not isinstance(rules, list):
            raise EnrichmentConfigError(f"pii: 'parameters.pii' must be a list, got {rules!r}")
        parsed = [_parse_rule(rule, f"pii: parameters.pii[{i}]") for i, rule in enumerate(rules)]
        self._rules: tuple[_PojoRule | _JsonRule, ...] = tuple(parsed)
        strategy = params.get("strategy")
        pseudo = strategy.get("pseudonymize") if isinstance(strategy, Mapping) else None
        if not isinstance(pseudo, Mapping):
            raise EnrichmentConfigError(
                "pii: 'parameters.strategy.pseudonymize' must be an object with hashFunction "
                f"and salt, got {strategy!r}"
            )
        salt = pseudo.get("salt", "")
        if not isinstance(salt, str):
            raise EnrichmentConfigError(f"pii: salt must be a string, got {salt!r}")
        self.hash_function: str = str(pseudo.get("hashFunction"))
        self._scramble = _hasher(pseudo.get("hashFunction"), salt)
        emit, anonymous_only = data.get("emitEvent", False), data.get("anonymousOnly", False)
        if not isinstance(emit, bool) or not isinstance(anonymous_only, bool):
            raise EnrichmentConfigError(
                f"pii: emitEvent and anonymousOnly must be booleans, got {emit!r} and "
                f"{anonymous_only!r}"
            )
        self.emit_event = emit
        self.anonymous_only = anonymous_only

    def scramble(self, value: str) -> str:
        """The pseudonym of ``value`` (hex digest of ``value + salt``)."""
        return self._scramble(value)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        if self.anonymous_only and not event.anonymous:
            return None
        # Changes by kind; a kind appears in the order of its first change, as in Snowplow.
        pii: dict[str, list[dict[str, Any]]] = {}
        fields = event.fields
        for rule in self._rules:
            if isinstance(rule, _JsonRule):
                self._apply_json(event, rule, pii)
                continue
            original = fields.get(rule.field)
            if not isinstance(original, str) or original == "":
                continue
            modified = self._scramble(original)
            fields[rule.field] = modified
            pii.setdefault("pojo", []).append(
                {"fieldName": rule.field, "originalValue": original, "modifiedValue": modified}
            )
        if not self.emit_event or not pii:
            return None
        record = {"pii": pii, "strategy": {"pseudonymize": {"hashFunction": self.hash_function}}}
        return [Entity(PII_TRANSFORMATION_SCHEMA, record)]

    def _apply_json(
        self, event: EventContext, rule: _JsonRule, pii: dict[str, list[dict[str, Any]]]
    ) -> None:
        changes: list[dict[str, Any]] = []
        if rule.field == "unstruct_event":
            if event.unstruct is not None:
                replaced = self._entity(rule, event.unstruct, changes)
                if replaced is not None:
                    event.unstruct = replaced
        else:
            entities = event.contexts if rule.field == "contexts" else event.derived
            for i, entity in enumerate(entities):
                replaced = self._entity(rule, entity, changes)
                if replaced is not None:
                    entities[i] = replaced
        if changes:
            pii.setdefault("json", []).extend(changes)

    def _entity(
        self, rule: _JsonRule, entity: Entity, changes: list[dict[str, Any]]
    ) -> Entity | None:
        """A copy of ``entity`` with the rule applied, or None when nothing matched."""
        if not matching(rule.criterion, entity):
            return None
        data = _copy(entity.data)
        before = len(changes)

        def record(original: str) -> str:
            modified = self._scramble(original)
            changes.append(
                {
                    "fieldName": rule.field,
                    "originalValue": original,
                    "modifiedValue": modified,
                    "jsonPath": rule.path.text,
                    "schema": entity.schema,
                }
            )
            return modified

        def change(value: Any) -> Any:
            if isinstance(value, str):
                return record(value)
            if isinstance(value, list) and any(isinstance(item, str) for item in value):
                return [record(item) if isinstance(item, str) else item for item in value]
            return None

        if rule.path.text == "$":
            new_data = change(data)
            return Entity(entity.schema, new_data) if new_data is not None else None
        rule.path.replace(data, change)
        return Entity(entity.schema, data) if len(changes) > before else None
