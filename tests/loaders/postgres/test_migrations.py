from __future__ import annotations

from pyplow.iglu import SchemaKey, SchemaVer
from pyplow.loaders.postgres.columns import schema_columns
from pyplow.loaders.postgres.migrations import (
    ExistingColumn,
    Incompatible,
    Migration,
    TableState,
    canonical_type,
    plan_migration,
    table_state,
)


def _key(version: str) -> SchemaKey:
    key = SchemaKey.parse(f"iglu:com.acme/checkout/jsonschema/{version}")
    assert isinstance(key, SchemaKey)
    return key


V1 = schema_columns(
    {
        "properties": {
            "orderId": {"type": "string", "maxLength": 32},
            "total": {"type": "number"},
            "n": {"type": "integer", "minimum": 0, "maximum": 9},
        },
        "required": ["orderId", "total"],
    }
)


def _created() -> TableState:
    plan = plan_migration("s", "t", None, _key("1-0-0"), V1)
    assert isinstance(plan, Migration)
    return plan.state


def test_new_table_is_created_with_its_version() -> None:
    plan = plan_migration("s", "t", None, _key("1-0-0"), V1)
    assert isinstance(plan, Migration)
    assert len(plan.statements) == 1
    assert plan.statements[0].startswith('CREATE TABLE IF NOT EXISTS "s"."t"')
    assert plan.state.version == SchemaVer(1, 0, 0)
    assert plan.state.columns["order_id"] == ExistingColumn("character varying(32)", True)
    assert plan.state.columns["n"] == ExistingColumn("smallint", False)


def test_same_version_needs_nothing() -> None:
    plan = plan_migration("s", "t", _created(), _key("1-0-0"), V1)
    assert isinstance(plan, Migration)
    assert plan.statements == ()


def test_new_optional_property_adds_a_column_and_bumps_the_comment() -> None:
    v2 = schema_columns(
        {
            "properties": {
                "orderId": {"type": "string", "maxLength": 64},
                "total": {"type": "number"},
                "n": {"type": "integer", "maximum": 10**12, "minimum": 0},
                "couponCode": {"type": "string", "maxLength": 20},
            },
            "required": ["orderId"],
        }
    )
    plan = plan_migration("s", "t", _created(), _key("1-0-1"), v2)
    assert isinstance(plan, Migration)
    assert plan.statements == (
        'ALTER TABLE "s"."t" ALTER COLUMN "order_id" TYPE character varying(64)',
        'ALTER TABLE "s"."t" ADD COLUMN "coupon_code" character varying(20)',
        'ALTER TABLE "s"."t" ALTER COLUMN "n" TYPE bigint',
        'ALTER TABLE "s"."t" ALTER COLUMN "total" DROP NOT NULL',
        'COMMENT ON TABLE "s"."t" IS \'iglu:com.acme/checkout/jsonschema/1-0-1\'',
    )
    assert plan.state.version == SchemaVer(1, 0, 1)
    assert plan.state.columns["coupon_code"] == ExistingColumn("character varying(20)", False)


def test_older_version_after_newer_keeps_comment() -> None:
    newer = plan_migration("s", "t", _created(), _key("1-0-3"), V1)
    assert isinstance(newer, Migration)
    older = plan_migration("s", "t", newer.state, _key("1-0-0"), V1)
    assert isinstance(older, Migration)
    assert older.statements == ()
    assert older.state.version == SchemaVer(1, 0, 3)


def test_type_change_is_incompatible() -> None:
    v2 = schema_columns(
        {"properties": {"orderId": {"type": "string"}, "total": {"type": "string"}}}
    )
    plan = plan_migration("s", "t", _created(), _key("1-1-0"), v2)
    assert plan == Incompatible(
        "iglu:com.acme/checkout/jsonschema/1-1-0: column total of table t has type "
        "double precision, the schema needs text"
    )


def test_state_from_catalog_rows() -> None:
    rows = [
        ("root_id", "character(36)", True, "iglu:com.acme/checkout/jsonschema/1-0-2"),
        ("total", "double precision", False, "iglu:com.acme/checkout/jsonschema/1-0-2"),
    ]
    state = table_state("t", rows)
    assert state is not None
    assert state.version == SchemaVer(1, 0, 2)
    assert state.columns["total"] == ExistingColumn("double precision", False)
    assert table_state("t", []) is None
    odd = table_state("t", [("a", "text", False, "not a key")])
    assert odd is not None
    assert odd.version is None


def test_canonical_type() -> None:
    assert canonical_type("varchar(5)") == "character varying(5)"
    assert canonical_type("char(36)") == "character(36)"
    assert canonical_type("timestamp") == "timestamp without time zone"
    assert canonical_type("jsonb") == "jsonb"
