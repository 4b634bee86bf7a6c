"""What PostgreSQL reads back from the loader's COPY text (each test in its own schema)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyplow.event import Contexts, Entity
from pyplow.loaders.base import LoadBatch
from pyplow.loaders.postgres import PostgresLoader
from pyplow.loaders.postgres.atomic import EVENT_COLUMNS, event_row
from pyplow.loaders.postgres.copytext import CopyBlocks
from pyplow.loaders.postgres.ddl import events_ddl

from .database import NOW, query
from .events import page_view, tricky_page_view

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg")
KINDS = "iglu:com.acme/kinds/jsonschema/1-0-0"


def test_atomic_values_are_stored_as_psycopg_would_store_them(
    loader: PostgresLoader, pg_dsn: str, pg_schema: str
) -> None:
    events = [tricky_page_view(1), page_view(2), page_view(3, tr_total=None, br_cookies=None)]
    assert loader.load(LoadBatch(events=events)).loaded == 3
    reference = f"{pg_schema}_ref"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(events_ddl(reference).encode())
        try:
            columns = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
            with (
                conn.cursor() as cur,
                cur.copy(f'COPY "{reference}".events ({columns}) FROM STDIN'.encode()) as copy,
            ):
                for event in events:
                    copy.write_row(event_row(event, NOW))
            ordered = "SELECT * FROM {}.events ORDER BY event_id"
            expected = conn.execute(ordered.format(f'"{reference}"').encode()).fetchall()
            stored = conn.execute(ordered.format(f'"{pg_schema}"').encode()).fetchall()
        finally:
            conn.execute(f'DROP SCHEMA "{reference}" CASCADE'.encode())
    assert stored == expected
    row = dict(zip(EVENT_COLUMNS, stored[0], strict=True))
    assert row["app_id"] == "back\\slash"
    assert row["platform"] == "\\N"
    assert (row["name_tracker"], row["v_tracker"]) == ("", None)
    assert row["page_title"] == "é 漢字 😀 \t tab \n lf \r cr \\t"
    assert row["user_id"] == "u" * 255
    assert (row["tr_total"], row["tr_shipping"], row["ti_price"]) == (
        Decimal("12.50"),
        Decimal("10.00"),
        Decimal("-0.01"),
    )
    assert row["se_value"] == 0.125
    assert row["etl_tstamp"] == datetime(2024, 3, 1, 12, 0, 0, 123456)
    assert row["collector_tstamp"] == datetime(2024, 3, 1, 12, 0, 1, 250000)
    assert row["dvce_created_tstamp"] == datetime(2024, 3, 1, 11, 59, 59)
    assert row["true_tstamp"] == datetime(2024, 3, 1, 14, 0)  # the offset is ignored
    assert (row["br_features_pdf"], row["br_cookies"], row["br_features_java"]) == (
        True,
        False,
        None,
    )
    assert row["load_tstamp"] == datetime(2024, 5, 1, 8, 30)


def test_too_long_atomic_values_still_become_runtime_bad_rows(
    loader: PostgresLoader, pg_dsn: str, pg_schema: str
) -> None:
    result = loader.load(
        LoadBatch(events=[page_view(1, user_id="u" * 256), page_view(2, page_title="\\" * 2000)])
    )
    assert result.loaded == 1
    [bad] = [json.loads(b) for b in result.bad]
    assert bad["data"]["failure"] == "user_id: 256 characters, the column holds at most 255"
    assert query(pg_dsn, f'SELECT length(page_title) FROM "{pg_schema}".events') == [(2000,)]


def _kinds(n: int, data: dict[str, Any]) -> Any:
    return page_view(n, contexts=Contexts(data=(Entity(KINDS, data),)))


def test_entity_values_read_back(loader: PostgresLoader, pg_dsn: str, pg_schema: str) -> None:
    tricky = {
        "label": "a\\b \\N\ttab\nlf\rcr é 😀",
        "short": "12345",
        "code": "FR",
        "at": "2024-03-01T12:00:00.5+02:00",
        "day": "2024-02-29",
        "uid": str(uuid.UUID(int=5)),
        "small": 10,
        "big": 2**40,
        "ratio": 1e-07,
        "ok": False,
        "tags": ["x\\y", 'q"uote', None],
        "inner": {"note": ""},
    }
    events = [
        _kinds(1, tricky),
        _kinds(2, {"label": "\\N", "at": "2024-03-01T12:00:00Z", "ok": True, "ratio": 3}),
        _kinds(3, {"short": "123456"}),  # too long: a loader_iglu_error bad row
    ]
    result = loader.load(LoadBatch(events=events))
    assert result.loaded == 2
    assert len(result.bad) == 1
    columns = "label, short, code, at, day, uid, small, big, ratio, ok, tags, inner_note"
    rows = query(
        pg_dsn,
        f'SELECT root_id, root_tstamp, {columns} FROM "{pg_schema}".com_acme_kinds_1'
        " ORDER BY root_id",
    )
    assert rows == [
        (
            str(uuid.UUID(int=2)),
            datetime(2024, 3, 1, 12, 0, 1, 250000),
            "a\\b \\N\ttab\nlf\rcr é 😀",
            "12345",
            "FR",
            datetime(2024, 3, 1, 10, 0, 0, 500000),
            date(2024, 2, 29),
            uuid.UUID(int=5),
            10,
            2**40,
            1e-07,
            False,
            ["x\\y", 'q"uote', None],
            "",
        ),
        (
            str(uuid.UUID(int=3)),
            datetime(2024, 3, 1, 12, 0, 2, 250000),
            "\\N",
            *(None,) * 2,
            datetime(2024, 3, 1, 12, 0),
            *(None,) * 4,
            3.0,
            True,
            None,
            None,
        ),
    ]


@pytest.fixture
def text_table(pg_dsn: str, pg_schema: str) -> Iterator[Any]:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{pg_schema}"'.encode())
        conn.execute(f'CREATE TABLE "{pg_schema}".t (n integer, a text, b text)'.encode())
        yield conn


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.tuples(st.none() | _TEXT, st.none() | _TEXT), max_size=5))
def test_any_text_round_trips(
    text_table: Any, pg_schema: str, values: list[tuple[str | None, str | None]]
) -> None:
    table = f'"{pg_schema}".t'
    text_table.execute(f"TRUNCATE {table}".encode())
    with text_table.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN".encode()) as copy:
        blocks = CopyBlocks(copy, block_rows=2)
        for n, (a, b) in enumerate(values):
            blocks.row((n, a, b))
        blocks.flush()
    stored = text_table.execute(f"SELECT a, b FROM {table} ORDER BY n".encode()).fetchall()
    assert stored == values
