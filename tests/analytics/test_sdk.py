"""``pyplow.analytics``: the SDK entry points (transform, the JSON shapes, frames)."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pyplow.analytics as analytics
import pyplow.event
from pyplow.analytics import EventParseError, read_events, to_frame, transform
from pyplow.event import decode_tsv, encode_tsv, to_python_sdk_json

from .sdk_data import event


def test_transform_is_the_event_packages() -> None:
    assert analytics.transform is pyplow.event.transform
    assert analytics.to_sdk_json is pyplow.event.to_sdk_json
    assert analytics.to_python_sdk_json is pyplow.event.to_python_sdk_json
    assert analytics.to_lossless_json is pyplow.event.to_lossless_json


def test_transform_gives_the_shredded_shape() -> None:
    shredded = transform(encode_tsv(event(2)))
    assert shredded["event_id"] == event(2).event_id
    assert shredded["collector_tstamp"] == "2024-03-01T22:39:00.250Z"
    assert "geo_location" not in shredded  # latitude without longitude
    assert shredded["geo_latitude"] == pytest.approx(50.8582)
    assert shredded["contexts_com_snowplowanalytics_snowplow_web_page_1"][0]["_schema_version"] == (
        "1-0-0"
    )
    assert shredded["unstruct_event_com_snowplowanalytics_snowplow_link_click_1"] == {
        "targetUrl": "https://example.org/2"
    }
    assert shredded["contexts_com_acme_product_1"][0]["unitPrice"] == 2.5
    python_shape = to_python_sdk_json(decode_tsv(encode_tsv(event(2))))  # type: ignore[arg-type]
    assert "_schema_version" not in python_shape["contexts_com_acme_product_1"][0]


@given(st.text(max_size=200))
def test_transform_raises_its_typed_error_on_anything_else(line: str) -> None:
    error: EventParseError | None = None
    try:
        transform(line)
    except EventParseError as exc:
        error = exc
    if error is not None:
        assert error.error is not None
        assert str(error)


def test_to_frame_engines() -> None:
    table = pa.table({"a": pa.array([1, None], pa.int32()), "b": [True, None]})
    assert to_frame(table, "arrow") is table
    assert to_frame(table, "polars")["a"].to_list() == [1, None]
    frame = to_frame(table, "pandas")
    assert str(frame["a"].dtype) == "Int32"
    assert str(frame["b"].dtype) == "boolean"
    with pytest.raises(ValueError, match="unknown engine"):
        to_frame(table, "dask")  # type: ignore[arg-type]


def test_read_events_refuses_an_unknown_engine_before_reading() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        read_events("/nowhere.duckdb", engine="modin")  # type: ignore[call-overload]


def test_importing_the_package_imports_no_heavy_library() -> None:
    code = (
        "import sys, pyplow.analytics, pyplow.cli.export\n"
        "heavy = {'pyarrow', 'polars', 'pandas', 'duckdb', 'psycopg', 'sklearn'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
