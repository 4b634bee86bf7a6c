"""What an adapter returns for one collector request: raw events, or the reasons there are none."""

from __future__ import annotations

import enum

import msgspec

from pyplow.protocol.raw_event import RawEvent
from pyplow.protocol.violations import CollectorPayloadInputData, ProtocolViolation

__all__ = ["AdapterResult", "BadRowFamily", "family_for"]


class BadRowFamily(enum.StrEnum):
    """Which bad-row type reports a request's failures."""

    COLLECTOR_PAYLOAD_FORMAT_VIOLATION = "collector_payload_format_violation"
    ADAPTER_FAILURES = "adapter_failures"
    TRACKER_PROTOCOL_VIOLATIONS = "tracker_protocol_violations"


def family_for(vendor: str, version: str) -> BadRowFamily:
    """``snowplow/tp2`` and ``r/tp2`` failures are tracker protocol violations; every other
    vendor/version (tp1 and all webhooks included) gives adapter failures."""
    if version == "tp2" and vendor in ("com.snowplowanalytics.snowplow", "r"):
        return BadRowFamily.TRACKER_PROTOCOL_VIOLATIONS
    return BadRowFamily.ADAPTER_FAILURES


class AdapterResult(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome for one request.

    Either ``events`` is non-empty and there are no violations, or ``events`` is empty and
    ``violations`` (adapter / tracker-protocol messages) or ``format_violations`` (collector
    payload messages, one bad row each) say why. ``family`` names the bad-row type that
    reports the failures. ``vendor``/``version`` are None only when the path could not be
    understood.
    """

    vendor: str | None
    version: str | None
    family: BadRowFamily
    events: tuple[RawEvent, ...] = ()
    violations: tuple[ProtocolViolation, ...] = ()
    format_violations: tuple[CollectorPayloadInputData, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the request produced events and nothing failed."""
        return not self.violations and not self.format_violations
