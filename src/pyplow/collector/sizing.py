"""Keeping records within the sink's size limit, as Snowplow's collector does.

For a serialized record of ``S`` bytes and a sink limit of ``M`` bytes:

- ``S < M``: the record goes to the good sink as it is;
- ``S > max_payload_bytes``: one ``size_violation`` bad row (limit ``max_payload_bytes``);
- otherwise a POST whose body is a self-describing JSON with a ``data`` array is split: its events
  are packed greedily into several records, each under ``M`` (the body of each is
  ``{"schema": …, "data": […]}``); an event too large on its own becomes a ``size_violation``
  of its own; any other record becomes one ``size_violation`` (limit ``M``).

The request is answered 200 in every case: the data is kept, on the bad sink. A bad row's
payload is the start (a tenth of the limit) of a readable rendering of the record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec
import orjson

from pyplow.badrows import Processor, SizeViolation, size_violation
from pyplow.protocol import CollectorPayload, encode_collector_payload

_PREFIX = "oversized collector payload: "


class Fitted(msgspec.Struct, frozen=True):
    """Records for the good sink and bad rows for the bad sink."""

    good: tuple[bytes, ...] = ()
    bad: tuple[SizeViolation, ...] = ()


def render(payload: CollectorPayload) -> str:
    """A readable one-line rendering of a record (the style of Thrift's ``toString``)."""
    parts = [f"schema:{payload.schema}"]
    for field in payload.__struct_fields__:
        value = getattr(payload, field)
        if field == "schema" or value is None:
            continue
        name = "".join(w.capitalize() if i else w for i, w in enumerate(field.split("_")))
        if isinstance(value, tuple):
            value = "[" + ", ".join(value) + "]"
        parts.append(f"{name}:{value}")
    return "CollectorPayload(" + ", ".join(parts) + ")"


def fit(
    payload: CollectorPayload,
    record: bytes,
    *,
    sink_limit: int,
    max_payload_bytes: int,
    processor: Processor,
    now: datetime,
) -> Fitted:
    """Split or refuse ``record`` (the serialized ``payload``) to respect the limits."""
    size = len(record)
    if size < sink_limit:
        return Fitted(good=(record,))

    def violation(limit: int, actual: int, reason: str) -> SizeViolation:
        return size_violation(
            processor=processor,
            now=now,
            maximum_bytes=limit,
            actual_bytes=actual,
            expectation=_PREFIX + reason,
            payload=render(payload),
        )

    if size > max_payload_bytes:
        reason = f"the request is larger than the maximum of {max_payload_bytes} bytes"
        return Fitted(bad=(violation(max_payload_bytes, size, reason),))
    if payload.body is None:
        return Fitted(bad=(violation(sink_limit, size, "GET requests cannot be split"),))
    try:
        body = orjson.loads(payload.body)
    except orjson.JSONDecodeError as exc:
        reason = f"cannot split POST requests which are not json: {exc}"
        return Fitted(bad=(violation(sink_limit, size, reason),))
    if not (isinstance(body, dict) and isinstance(body.get("data"), list) and "schema" in body):
        reason = "cannot split POST requests which are not self-describing JSON with a data array"
        return Fitted(bad=(violation(sink_limit, size, reason),))
    return _split(payload, body["schema"], body["data"], sink_limit, violation)


def _split(
    payload: CollectorPayload,
    schema: object,
    events: list[object],
    limit: int,
    violation: Callable[[int, int, str], SizeViolation],
) -> Fitted:
    schema_json = orjson.dumps(schema)

    def packed(chunk: list[bytes]) -> bytes:
        body = b'{"schema":' + schema_json + b',"data":[' + b",".join(chunk) + b"]}"
        return encode_collector_payload(msgspec.structs.replace(payload, body=body.decode("utf-8")))

    base = len(packed([]))
    good: list[bytes] = []
    bad: list[SizeViolation] = []
    chunk: list[bytes] = []
    size = base
    for event in events:
        encoded = orjson.dumps(event)
        alone = base + len(encoded)
        if alone >= limit:
            bad.append(violation(limit, alone, "this POST request split is still too large"))
            continue
        extra = len(encoded) + (1 if chunk else 0)
        if size + extra >= limit:
            good.append(packed(chunk))
            chunk, size = [], base
            extra = len(encoded)
        chunk.append(encoded)
        size += extra
    if chunk:
        good.append(packed(chunk))
    return Fitted(good=tuple(good), bad=tuple(bad))
