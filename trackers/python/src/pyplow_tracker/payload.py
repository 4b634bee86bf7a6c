"""Building tracker-protocol payloads: parameters, self-describing JSON, GET and POST bodies.

An event is a ``dict[str, str]`` of protocol parameters (``e``, ``eid``, ``dtm``, ...). The send
time ``stm`` is *not* part of it: :func:`get_query` and :func:`post_body` add it when a request is
built, so a retried request carries the time it was really sent.

Self-describing events and entities are sent either base64url-encoded (``ue_px``/``cx``, with
``=`` padding) or as plain JSON (``ue_pr``/``co``).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias
from urllib.parse import urlencode

__all__ = [
    "CONTEXTS_SCHEMA",
    "PAYLOAD_DATA_SCHEMA",
    "UNSTRUCT_EVENT_SCHEMA",
    "Event",
    "Json",
    "SelfDescribingJson",
    "add_json",
    "encode_number",
    "event_size",
    "get_query",
    "post_body",
]

Json: TypeAlias = Any  # a value json.dumps accepts
Event: TypeAlias = dict[str, str]

PAYLOAD_DATA_SCHEMA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
UNSTRUCT_EVENT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


@dataclass(frozen=True, slots=True)
class SelfDescribingJson:
    """``{"schema": "iglu:vendor/name/jsonschema/M-R-A", "data": ...}``."""

    schema: str
    data: Json

    def __post_init__(self) -> None:
        if not self.schema.startswith("iglu:") or self.schema.count("/") != 3:
            raise ValueError(
                f"schema {self.schema!r} is not an Iglu URI like "
                "'iglu:com.acme/event/jsonschema/1-0-0'"
            )

    def to_json(self) -> dict[str, Json]:
        return {"schema": self.schema, "data": self.data}


def _encode(value: Json, base64_encode: bool) -> str:
    text = _dumps(value)
    if not base64_encode:
        return text
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def add_json(
    event: Event,
    *,
    unstruct: SelfDescribingJson | None,
    contexts: Sequence[SelfDescribingJson],
    base64_encode: bool,
) -> None:
    """Add the self-describing event (``ue_px``/``ue_pr``) and entities (``cx``/``co``)."""
    if unstruct is not None:
        ue: dict[str, Json] = {"schema": UNSTRUCT_EVENT_SCHEMA, "data": unstruct.to_json()}
        event["ue_px" if base64_encode else "ue_pr"] = _encode(ue, base64_encode)
    if contexts:
        co: dict[str, Json] = {"schema": CONTEXTS_SCHEMA, "data": [c.to_json() for c in contexts]}
        event["cx" if base64_encode else "co"] = _encode(co, base64_encode)


def encode_number(value: int | float | Decimal) -> str:
    """A decimal string without exponent, as Enrich's decimal fields expect (``19.99``)."""
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got the bool {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
    return text


def get_query(event: Mapping[str, str], stm: int) -> str:
    """The querystring of a GET request for one event, ``stm`` last."""
    return urlencode([*event.items(), ("stm", str(stm))])


def post_body(events: Iterable[Mapping[str, str]], stm: int) -> bytes:
    """A ``payload_data`` 1-0-4 body; every event gets the same send time ``stm``."""
    sent = str(stm)
    data = [{**e, "stm": sent} for e in events]
    return _dumps({"schema": PAYLOAD_DATA_SCHEMA, "data": data}).encode("utf-8")


def event_size(event: Mapping[str, str]) -> int:
    """Bytes this event adds to a POST body (its JSON object, a comma and a ``stm``)."""
    return len(_dumps(event).encode("utf-8")) + 24
