"""IAB spiders and robots (``iab_spiders_and_robots_enrichment`` 1-0-*).

Derives ``com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0``
``{"spiderOrRobot", "category", "reason", "primaryImpact"}`` for events that have a non-blank
``useragent``, a ``user_ipaddress`` that is an IP literal (a port is allowed) and a
``derived_tstamp`` (the date list entries are judged at); other events get nothing, as in
Snowplow. Checks, in Snowplow's order (file formats in ``_iab_lists``):

1. 1-0-1 ``includeUseragents`` (case-insensitive substrings) → ``BROWSER`` / ``PASSED_ALL`` /
   ``NONE``;
2. 1-0-1 ``excludeUseragents`` → ``ACTIVE_SPIDER_OR_ROBOT`` / ``FAILED_UA_EXCLUDE`` /
   ``PAGE_AND_AD_IMPRESSIONS``;
3. the address is in ``ipFile`` → ``SPIDER_OR_ROBOT`` / ``FAILED_IP_EXCLUDE`` / ``UNKNOWN``;
4. no active ``includeUseragentFile`` entry matches → ``SPIDER_OR_ROBOT`` /
   ``FAILED_UA_INCLUDE`` / ``UNKNOWN``;
5. an ``excludeUseragentFile`` entry matches → ``ACTIVE_SPIDER_OR_ROBOT`` (or
   ``INACTIVE_SPIDER_OR_ROBOT`` once its inactive date has passed) / ``FAILED_UA_EXCLUDE`` /
   the entry's primary impact (a bad impact flag is an enrichment failure, as in Snowplow);
6. otherwise ``BROWSER`` / ``PASSED_ALL`` / ``NONE``.

Beyond Snowplow: the IAB lists are commercial. When none of the three files is configured
(``"parameters": {}``, or only the 1-0-1 pattern lists), pyplow uses the open, MIT-licensed
crawler list of the ``crawler-user-agents`` package instead of steps 3–5: a matching user agent
is ``ACTIVE_SPIDER_OR_ROBOT`` / ``FAILED_UA_EXCLUDE`` / ``UNKNOWN``, anything else a browser.
No open data-centre IP list with a fitting licence is bundled, so this mode judges the user
agent only. Configuring some but not all three IAB files is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, ClassVar, Final

from pyplow.enrich.assets import resolve_asset
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.enrichments._client_ip import parse_client_ip
from pyplow.enrich.enrichments._iab_lists import (
    ExcludeRecord,
    IncludeRecord,
    IpRanges,
    open_crawler_matcher,
    parse_exclude_list,
    parse_include_list,
    parse_ip_list,
)
from pyplow.event.entities import Entity

__all__ = ["IAB_SCHEMA", "IabSpidersAndRobots"]

IAB_SCHEMA: Final = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0"

_FILES: Final = (
    ("ipFile", "ip_exclude_current_cidr.txt"),
    ("excludeUseragentFile", "exclude_current.txt"),
    ("includeUseragentFile", "include_current.txt"),
)
_IMPACTS: Final = {"0": "PAGE_IMPRESSIONS", "1": "AD_IMPRESSIONS", "2": "PAGE_AND_AD_IMPRESSIONS"}
_CACHE_SIZE: Final = 10_000

#: (spiderOrRobot, category, reason, primaryImpact)
Verdict = tuple[bool, str, str, str]

BROWSER: Final[Verdict] = (False, "BROWSER", "PASSED_ALL", "NONE")
CUSTOM_EXCLUDE: Final[Verdict] = (
    True,
    "ACTIVE_SPIDER_OR_ROBOT",
    "FAILED_UA_EXCLUDE",
    "PAGE_AND_AD_IMPRESSIONS",
)
IP_EXCLUDED: Final[Verdict] = (True, "SPIDER_OR_ROBOT", "FAILED_IP_EXCLUDE", "UNKNOWN")
NOT_INCLUDED: Final[Verdict] = (True, "SPIDER_OR_ROBOT", "FAILED_UA_INCLUDE", "UNKNOWN")
OPEN_LIST_CRAWLER: Final[Verdict] = (
    True,
    "ACTIVE_SPIDER_OR_ROBOT",
    "FAILED_UA_EXCLUDE",
    "UNKNOWN",
)


def _patterns(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(isinstance(v, str) for v in value)
    ):
        raise EnrichmentConfigError(f"parameters.{name} must be a list of strings, got {value!r}")
    return tuple(v.lower() for v in value)


def _read(spec: Any, what: str) -> str:
    path = resolve_asset(spec, what)
    try:
        return path.read_bytes().decode("iso-8859-1")
    except OSError as exc:
        raise EnrichmentConfigError(f"{what}: cannot read {path}: {exc}") from None


def _exclude_verdict(record: ExcludeRecord, day: dt.date) -> Verdict | str:
    impact = _IMPACTS.get(record.impact_flag or "")
    if impact is None:
        return f"Invalid value of impression flag: '{record.impact_flag}'"
    active = record.inactive is None or day < record.inactive
    category = "ACTIVE_SPIDER_OR_ROBOT" if active else "INACTIVE_SPIDER_OR_ROBOT"
    return (True, category, "FAILED_UA_EXCLUDE", impact)


class IabSpidersAndRobots(Enrichment):
    """The IAB spiders-and-robots verdict for each event."""

    schema_name: ClassVar[str] = "iab_spiders_and_robots_enrichment"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/"
            "iab_spiders_and_robots_enrichment/jsonschema/1-0-*"
        ),
    )
    identifier: ClassVar[str] = "iab-spiders-and-robots"
    trusted_output = True  # fixed shape; the schema has no length limits

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        parameters: Mapping[str, Any] = config.parameters
        self.include_patterns = _patterns(parameters.get("includeUseragents"), "includeUseragents")
        self.exclude_patterns = _patterns(parameters.get("excludeUseragents"), "excludeUseragents")
        present = [name for name, _ in _FILES if parameters.get(name) is not None]
        self.ip_ranges: IpRanges | None = None
        self.include: tuple[IncludeRecord, ...] = ()
        self.exclude: tuple[ExcludeRecord, ...] = ()
        self.open_matcher: Callable[[str], bool] | None = None
        if not present:
            self.open_matcher = open_crawler_matcher()
        elif len(present) < len(_FILES):
            missing = [name for name, _ in _FILES if name not in present]
            raise EnrichmentConfigError(
                f"parameters: the IAB files come together; {missing} missing (configure "
                "ipFile, excludeUseragentFile and includeUseragentFile, or none of them to use "
                "the open crawler list)"
            )
        else:
            self.ip_ranges = parse_ip_list(
                _read(parameters["ipFile"], "parameters.ipFile"), "parameters.ipFile"
            )
            self.exclude = parse_exclude_list(
                _read(parameters["excludeUseragentFile"], "parameters.excludeUseragentFile")
            )
            self.include = parse_include_list(
                _read(parameters["includeUseragentFile"], "parameters.includeUseragentFile")
            )
        self._useragent_verdict = lru_cache(maxsize=_CACHE_SIZE)(self._judge_useragent)

    def _judge_useragent(self, useragent: str, day: dt.date) -> Verdict | str:
        """Steps 4–6 (or the open list) for one user agent on one day."""
        if self.open_matcher is not None:
            return OPEN_LIST_CRAWLER if self.open_matcher(useragent) else BROWSER
        lower = useragent.lower()
        included = any(
            r.matches(lower) and (r.active or (r.inactive is not None and day < r.inactive))
            for r in self.include
        )
        if not included:
            return NOT_INCLUDED
        for record in self.exclude:
            if record.matches(lower):
                return _exclude_verdict(record, day)
        return BROWSER

    def verdict(self, useragent: str, ip: str, at: dt.datetime) -> Verdict | str | None:
        """The verdict for one event, an error message, or None when inputs are missing."""
        if not useragent.strip():
            return None
        address = parse_client_ip(ip)
        if address is None:
            return None
        if self.include_patterns or self.exclude_patterns:
            lower = useragent.lower()
            if any(p in lower for p in self.include_patterns):
                return BROWSER
            if any(p in lower for p in self.exclude_patterns):
                return CUSTOM_EXCLUDE
        if self.ip_ranges is not None and address in self.ip_ranges:
            return IP_EXCLUDED
        day = at.astimezone(dt.UTC).date() if at.tzinfo is not None else at.date()
        return self._useragent_verdict(useragent, day)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        fields = event.fields
        useragent, ip, at = (
            fields.get("useragent"),
            fields.get("user_ipaddress"),
            fields.get("derived_tstamp"),
        )
        if not isinstance(useragent, str) or not isinstance(ip, str):
            return None
        if not isinstance(at, dt.datetime):
            return None
        result = self.verdict(useragent, ip, at)
        if result is None:
            return None
        if isinstance(result, str):
            return EnrichmentError(result)
        robot, category, reason, impact = result
        return [
            Entity(
                IAB_SCHEMA,
                {
                    "spiderOrRobot": robot,
                    "category": category,
                    "reason": reason,
                    "primaryImpact": impact,
                },
            )
        ]
