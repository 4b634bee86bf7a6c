from __future__ import annotations

import re

from pyplow.event import FIELDS, Kind
from pyplow.iglu import SchemaKey
from pyplow.loaders.postgres.columns import schema_columns
from pyplow.loaders.postgres.ddl import (
    bad_rows_ddl,
    events_column_types,
    events_ddl,
    shredded_table_ddl,
)

KEY = SchemaKey.parse("iglu:com.acme/checkout/jsonschema/1-0-0")
assert isinstance(KEY, SchemaKey)
COLUMNS = schema_columns(
    {"properties": {"orderId": {"type": "string", "maxLength": 32}}, "required": ["orderId"]}
)


def _column_lines(ddl: str) -> list[str]:
    return re.findall(r'^  "([a-z0-9_]+)" (.+?),?$', ddl, flags=re.MULTILINE)


def test_events_columns_are_the_128_fields_in_order_then_load_tstamp() -> None:
    names = [n for n, _ in events_column_types()]
    expected = [f.name for f in FIELDS if f.kind not in (Kind.CONTEXTS, Kind.UNSTRUCT)]
    assert len(expected) == 128
    assert names == [*expected, "load_tstamp"]


def test_postgres_events_ddl() -> None:
    ddl = events_ddl("atomic")
    columns = dict(_column_lines(ddl))
    assert len(columns) == 129
    assert columns["event_id"] == "char(36) NOT NULL"
    assert columns["collector_tstamp"] == "timestamp NOT NULL"
    assert columns["v_collector"] == "varchar(100) NOT NULL"
    assert columns["page_url"] == "varchar(10000)"  # Enrich's limit, not Redshift's 4096
    assert columns["mkt_clickid"] == "varchar(1000)"
    assert columns["geo_region"] == "varchar(3)"
    assert columns["tr_total"] == "dec(18,2)"
    assert columns["se_value"] == "double precision"
    assert columns["br_cookies"] == "boolean"
    assert columns["txn_id"] == "integer"
    assert columns["load_tstamp"] == "timestamp"
    assert 'CREATE TABLE IF NOT EXISTS "atomic"."events"' in ddl
    assert 'PRIMARY KEY ("event_id")' in ddl
    assert "ENCODE" not in ddl


def test_redshift_events_ddl() -> None:
    ddl = events_ddl("atomic", redshift=True)
    columns = dict(_column_lines(ddl))
    assert columns["collector_tstamp"] == "timestamp NOT NULL ENCODE RAW"
    assert columns["event_id"] == "char(36) NOT NULL UNIQUE ENCODE ZSTD"
    assert columns["page_url"] == "varchar(4096) ENCODE ZSTD"
    assert columns["domain_sessionid"] == "char(128) ENCODE ZSTD"
    assert columns["txn_id"] == "int ENCODE ZSTD"
    assert columns["load_tstamp"] == "timestamp ENCODE ZSTD"
    zstd = [c for c, t in columns.items() if t.endswith("ENCODE ZSTD")]
    assert len(zstd) == 128
    assert 'CONSTRAINT event_id_0110_pk PRIMARY KEY ("event_id")' in ddl
    assert ddl.count("DISTSTYLE KEY\nDISTKEY (event_id)\nSORTKEY (collector_tstamp);") == 1
    assert 'COMMENT ON TABLE "atomic"."events" IS \'0.11.0\';' in ddl


def test_shredded_table_ddl() -> None:
    ddl = shredded_table_ddl("atomic", "com_acme_checkout_1", KEY, COLUMNS)
    assert _column_lines(ddl) == [
        ("schema_vendor", "varchar(128) NOT NULL"),
        ("schema_name", "varchar(128) NOT NULL"),
        ("schema_format", "varchar(128) NOT NULL"),
        ("schema_version", "varchar(128) NOT NULL"),
        ("root_id", "char(36) NOT NULL"),
        ("root_tstamp", "timestamp NOT NULL"),
        ("ref_root", "varchar(255) NOT NULL"),
        ("ref_tree", "varchar(1500) NOT NULL"),
        ("ref_parent", "varchar(255) NOT NULL"),
        ("order_id", "varchar(32) NOT NULL"),
    ]
    assert ddl.endswith(
        'COMMENT ON TABLE "atomic"."com_acme_checkout_1" IS '
        "'iglu:com.acme/checkout/jsonschema/1-0-0';\n"
    )


def test_redshift_shredded_table_ddl() -> None:
    ddl = shredded_table_ddl("atomic", "com_acme_checkout_1", KEY, COLUMNS, redshift=True)
    assert '"order_id" varchar(32) NOT NULL ENCODE ZSTD' in ddl
    assert 'FOREIGN KEY ("root_id") REFERENCES "atomic"."events"("event_id")' in ddl
    assert "DISTKEY (root_id)\nSORTKEY (root_tstamp);" in ddl


def test_bad_rows_ddl() -> None:
    ddl = bad_rows_ddl("x")
    assert '"data" jsonb NOT NULL' in ddl
    assert '"row_hash" char(64) PRIMARY KEY' in ddl
