"""Failure messages of bad rows as text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from pyplow.badrows.messages import row_failure_messages

VENDOR = "iglu:com.snowplowanalytics.snowplow.badrows"


def test_schema_violation_messages_are_compact_json() -> None:
    row = {
        "schema": f"{VENDOR}/generic_error/jsonschema/1-0-0",
        "data": {
            "processor": {"artifact": "pyplow-enrich", "version": "0.1.0"},
            "failure": {"timestamp": "2024-03-01T10:00:00Z", "errors": ["boom", "bang"]},
            "payload": "x",
        },
    }
    assert row_failure_messages(json.dumps(row)) == ["boom", "bang"]


def test_an_unreadable_row_says_so() -> None:
    assert row_failure_messages(b"{not json")[0].startswith("unreadable bad row")


@given(st.binary(max_size=200))
def test_never_raises(data: bytes) -> None:
    assert isinstance(row_failure_messages(data), list)
