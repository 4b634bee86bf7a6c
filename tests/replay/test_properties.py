"""Hypothesis: replay never raises; querystrings and timestamps round-trip."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.protocol import iso_millis, parse_pairs
from pyplow.replay import FixFailed, NotReplayable, Replayed, Replayer, parse_fixes
from pyplow.replay.document import encode_querystring, millis_of

_json: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
_types = st.sampled_from(
    [
        "adapter_failures/jsonschema/1-0-0",
        "tracker_protocol_violations/jsonschema/1-0-1",
        "schema_violations/jsonschema/2-0-1",
        "schema_violations/jsonschema/1-0-0",
        "enrichment_failures/jsonschema/2-0-1",
        "collector_payload_format_violation/jsonschema/1-0-0",
        "size_violation/jsonschema/1-0-0",
        "loader_parsing_error/jsonschema/2-0-0",
    ]
)
_raw = st.fixed_dictionaries(
    {"vendor": st.text(max_size=5), "version": st.text(max_size=5)},
    optional={
        "parameters": st.lists(
            st.fixed_dictionaries(
                {"name": st.text(max_size=4), "value": st.none() | st.text(max_size=6)}
            ),
            max_size=3,
        )
        | _json,
        "timestamp": st.text(max_size=25) | st.just("2020-01-01T00:00:00.123Z"),
        "headers": st.lists(st.text(max_size=5), max_size=2),
        "userId": st.text(max_size=5),
    },
)
_FIXES = parse_fixes(
    b'[{"match": {}, "patches": [{"op": "add", "path": "/parameters/x", "value": "1"}]}]'
)
assert not isinstance(_FIXES, Exception)
_REPLAYERS = (Replayer(), Replayer(_FIXES))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(schema=_types, raw=_raw, payload=_json, extra=_json)
def test_replay_never_raises(schema: str, raw: dict[str, Any], payload: Any, extra: Any) -> None:
    for body in (
        {"payload": {"raw": raw, "enriched": {}}, "failure": extra},
        {"payload": raw, "failure": {"messages": [extra]}},
        {"payload": payload, "failure": extra},
    ):
        document = {
            "schema": f"iglu:com.snowplowanalytics.snowplow.badrows/{schema}",
            "data": {"processor": {"artifact": "a", "version": "1"}, **body},
        }
        line = json.dumps(document).encode()
        for replayer in _REPLAYERS:
            outcome = replayer.replay(line)
            assert isinstance(outcome, Replayed | NotReplayable | FixFailed)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=60))
def test_replay_never_raises_on_bytes(data: bytes) -> None:
    assert isinstance(Replayer().replay(data), NotReplayable)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6).filter(lambda s: s.strip() == s and s.strip()),
        st.none() | st.text(max_size=8),
        max_size=5,
    )
)
def test_querystring_round_trip(params: dict[str, str | None]) -> None:
    encoded = encode_querystring(params)
    assert dict(parse_pairs(encoded)) == {
        k.encode("utf-8", "replace").decode(): None
        if v is None
        else v.encode("utf-8", "replace").decode()
        for k, v in params.items()
    }


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**14))
def test_timestamp_round_trip(ms: int) -> None:
    assert millis_of(iso_millis(ms)) == ms


def test_bad_timestamp_is_an_error_value() -> None:
    error = millis_of("yesterday")
    assert not isinstance(error, int)
    assert "yesterday" in error.message
    assert "ISO-8601" in error.message
