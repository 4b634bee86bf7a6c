from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments.sql_query import SqlQuery
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = (
    "iglu:com.snowplowanalytics.snowplow.enrichments/sql_query_enrichment_config/jsonschema/1-0-1"
)
OUT = "iglu:com.acme/user/jsonschema/1-0-0"
CLIENT = "iglu:com.acme/client/jsonschema/1-0-0"
RequireService = Callable[[str, str, int], None]

POSTGRES = {
    "postgresql": {
        "host": "127.0.0.1",
        "port": 5432,
        "sslMode": False,
        "username": "postgres",
        "password": "",
        "database": "test",
    }
}
MYSQL = {
    "mysql": {
        "host": "127.0.0.1",
        "port": 3306,
        "sslMode": False,
        "username": "root",
        "password": "",
        "database": "test",
    }
}


def real_data(database: dict[str, Any], /, **changes: Any) -> dict[str, Any]:
    """Snowplow's documented example shape."""
    params: dict[str, Any] = {
        "inputs": [
            {"placeholder": 1, "pojo": {"field": "user_id"}},
            {
                "placeholder": 2,
                "json": {
                    "field": "contexts",
                    "schemaCriterion": "iglu:com.acme/client/jsonschema/1-*-*",
                    "jsonPath": "$.tier",
                },
            },
        ],
        "database": database,
        "query": {"sql": "SELECT * FROM pyplow_sql_users WHERE user_id = ? AND tier >= ?"},
        "output": {
            "expectedRows": "AT_MOST_ONE",
            "json": {"schema": OUT, "describes": "EVERY_ROW", "propertyNames": "CAMEL_CASE"},
        },
        "cache": {"size": 3000, "ttl": 60},
        "ignoreOnError": False,
    }
    params.update(changes)
    return {
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "sql_query_enrichment_config",
        "enabled": True,
        "parameters": params,
    }


def make(data: dict[str, Any]) -> SqlQuery:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    return SqlQuery(EnrichmentConfig(schema=key, data=data))


def event(user: str | None = "u1", tier: Any = 1) -> EventContext:
    raw = RawEvent(vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={})
    fields = {"user_id": user} if user is not None else {}
    contexts = [Entity(CLIENT, {"tier": tier})] if tier is not None else []
    return EventContext(raw, fields, contexts=contexts)


def test_real_configs_validate_and_are_registered() -> None:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    for database in (POSTGRES, MYSQL):
        assert isinstance(VALIDATOR.validate_data(key, real_data(database)), Validated)
    assert implementation("sql_query_enrichment_config") is SqlQuery
    enrichment = make(real_data(POSTGRES))
    assert enrichment.sql == "SELECT * FROM pyplow_sql_users WHERE user_id = %s AND tier >= %s"
    assert enrichment.placeholder_count == 2


def test_missing_input_skips_the_query_without_connecting() -> None:
    unreachable = json.loads(json.dumps(POSTGRES))
    unreachable["postgresql"]["port"] = 9
    enrichment = make(real_data(unreachable))
    assert enrichment.enrich(event(user=None)) is None
    assert enrichment.enrich(event(tier=None)) is None
    failure = enrichment.enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert failure.message.startswith("SQL query failed: OperationalError")
    ignoring = make(real_data(unreachable, ignoreOnError=True))
    assert ignoring.enrich(event()) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inputs": [{"placeholder": 3, "pojo": {"field": "user_id"}}]}, "placeholder 3 does not"),
        ({"inputs": [{"placeholder": 0, "pojo": {"field": "user_id"}}]}, "placeholder must be"),
        ({"inputs": [{"placeholder": 1, "pojo": {"field": "colour"}}]}, "not an atomic field"),
        ({"query": {"sql": ""}}, "query.sql"),
        ({"database": {"oracle": {}}}, "oracle"),
        ({"database": {"postgresql": {**POSTGRES["postgresql"], "port": 0}}}, "port"),
        ({"database": {"mysql": {**MYSQL["mysql"], "host": ""}}}, "host"),
        ({"output": {"expectedRows": "MANY", "json": {}}}, "expectedRows 'MANY' is invalid"),
        (
            {
                "output": {
                    "expectedRows": "EXACTLY_ONE",
                    "json": {"schema": "x", "describes": "ALL_ROWS", "propertyNames": "AS_IS"},
                }
            },
            "not an Iglu URI",
        ),
        (
            {
                "output": {
                    "expectedRows": "EXACTLY_ONE",
                    "json": {"schema": OUT, "describes": "SOME", "propertyNames": "AS_IS"},
                }
            },
            "describes",
        ),
        (
            {
                "output": {
                    "expectedRows": "EXACTLY_ONE",
                    "json": {"schema": OUT, "describes": "ALL_ROWS", "propertyNames": "kebab"},
                }
            },
            "propertyNames",
        ),
        ({"cache": {"size": -1, "ttl": 0}}, "cache"),
    ],
)
def test_bad_configs_are_explained(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        make(real_data(POSTGRES, **changes))


TABLE = """CREATE TABLE pyplow_sql_users (
  user_id VARCHAR(32) PRIMARY KEY, tier INT, full_name VARCHAR(64), balance DECIMAL(10, 2),
  score DOUBLE PRECISION, active BOOLEAN, seen_at TIMESTAMP, note VARCHAR(20))"""
ROWS = [
    ("u1", 1, "Ann Lee", Decimal("12.50"), 0.5, True, datetime(2020, 1, 2, 3, 4, 5), None),
    ("u2", 2, "Bob", Decimal("3.00"), 1.0, False, datetime(2021, 6, 7, 8, 9, 10), "vip"),
    ("u3", 2, "Cy", Decimal("0.10"), 2.0, True, datetime(2022, 1, 1, 0, 0, 0), "100%"),
]


@pytest.fixture(params=["postgresql", "mysql"])
def database(
    request: pytest.FixtureRequest, require_service: RequireService
) -> Iterator[dict[str, Any]]:
    if request.param == "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        import psycopg

        connection: Any = psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="test", autocommit=True
        )
        settings = POSTGRES
    else:
        require_service("MariaDB", "127.0.0.1", 3306)
        import pymysql  # type: ignore[import-untyped]

        connection = pymysql.connect(
            host="127.0.0.1", port=3306, user="root", password="", database="test", autocommit=True
        )
        settings = MYSQL
    table = f"pyplow_sql_users_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(TABLE.replace("pyplow_sql_users", table))
        cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", ROWS)
    yield {"settings": settings, "table": table}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    connection.close()


def sql_data(
    db: dict[str, Any],
    sql: str,
    expected: str = "AT_MOST_ONE",
    describes: str = "EVERY_ROW",
    naming: str = "CAMEL_CASE",
    **changes: Any,
) -> dict[str, Any]:
    return real_data(
        db["settings"],
        query={"sql": sql.replace("pyplow_sql_users", db["table"])},
        output={
            "expectedRows": expected,
            "json": {"schema": OUT, "describes": describes, "propertyNames": naming},
        },
        **changes,
    )


@pytest.mark.integration
def test_one_row_with_typed_columns(database: dict[str, Any]) -> None:
    enrichment = make(
        sql_data(database, "SELECT * FROM pyplow_sql_users WHERE user_id = ? AND tier >= ?")
    )
    result = enrichment.enrich(event("u1", 1))
    active = result[0].data["active"] if isinstance(result, list) else None
    assert result == [
        Entity(
            OUT,
            {
                "userId": "u1",
                "tier": 1,
                "fullName": "Ann Lee",
                "balance": 12.5,
                "score": 0.5,
                # MariaDB has no boolean type: BOOLEAN is TINYINT(1) and reads as 1.
                "active": True if database["settings"] is POSTGRES else 1,
                "seenAt": "2020-01-02T03:04:05",
                "note": None,
            },
        )
    ]
    assert active in (True, 1)
    assert enrichment.enrich(event("nobody", 1)) == []
    enrichment.close()


@pytest.mark.integration
def test_expected_rows_and_all_rows(database: dict[str, Any]) -> None:
    sql = "SELECT user_id, note FROM pyplow_sql_users WHERE tier >= ? ORDER BY user_id"
    inputs = [
        {
            "placeholder": 1,
            "json": {
                "field": "contexts",
                "schemaCriterion": "iglu:com.acme/client/jsonschema/1-*-*",
                "jsonPath": "$.tier",
            },
        }
    ]
    all_rows = make(
        sql_data(database, sql, "AT_LEAST_ONE", "ALL_ROWS", "UPPER_CASE", inputs=inputs)
    )
    assert all_rows.enrich(event(None, 2)) == [
        Entity(OUT, [{"USER_ID": "u2", "NOTE": "vip"}, {"USER_ID": "u3", "NOTE": "100%"}])
    ]
    failure = all_rows.enrich(event(None, 9))
    assert isinstance(failure, EnrichmentError)
    assert failure.message == "SQL query returned 0 rows, but expectedRows is AT_LEAST_ONE"
    exactly = make(sql_data(database, sql, "EXACTLY_ONE", inputs=inputs))
    failure = exactly.enrich(event(None, 1))
    assert isinstance(failure, EnrichmentError)
    assert "returned 3 rows" in failure.message
    every = make(sql_data(database, sql, "AT_LEAST_ZERO", naming="AS_IS", inputs=inputs))
    assert every.enrich(event(None, 2)) == [
        Entity(OUT, {"user_id": "u2", "note": "vip"}),
        Entity(OUT, {"user_id": "u3", "note": "100%"}),
    ]
    assert every.enrich(event(None, 9)) == []
    ignoring = make(sql_data(database, sql, "EXACTLY_ONE", inputs=inputs, ignoreOnError=True))
    assert ignoring.enrich(event(None, 1)) is None


@pytest.mark.integration
def test_literal_percent_and_timestamp_input(database: dict[str, Any]) -> None:
    sql = (
        "SELECT user_id FROM pyplow_sql_users WHERE note LIKE '100%' "
        "AND seen_at < CAST(? AS TIMESTAMP)"
    )
    if database["settings"] is MYSQL:
        sql = sql.replace("CAST(? AS TIMESTAMP)", "CAST(? AS DATETIME)")
    inputs = [{"placeholder": 1, "pojo": {"field": "derived_tstamp"}}]
    enrichment = make(sql_data(database, sql, inputs=inputs))
    raw = RawEvent(vendor="v", version="tp2", parameters={})
    ev = EventContext(raw, {"derived_tstamp": datetime(2023, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)})
    assert enrichment.enrich(ev) == [Entity(OUT, {"userId": "u3"})]


@pytest.mark.integration
def test_results_are_cached_and_errors_are_failures(database: dict[str, Any]) -> None:
    sql = "SELECT full_name FROM pyplow_sql_users WHERE user_id = ? AND tier >= ?"
    enrichment = make(sql_data(database, sql))
    assert enrichment.enrich(event("u2", 1)) == [Entity(OUT, {"fullName": "Bob"})]
    # Remove the table's rows behind the cache's back: the cached answer is still used.
    enrichment.database.query(f"DELETE FROM {database['table']}", ())
    assert enrichment.enrich(event("u2", 1)) == [Entity(OUT, {"fullName": "Bob"})]
    assert enrichment.enrich(event("u2", 2)) == []  # another key: asks the database
    broken = make(
        sql_data(
            database, "SELECT no_such_column FROM pyplow_sql_users WHERE user_id = ? AND tier = ?"
        )
    )
    failure = broken.enrich(event("u2", 1))
    assert isinstance(failure, EnrichmentError)
    assert failure.message.startswith("SQL query failed:")
    # The connection survives a bad statement.
    names, rows = broken.database.query("SELECT 1 AS one", ())
    assert (names, rows) == (["one"], [(1,)])


@pytest.mark.integration
def test_reconnects_after_the_connection_is_lost(database: dict[str, Any]) -> None:
    sql = "SELECT full_name FROM pyplow_sql_users WHERE user_id = ? AND tier >= ?"
    enrichment = make(sql_data(database, sql, cache={"size": 0, "ttl": 0}))
    assert enrichment.enrich(event("u1", 1)) == [Entity(OUT, {"fullName": "Ann Lee"})]
    connection = enrichment.database._connection
    connection.close()
    assert enrichment.enrich(event("u1", 1)) == [Entity(OUT, {"fullName": "Ann Lee"})]
