"""The IAB/ABC International Spiders and Bots List files, and an open crawler list.

The IAB files (licensed from the IAB, not public) are read as Snowplow's IAB client reads them:

- ``ip_exclude_current_cidr.txt``: one address or CIDR block per line (ISO-8859-1; blank lines
  skipped). A plain address matches when the client address, written as the JVM writes it
  (``0:0:0:0:0:0:0:1`` for IPv6), equals the line; a block matches every address inside it
  (host bits are ignored: ``127.0.0.1/16`` is ``127.0.0.0/16``).
- ``include_current.txt`` (valid browsers) and ``exclude_current.txt`` (robots): ``|``-separated
  records, ``#`` comment lines. Include: pattern | active (1/0) | start-of-string flag (1/0) |
  inactive date (``MM/dd/yyyy``). Exclude: pattern | active | exception patterns
  (comma-separated) | (unused flag) | primary impact (0 page impressions, 1 ad impressions, 2
  both) | start-of-string flag | inactive date. Patterns and the user agent are compared
  lower-cased, as substrings (or prefixes with the start-of-string flag).

``open_crawler_matcher`` is pyplow's fallback when no IAB files are configured: the MIT-licensed
``crawler-user-agents`` patterns (PyPI ``crawler-user-agents``), matched with the Rust regex
engine of ``ua-parser-rs`` when available (about 1.5 µs a user agent), else with ``re``.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import importlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any, NamedTuple

from pyplow.enrich.context import EnrichmentConfigError
from pyplow.enrich.enrichments._client_ip import IpAddress, java_host_address

__all__ = [
    "ExcludeRecord",
    "IncludeRecord",
    "IpRanges",
    "open_crawler_matcher",
    "parse_exclude_list",
    "parse_include_list",
    "parse_ip_list",
]

_DATE = re.compile(r"\s*(\d+)/(\d+)/(\d+)")


def parse_iab_date(text: str | None) -> dt.date | None:
    """An ``MM/dd/yyyy`` date, read leniently like ``SimpleDateFormat`` (``13/01/2017`` rolls
    over into 2018); None when blank or unreadable."""
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        return None
    month, day, year = (int(g) for g in match.groups())
    months = year * 12 + (month - 1)
    try:
        first = dt.date(months // 12, months % 12 + 1, 1)
        return first + dt.timedelta(days=day - 1)
    except (ValueError, OverflowError):
        return None


def _flag(fields: list[str], index: int) -> bool:
    return index < len(fields) and fields[index].strip() == "1"


def _field(fields: list[str], index: int) -> str | None:
    return fields[index].strip() if index < len(fields) else None


def _records(text: str) -> list[list[str]]:
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    try:
        return list(csv.reader(lines, delimiter="|", quotechar='"'))
    except csv.Error as exc:
        raise EnrichmentConfigError(f"unreadable IAB list: {exc}") from None


class IncludeRecord(NamedTuple):
    pattern: str
    active: bool
    start_of_string: bool
    inactive: dt.date | None

    def matches(self, useragent_lower: str) -> bool:
        if self.start_of_string:
            return useragent_lower.startswith(self.pattern)
        return self.pattern in useragent_lower


class ExcludeRecord(NamedTuple):
    pattern: str
    active: bool
    exceptions: tuple[str, ...]
    impact_flag: str | None
    start_of_string: bool
    inactive: dt.date | None

    def matches(self, useragent_lower: str) -> bool:
        if not self.active and self.inactive is None:
            return False
        if self.start_of_string:
            if not useragent_lower.startswith(self.pattern):
                return False
        elif self.pattern not in useragent_lower:
            return False
        return not any(e in useragent_lower for e in self.exceptions)


def parse_include_list(text: str) -> tuple[IncludeRecord, ...]:
    """The records of ``include_current.txt``."""
    return tuple(
        IncludeRecord(
            pattern=(fields[0] if fields else "").strip().lower(),
            active=_flag(fields, 1),
            start_of_string=_flag(fields, 2),
            inactive=parse_iab_date(_field(fields, 3)),
        )
        for fields in _records(text)
    )


def parse_exclude_list(text: str) -> tuple[ExcludeRecord, ...]:
    """The records of ``exclude_current.txt``."""
    records = []
    for fields in _records(text):
        exceptions = (_field(fields, 2) or "").lower().split(",")
        records.append(
            ExcludeRecord(
                pattern=(fields[0] if fields else "").strip().lower(),
                active=_flag(fields, 1),
                exceptions=tuple(e.strip() for e in exceptions if e.strip()),
                impact_flag=_field(fields, 4),
                start_of_string=_flag(fields, 5),
                inactive=parse_iab_date(_field(fields, 6)),
            )
        )
    return tuple(records)


class IpRanges:
    """Plain addresses and CIDR blocks of ``ip_exclude_current_cidr.txt``."""

    def __init__(
        self, plain: frozenset[str], blocks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
    ) -> None:
        self.plain = plain
        self._starts: dict[int, list[int]] = {4: [], 6: []}
        self._ends: dict[int, list[int]] = {4: [], 6: []}
        merged: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for block in sorted(blocks, key=lambda b: (b.version, int(b.network_address))):
            start, end = int(block.network_address), int(block.broadcast_address)
            spans = merged[block.version]
            if spans and start <= spans[-1][1] + 1:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
        for version, spans in merged.items():
            self._starts[version] = [s for s, _ in spans]
            self._ends[version] = [e for _, e in spans]

    def __contains__(self, address: IpAddress) -> bool:
        if self.plain and java_host_address(address) in self.plain:
            return True
        value = int(address)
        starts = self._starts[address.version]
        index = bisect.bisect_right(starts, value) - 1
        return index >= 0 and value <= self._ends[address.version][index]


def parse_ip_list(text: str, what: str) -> IpRanges:
    """The addresses of ``ip_exclude_current_cidr.txt`` (a bad CIDR block is a config error)."""
    plain: set[str] = set()
    blocks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for number, line in enumerate(text.splitlines(), start=1):
        record = line.strip()
        if not record or record.startswith("#"):
            continue
        if "/" not in record:
            plain.add(record)
            continue
        try:
            blocks.append(ipaddress.ip_network(record, strict=False))
        except ValueError:
            raise EnrichmentConfigError(
                f"{what}: line {number}: {record!r} is not a CIDR block (expected e.g. "
                "192.0.2.0/24)"
            ) from None
    return IpRanges(frozenset(plain), blocks)


def open_crawler_patterns() -> list[str]:
    """The regular expressions of the ``crawler-user-agents`` package."""
    try:
        source = resources.files("crawleruseragents").joinpath("crawler-user-agents.json")
        entries = json.loads(source.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        raise EnrichmentConfigError(
            "no IAB files are configured and the open crawler list (the crawler-user-agents "
            "package) is missing: install pyplow[enrich] or configure the IAB files"
        ) from None
    return [e["pattern"] for e in entries if isinstance(e, dict) and "pattern" in e]


def open_crawler_matcher() -> Callable[[str], bool]:
    """A function telling whether a user agent matches the open crawler list."""
    patterns = open_crawler_patterns()
    try:
        rust: Any = importlib.import_module("ua_parser_rs")
        extractor = rust.DeviceExtractor([(p, None, "crawler", None, None) for p in patterns])

        def rust_match(useragent: str) -> bool:
            return extractor.extract(useragent) is not None

        return rust_match
    except Exception:  # no accelerator, or a pattern its regex engine refuses
        combined = re.compile("|".join(f"(?:{p})" for p in patterns))

        def re_match(useragent: str) -> bool:
            return combined.search(useragent) is not None

        return re_match
