"""Bad rows on the wire: one compact self-describing JSON document per row.

``encode`` writes a row as Snowplow does (keys in Snowplow's order, no whitespace). ``decode``
reads any bad row: the types and versions pyplow models become their Struct, anything else that
is still a self-describing bad row becomes ``OtherBadRow`` (kept whole), and input that is not a
bad row at all becomes a ``BadRowDecodeError`` value: decoding never raises on bad input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from pyplow.badrows.model import MODELLED, VENDOR, BadRow, OtherBadRow


class SelfDescribingBadRow(msgspec.Struct, frozen=True):
    """A bad row with the exact schema URI it was written with (e.g. an older revision)."""

    schema: str
    data: BadRow


class BadRowDecodeError(msgspec.Struct, frozen=True):
    """The input is not a self-describing bad row; ``message`` says why."""

    message: str


class _Envelope(msgspec.Struct, frozen=True):
    schema: str
    data: msgspec.Raw


_ENCODER = msgspec.json.Encoder()
_ENVELOPE = msgspec.json.Decoder(_Envelope)
_DECODERS: dict[tuple[str, str], msgspec.json.Decoder[Any]] = {}
for _cls in MODELLED:
    _name, _version = _cls.SCHEMA.rsplit("/", 3)[1], _cls.SCHEMA.rsplit("/", 1)[1]
    _DECODERS[(_name, _version.split("-", 1)[0])] = msgspec.json.Decoder(_cls)
_OTHER_DATA = msgspec.json.Decoder(dict[str, Any])
_PREFIX = f"iglu:{VENDOR}/"


def encode(row: BadRow | SelfDescribingBadRow) -> bytes:
    """The row as compact JSON bytes, wrapped in its self-describing envelope."""
    if isinstance(row, SelfDescribingBadRow):
        schema, data = row.schema, row.data
    else:
        schema, data = (row.schema if isinstance(row, OtherBadRow) else row.SCHEMA), row
    body: Any = data.data if isinstance(data, OtherBadRow) else data
    return _ENCODER.encode({"schema": schema, "data": body})


def decode(data: bytes | str) -> SelfDescribingBadRow | BadRowDecodeError:
    """Read one bad row. Never raises on bad input."""
    try:
        envelope = _ENVELOPE.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return BadRowDecodeError(f"not a self-describing JSON object: {exc}")
    schema = envelope.schema
    parts = schema[len(_PREFIX) :].split("/") if schema.startswith(_PREFIX) else []
    if len(parts) != 3 or parts[1] != "jsonschema":
        return BadRowDecodeError(
            f"schema {schema!r} is not iglu:{VENDOR}/<name>/jsonschema/<version>"
        )
    name, _, version = parts
    decoder = _DECODERS.get((name, version.split("-", 1)[0]))
    if decoder is not None:
        try:
            return SelfDescribingBadRow(schema, decoder.decode(envelope.data))
        except msgspec.ValidationError:
            pass  # another shape under the same model (an older producer): keep it whole
    try:
        body = _OTHER_DATA.decode(envelope.data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return BadRowDecodeError(f"bad row {schema}: data is not a JSON object: {exc}")
    return SelfDescribingBadRow(schema, OtherBadRow(schema=schema, data=body))


def instant(moment: datetime) -> str:
    """An ISO-8601 UTC instant as Snowplow writes them in failures (Java ``Instant.toString``):
    ``2020-02-17T09:28:18.100Z``; no fraction when it is zero, microseconds only when needed."""
    moment = moment.astimezone(UTC)
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros == 0:
        return base + "Z"
    if micros % 1000 == 0:
        return f"{base}.{micros // 1000:03d}Z"
    return f"{base}.{micros:06d}Z"
