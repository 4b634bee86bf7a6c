"""Bad-row JSON documents as an Arrow table for the ``bad_rows`` table."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
import pyarrow as pa  # type: ignore[import-untyped]

from pyplow.badrows import BadRowDecodeError, OtherBadRow, decode

__all__ = ["bad_rows_arrow", "row_id"]

_ENCODER = msgspec.json.Encoder()


def row_id(document: bytes) -> str:
    """The identity of a bad row: SHA-256 of its bytes (a redelivered row has the same id)."""
    return hashlib.sha256(document).hexdigest()


def _json(value: Any) -> str | None:
    return None if value is None else _ENCODER.encode(value).decode()


def _failure_tstamp(failure: Any) -> datetime | None:
    stamp = failure.get("timestamp") if isinstance(failure, dict) else None
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def bad_rows_arrow(documents: Sequence[bytes], load_tstamp: datetime) -> pa.Table:
    """One table row per document. Documents that are not bad rows are kept whole in ``row``
    (as a JSON string when they are not JSON at all), with the other columns NULL."""
    columns: dict[str, list[Any]] = {
        n: []
        for n in (
            "row_id",
            "schema",
            "processor_artifact",
            "processor_version",
            "failure",
            "payload",
            "failure_tstamp",
            "row",
        )
    }
    for doc in documents:
        decoded = decode(doc)
        columns["row_id"].append(row_id(doc))
        if isinstance(decoded, BadRowDecodeError):
            try:
                text = _json(msgspec.json.decode(doc))
            except (msgspec.DecodeError, UnicodeDecodeError):
                text = _json(doc.decode("utf-8", errors="replace"))
            for name in ("schema", "processor_artifact", "processor_version", "failure"):
                columns[name].append(None)
            columns["payload"].append(None)
            columns["failure_tstamp"].append(None)
            columns["row"].append(text)
            continue
        data: Any = msgspec.to_builtins(
            decoded.data.data if isinstance(decoded.data, OtherBadRow) else decoded.data
        )
        processor = data.get("processor") if isinstance(data, dict) else None
        processor = processor if isinstance(processor, dict) else {}
        failure = data.get("failure") if isinstance(data, dict) else None
        columns["schema"].append(decoded.schema)
        columns["processor_artifact"].append(processor.get("artifact"))
        columns["processor_version"].append(processor.get("version"))
        columns["failure"].append(_json(failure))
        columns["payload"].append(_json(data.get("payload") if isinstance(data, dict) else None))
        columns["failure_tstamp"].append(_failure_tstamp(failure))
        columns["row"].append(doc.decode("utf-8", errors="replace"))
    table = pa.table(
        {
            **{n: pa.array(v, pa.string()) for n, v in columns.items() if n != "failure_tstamp"},
            "failure_tstamp": pa.array(columns["failure_tstamp"], pa.timestamp("us")),
        }
    )
    stamp = load_tstamp.astimezone(UTC).replace(tzinfo=None)
    return table.append_column(
        "load_tstamp", pa.array([stamp] * len(documents), pa.timestamp("us"))
    )
