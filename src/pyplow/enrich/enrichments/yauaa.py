"""YAUAA (``yauaa_enrichment_config`` 1-0-0): the ``nl.basjes/yauaa_context`` 1-0-5 entity.

Snowplow runs YAUAA (Yet Another UserAgent Analyzer, Java) on the user agent and the request
headers. There is no YAUAA for Python, so pyplow derives the same entity from uap-core rules
(``ua-parser``, as the UA parser enrichment) plus the User-Agent Client Hints headers
(``Sec-CH-UA``, ``Sec-CH-UA-Full-Version-List``, ``Sec-CH-UA-Mobile``, ``Sec-CH-UA-Platform``,
``Sec-CH-UA-Platform-Version``, ``Sec-CH-UA-Model``, ``Sec-CH-UA-Bitness``). Only fields that
can be derived soundly are written; YAUAA's ``Unknown`` / ``??`` placeholders are left out.

Fields produced and how they are derived (YAUAA's vocabulary):

- ``deviceClass`` (always): ``Robot`` / ``Robot Mobile`` for crawlers (uap-core device
  ``Spider``), ``Phone`` / ``Tablet`` (iPhone/iPad, Android with or without the ``Mobile``
  token, ``Sec-CH-UA-Mobile``), ``Desktop`` (Windows, macOS, Linux, Chrome OS), else
  ``Unknown``; an empty or absent user agent gives ``{"deviceClass": "Unknown"}`` only, as in
  Snowplow.
- ``deviceBrand``, ``deviceName`` (brand + model from uap-core or ``Sec-CH-UA-Model``;
  ``Desktop`` / ``Apple Macintosh`` / ``Linux Desktop`` for desktops), ``deviceCpuBits``.
- ``operatingSystemClass`` (``Desktop``, ``Mobile``, ``Cloud`` for robots),
  ``operatingSystemName`` (``Windows NT``, ``Mac OS``, ``iOS``, ``Android``, ``Linux``,
  ``Chrome OS`` …), ``operatingSystemVersion`` (+ ``…Major``, ``…NameVersion``,
  ``…NameVersionMajor``); client hints win over the user agent (Windows 11 is only visible
  there).
- ``layoutEngineClass`` / ``Name`` / ``Version`` (+ major and name forms): Blink, AppleWebKit,
  Gecko, Trident, EdgeHTML, read from the user agent tokens.
- ``agentClass`` (``Browser``, ``Browser Webview``, ``Robot``), ``agentName`` (``Chrome``,
  ``Safari``, ``Firefox``, ``Edge``, ``Internet Explorer`` …), ``agentVersion`` (+ major and
  name forms; the full version from client hints when sent).

Known differences from YAUAA: versions follow uap-core (Windows ``10`` rather than YAUAA's
``NT 10.0`` handling, iOS versions as the user agent gives them), device names are uap-core's
models, and the many niche fields (webview apps, Facebook, hacker, language …) are never set.
Results are cached per (user agent, client hints) pair (LRU of ``cacheSize``, default 10,000).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, ClassVar, Final

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.enrichments.ua_parser import build_parser
from pyplow.event.entities import Entity

__all__ = ["YAUAA_SCHEMA", "Yauaa", "analyze"]

YAUAA_SCHEMA: Final = "iglu:nl.basjes/yauaa_context/jsonschema/1-0-5"

_DEFAULT_CACHE: Final = 10_000
_HINTS: Final = (
    "sec-ch-ua",
    "sec-ch-ua-full-version-list",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "sec-ch-ua-platform-version",
    "sec-ch-ua-model",
    "sec-ch-ua-bitness",
)
_BRAND = re.compile(r'"([^"]*)"\s*;\s*v\s*=\s*"([^"]*)"')
_OS_NAMES: Final = {"Windows": "Windows NT", "Mac OS X": "Mac OS", "macOS": "Mac OS"}
_DESKTOP_OS: Final = frozenset(
    {"Windows NT", "Mac OS", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "FreeBSD"}
)
_MOBILE_OS: Final = frozenset({"iOS", "Android", "iPadOS", "Windows Phone", "KaiOS", "HarmonyOS"})
_AGENT_NAMES: Final = {
    "IE": "Internet Explorer",
    "IE Mobile": "IE Mobile",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari Webview",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome Webview",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
_CH_BRANDS: Final = {
    "Google Chrome": "Chrome",
    "Microsoft Edge": "Edge",
    "Opera": "Opera",
    "Brave": "Brave",
    "Vivaldi": "Vivaldi",
    "YaBrowser": "Yandex Browser",
    "Samsung Internet": "Samsung Internet",
}
_ENGINES: Final = (
    ("EdgeHTML", re.compile(r"\bEdge/(\d+(?:\.\d+)*)")),
    ("Trident", re.compile(r"\bTrident/(\d+(?:\.\d+)*)")),
    ("Gecko", re.compile(r"\brv:(\d+(?:\.\d+)*)\).*\bGecko/")),
    ("Blink", re.compile(r"\bAppleWebKit/.*\bChrome/(\d+(?:\.\d+)*)")),
    ("AppleWebKit", re.compile(r"\bAppleWebKit/(\d+(?:\.\d+)*)")),
)


def _version(*parts: str | None) -> str | None:
    kept: list[str] = []
    for part in parts:
        if part is None or part == "":
            break
        kept.append(part)
    return ".".join(kept) or None


def _brands(value: str | None) -> list[tuple[str, str]]:
    return _BRAND.findall(value) if value else []


def _hint_agent(hints: dict[str, str]) -> tuple[str, str] | None:
    listed = _brands(hints.get("sec-ch-ua-full-version-list")) or _brands(hints.get("sec-ch-ua"))
    named = [(_CH_BRANDS[b], v) for b, v in listed if b in _CH_BRANDS]
    if named:
        return named[0]
    chromium = [v for b, v in listed if b == "Chromium"]
    return ("Chromium", chromium[0]) if chromium else None


def _windows_version(platform_version: str) -> str | None:
    head = platform_version.split(".")
    if not head[0].isdigit():
        return None
    major = int(head[0])
    if major >= 13:
        return "11"
    if major >= 1:
        return "10"
    minor = head[1] if len(head) > 1 else ""
    return {"3": "8.1", "2": "8", "1": "7"}.get(minor)


def _put_versioned(out: dict[str, str], prefix: str, name: str, version: str | None) -> None:
    out[f"{prefix}Name"] = name[:256]
    if version:
        major = version.split(".")[0]
        out[f"{prefix}Version"] = version[:1000]
        out[f"{prefix}VersionMajor"] = major[:1000]
        out[f"{prefix}NameVersion"] = f"{name} {version}"[:1000]
        out[f"{prefix}NameVersionMajor"] = f"{name} {major}"[:1000]


def _strip_quotes(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().strip('"').strip()
    return text or None


def analyze(parser: Any, useragent: str, hints: dict[str, str]) -> dict[str, str]:
    """The ``yauaa_context`` data for one user agent and its client hints."""
    if not useragent:
        return {"deviceClass": "Unknown"}
    result = parser.parse(useragent)
    agent, os, device = result.user_agent, result.os, result.device
    robot = device is not None and device.family == "Spider"
    out: dict[str, str] = {}

    os_name = _OS_NAMES.get(os.family, os.family) if os is not None else None
    os_version = _version(os.major, os.minor, os.patch) if os is not None else None
    platform = _strip_quotes(hints.get("sec-ch-ua-platform"))
    platform_version = _strip_quotes(hints.get("sec-ch-ua-platform-version"))
    if platform:
        os_name = _OS_NAMES.get(platform, platform)
        if platform_version:
            os_version = (
                _windows_version(platform_version) if os_name == "Windows NT" else platform_version
            ) or os_version
    mobile_hint = (hints.get("sec-ch-ua-mobile") or "").strip()
    model = _strip_quotes(hints.get("sec-ch-ua-model"))

    if robot:
        mobile = "Mobile" in useragent or "Android" in useragent or "iPhone" in useragent
        out["deviceClass"] = "Robot Mobile" if mobile else "Robot"
    elif device is not None and device.model == "iPad":
        out["deviceClass"] = "Tablet"
    elif mobile_hint == "?1" or (device is not None and device.model == "iPhone"):
        out["deviceClass"] = "Phone"
    elif os_name == "Android":
        out["deviceClass"] = "Phone" if "Mobile" in useragent else "Tablet"
    elif os_name in _DESKTOP_OS:
        out["deviceClass"] = "Desktop"
    else:
        out["deviceClass"] = "Unknown"
    device_class = out["deviceClass"]

    brand = device.brand if device is not None and not robot else None
    model = model or (device.model if device is not None and not robot else None)
    if brand and model:
        out["deviceBrand"] = brand[:128]
        name = model if model.startswith(brand) else f"{brand} {model}"
        out["deviceName"] = name[:256]
    elif device_class == "Desktop":
        if os_name == "Mac OS":
            out["deviceBrand"], out["deviceName"] = "Apple", "Apple Macintosh"
        else:
            out["deviceName"] = "Linux Desktop" if os_name == "Linux" else "Desktop"
    bitness = _strip_quotes(hints.get("sec-ch-ua-bitness"))
    if bitness and bitness.isdigit():
        out["deviceCpuBits"] = bitness

    if robot:
        out["operatingSystemClass"] = "Cloud"
    elif os_name in _DESKTOP_OS:
        out["operatingSystemClass"] = "Desktop"
    elif os_name in _MOBILE_OS:
        out["operatingSystemClass"] = "Mobile"
    if os_name and os_name != "Other":
        _put_versioned(out, "operatingSystem", os_name, os_version)

    for engine, pattern in _ENGINES:
        match = pattern.search(useragent)
        if match:
            out["layoutEngineClass"] = "Browser"
            _put_versioned(out, "layoutEngine", engine, match.group(1))
            break

    family = agent.family if agent is not None else "Other"
    if family != "Other":
        agent_name = _AGENT_NAMES.get(family, family)
        agent_version = _version(agent.major, agent.minor, agent.patch, agent.patch_minor)
        hinted = _hint_agent(hints)
        if hinted is not None and not robot:
            agent_name, agent_version = hinted
        if robot:
            out["agentClass"] = "Robot"
        elif agent_name.endswith("Webview"):
            out["agentClass"] = "Browser Webview"
        elif "layoutEngineName" in out or useragent.startswith("Mozilla/"):
            out["agentClass"] = "Browser"
        _put_versioned(out, "agent", agent_name, agent_version)
    return out


def _hint_headers(headers: Iterable[str]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for header in headers:
        name, sep, value = header.partition(":")
        if sep and name.strip().lower() in _HINTS:
            found.append((name.strip().lower(), value.strip()))
    return tuple(found)


class Yauaa(Enrichment):
    """Derives ``yauaa_context`` from ``useragent`` and the client hints headers."""

    schema_name: ClassVar[str] = "yauaa_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/"
            "yauaa_enrichment_config/jsonschema/1-0-*"
        ),
    )
    identifier: ClassVar[str] = "yauaa"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        size = config.parameters.get("cacheSize", _DEFAULT_CACHE)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise EnrichmentConfigError(
                f"parameters.cacheSize must be a non-negative integer, got {size!r}"
            )
        parser = build_parser(None)

        @lru_cache(maxsize=size)
        def cached(useragent: str, hints: tuple[tuple[str, str], ...]) -> dict[str, str]:
            return analyze(parser, useragent, dict(hints))

        self._analyze = cached

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        useragent = event.fields.get("useragent")
        if not isinstance(useragent, str) or not useragent:
            return [Entity(YAUAA_SCHEMA, {"deviceClass": "Unknown"})]
        try:
            data = self._analyze(useragent, _hint_headers(event.headers))
        except Exception as exc:  # the parser is third-party code: never let it escape
            return EnrichmentError(f"could not analyse useragent {useragent!r}: {exc}")
        # a copy per event: later enrichments may edit entity data in place
        return [Entity(YAUAA_SCHEMA, dict(data))]
