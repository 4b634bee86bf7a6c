"""Event fingerprint: a hash of the raw tracker parameters, for spotting duplicate events.

Every parameter that has a value and is not excluded takes part, sorted by name (as Java
compares strings: by UTF-16 code unit). Each contributes ``name`` U+001F ``value`` U+001F; the
UTF-8 bytes of the whole string are hashed and the lower-case hex digest becomes
``event_fingerprint``. Config 1-0-0 allows only ``MD5``; 1-0-1 adds ``SHA1``, ``SHA256``,
``SHA384`` and ``SHA512``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from itertools import chain
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

__all__ = ["ALGORITHMS", "EventFingerprint", "FingerprintSettings", "fingerprint"]

_SEPARATOR: Final = "\x1f"

#: Snowplow's algorithm names → hashlib constructors.
ALGORITHMS: Final[dict[str, Callable[..., Any]]] = {
    "MD5": hashlib.md5,
    "SHA1": hashlib.sha1,
    "SHA256": hashlib.sha256,
    "SHA384": hashlib.sha384,
    "SHA512": hashlib.sha512,
}


class FingerprintSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The parsed ``parameters`` of an ``event_fingerprint_config``."""

    hash_algorithm: str
    exclude_parameters: frozenset[str]


def _java_order(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def fingerprint(parameters: dict[str, str | None], excluded: frozenset[str], algorithm: str) -> str:
    """The fingerprint of ``parameters`` (see the module docstring)."""
    items = [(k, v) for k, v in parameters.items() if v is not None and k not in excluded]
    if "".join(parameters).isascii():
        items.sort()
    else:  # Java orders by UTF-16 code unit, which differs for astral characters
        items.sort(key=lambda kv: _java_order(kv[0]))
    # name SEP value SEP name SEP value ... SEP: one join over the flattened pairs
    text = _SEPARATOR.join(chain.from_iterable(items)) + _SEPARATOR if items else ""
    digest = ALGORITHMS[algorithm](text.encode("utf-8", "replace"))
    return str(digest.hexdigest())


def parse_settings(parameters: Any) -> FingerprintSettings:
    """Read ``hashAlgorithm`` and ``excludeParameters``; EnrichmentConfigError when unusable."""
    algorithm = parameters.get("hashAlgorithm")
    if algorithm not in ALGORITHMS:
        raise EnrichmentConfigError(
            f"event_fingerprint_config: hashAlgorithm {algorithm!r} is not supported; "
            f"expected one of {', '.join(ALGORITHMS)}"
        )
    exclude = parameters.get("excludeParameters")
    if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
        raise EnrichmentConfigError(
            f"event_fingerprint_config: excludeParameters must be a list of parameter names, "
            f"got {exclude!r}"
        )
    return FingerprintSettings(hash_algorithm=algorithm, exclude_parameters=frozenset(exclude))


class EventFingerprint(Enrichment):
    """Sets ``event_fingerprint`` from the raw event's parameters."""

    schema_name = "event_fingerprint_config"
    criteria = (
        criterion("iglu:com.snowplowanalytics.snowplow/event_fingerprint_config/jsonschema/1-0-*"),
    )
    identifier = "event_fingerprint"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        self.settings = parse_settings(config.parameters)
        version = config.schema.version
        if (version.revision, version.addition) == (0, 0) and self.settings.hash_algorithm != "MD5":
            raise EnrichmentConfigError(
                "event_fingerprint_config 1-0-0: hashAlgorithm must be 'MD5' "
                f"(got {self.settings.hash_algorithm!r}); use schema 1-0-1 for SHA"
            )

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        settings = self.settings
        event.fields["event_fingerprint"] = fingerprint(
            event.raw.parameters, settings.exclude_parameters, settings.hash_algorithm
        )
        return None
