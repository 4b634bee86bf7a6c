"""ASN lookups (``asn_lookups`` 1-0-*): flags autonomous systems known to host bots.

Configuration (Snowplow's): ``botAsnsFile`` ``{"uri", "database"}`` — a CSV file whose first
line is a header and whose rows start with an ASN (``13335,Cloudflare``); ``botAsns`` — a list
of ``{"asn": <int>, "name": <string, ignored>}``; ``bypassPlatforms`` — platform codes
(``srv``, ``app``, …) whose events are left alone. Both sources are merged.

This enrichment runs right after IP lookups and works on the ``asn`` entity that IP lookups
derived. It does not add an entity: it **replaces the ``asn`` entity in place** in
``event.derived`` (``event.derived[i] = Entity(...)``) with the same ``number`` and
``organization`` plus ``likelyBot: true|false``, so the entity keeps its place among the
derived contexts, as in Snowplow where the flag is part of the one ``asn`` entity. Without an
``asn`` entity (no ASN database, unknown address) or for a bypassed platform nothing changes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from pyplow.enrich.assets import resolve_asset
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.event.entities import Entity

__all__ = ["AsnLookups", "parse_bot_asns_csv"]

_ASN_SCHEMA: Final = "iglu:com.snowplowanalytics.snowplow/asn/jsonschema/1-0-1"
_ASN_PREFIX: Final = "iglu:com.snowplowanalytics.snowplow/asn/jsonschema/1-"
_MAX_ASN: Final = 2_147_483_647


def parse_bot_asns_csv(text: str, what: str = "botAsnsFile") -> frozenset[int]:
    """The ASNs of a bot-ASN CSV file (the first line is a header; blank lines are skipped)."""
    asns: set[int] = set()
    rows = csv.reader(io.StringIO(text))
    next(rows, None)
    for number, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip():
            continue
        cell = row[0].strip()
        if cell.upper().startswith("AS"):
            cell = cell[2:]
        if not cell.isdigit():
            raise EnrichmentConfigError(
                f"{what}: line {number}: expected an ASN number in the first column, got {row[0]!r}"
            )
        asns.add(int(cell))
    return frozenset(asns)


def _inline_asns(value: Any) -> frozenset[int]:
    if value is None:
        return frozenset()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise EnrichmentConfigError(f"parameters.botAsns must be a list, got {value!r}")
    asns: set[int] = set()
    for index, item in enumerate(value):
        asn = item.get("asn") if isinstance(item, Mapping) else None
        if isinstance(asn, bool) or not isinstance(asn, int) or not 0 <= asn <= _MAX_ASN:
            raise EnrichmentConfigError(
                f"parameters.botAsns[{index}]: expected {{'asn': <integer "
                f"0..{_MAX_ASN}>}}, got {item!r}"
            )
        asns.add(asn)
    return frozenset(asns)


def _platforms(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(isinstance(v, str) for v in value)
    ):
        raise EnrichmentConfigError(
            f"parameters.bypassPlatforms must be a list of platform codes, got {value!r}"
        )
    return frozenset(value)


class AsnLookups(Enrichment):
    """Adds ``likelyBot`` to the ``asn`` entity derived by IP lookups."""

    schema_name: ClassVar[str] = "asn_lookups"
    criteria = (
        criterion("iglu:com.snowplowanalytics.snowplow.enrichments/asn_lookups/jsonschema/1-0-*"),
    )
    identifier: ClassVar[str] = "asn_lookups"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters = config.parameters
        asns = _inline_asns(parameters.get("botAsns"))
        if parameters.get("botAsnsFile") is not None:
            path = resolve_asset(parameters["botAsnsFile"], "parameters.botAsnsFile")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise EnrichmentConfigError(
                    f"parameters.botAsnsFile: cannot read {path}: {exc}"
                ) from None
            asns |= parse_bot_asns_csv(text, "parameters.botAsnsFile")
        self.bot_asns: frozenset[int] = asns
        self.bypass_platforms: frozenset[str] = _platforms(parameters.get("bypassPlatforms"))

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        if event.fields.get("platform") in self.bypass_platforms:
            return None
        derived = event.derived
        for index, entity in enumerate(derived):
            if not entity.schema.startswith(_ASN_PREFIX) or not isinstance(entity.data, Mapping):
                continue
            number = entity.data.get("number")
            if isinstance(number, bool) or not isinstance(number, int):
                return None
            organization = entity.data.get("organization")
            derived[index] = Entity(
                _ASN_SCHEMA,
                {
                    "number": number,
                    "organization": organization if isinstance(organization, str) else None,
                    "likelyBot": number in self.bot_asns,
                },
            )
            return None
        return None
