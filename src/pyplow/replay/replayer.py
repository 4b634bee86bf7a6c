"""Replaying one bad row: recover its document, apply the fixes, rebuild the raw record.

``Replayer.replay`` turns a bad-row JSON document into a ``Replayed`` (the Thrift record to send
to enrich again, with the document before and after the fixes), a ``NotReplayable`` (no raw
record, or a format violation that is still invalid) or a ``FixFailed`` (a matching rule could
not be applied, or its result is not a valid request). It never raises on bad input.

No fix is needed when a schema was missing and has since been published: the replayed event is
validated again by enrich, which resolves the schema anew.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pyplow.protocol import (
    CollectorPayload,
    CollectorPayloadInputData,
    QuerystringError,
    encode_collector_payload,
    parse_api,
    parse_querystring,
)
from pyplow.protocol.request import parse_network_user_id
from pyplow.replay.document import DocumentError, rebuild
from pyplow.replay.fixes import FixSet, PatchError
from pyplow.replay.recover import NotReplayable, Recovered, recover

__all__ = ["FixFailed", "Replayed", "Replayer", "format_problem"]


class Replayed(msgspec.Struct, frozen=True, kw_only=True):
    """A raw record ready for enrich."""

    type_name: str
    record: bytes
    payload: CollectorPayload
    changed: bool
    before: dict[str, Any]
    after: dict[str, Any]
    rules: tuple[str, ...] = ()


class FixFailed(msgspec.Struct, frozen=True):
    """A row a fix was meant for, but which could not be fixed; ``reason`` says why."""

    type_name: str
    reason: str


def format_problem(payload: CollectorPayload) -> str | None:
    """What makes Enrich refuse a payload before any adapter runs, or None when it is valid."""
    api = parse_api(payload.path)
    if isinstance(api, CollectorPayloadInputData):
        return f"path {api.value!r}: {api.expectation}"
    query = parse_querystring(payload.querystring)
    if isinstance(query, QuerystringError):
        return f"querystring: {query.message}"
    nuid = parse_network_user_id(payload.network_user_id)
    if isinstance(nuid, CollectorPayloadInputData):
        return f"networkUserId {nuid.value!r}: {nuid.expectation}"
    return None


class Replayer:
    """Replays bad rows with one fix set (built once, reused for every row)."""

    def __init__(self, fixes: FixSet | None = None) -> None:
        self.fixes = fixes or FixSet()

    def replay(self, line: bytes | str) -> Replayed | NotReplayable | FixFailed:
        """The outcome for one bad-row JSON document."""
        found = recover(line)
        if isinstance(found, NotReplayable):
            return found
        return self._replay(found)

    def _replay(self, found: Recovered) -> Replayed | NotReplayable | FixFailed:
        before = found.document
        criteria = (found.schema, found.failure_text, found.vendor, found.version)
        rules = tuple(self.fixes.matching(*criteria))
        after = self.fixes.apply(before, *criteria) if rules else before
        if isinstance(after, PatchError):
            return FixFailed(found.type_name, after.message)
        payload = rebuild(found.kind, before, after)
        if isinstance(payload, DocumentError):
            reason = payload.message
            return (
                FixFailed(found.type_name, reason)
                if rules
                else NotReplayable(found.type_name, reason)
            )
        if found.check_format:
            problem = format_problem(payload)
            if problem is not None:
                return NotReplayable(
                    found.type_name, f"still not a valid collector payload after fixes: {problem}"
                )
        try:
            record = encode_collector_payload(payload)
        except ValueError as exc:  # values Thrift cannot hold (checked earlier; kept total)
            return NotReplayable(found.type_name, f"cannot encode the payload: {exc}")
        return Replayed(
            type_name=found.type_name,
            record=record,
            payload=payload,
            changed=after != before,
            before=before,
            after=after,
            rules=rules,
        )
