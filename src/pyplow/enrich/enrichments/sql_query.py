"""SQL query: run a prepared statement with values of the event and attach the rows.

Configured by ``sql_query_enrichment_config`` 1-0-0 / 1-0-1:

- ``inputs``: ``{"placeholder": n, "pojo": {...}}`` or ``{"placeholder": n, "json": {...}}``
  (see :mod:`pyplow.enrich.support.inputs`); input ``n`` binds the n-th ``?`` of
  ``query.sql``. Values keep their types: text, integers, decimals, floats; booleans as 1/0 and
  timestamps as ``yyyy-MM-dd HH:mm:ss.SSS`` text (Enrich's bean holds them so); JSON values
  as numbers, booleans or text, objects and arrays as compact JSON text. When a placeholder
  gets no value the query is skipped: no entity, no failure.
- ``database``: ``{"postgresql": {...}}`` (psycopg 3) or ``{"mysql": {...}}`` (PyMySQL, also
  for MariaDB) with ``host``, ``port``, ``sslMode``, ``username``, ``password``, ``database``.
  One connection per enrichment, opened on first use, re-opened once if it broke.
- ``output.expectedRows``: ``EXACTLY_ONE``, ``AT_MOST_ONE``, ``AT_LEAST_ZERO``,
  ``AT_LEAST_ONE``; another count is a failure. ``output.json``: the entity ``schema``;
  ``describes`` ``EVERY_ROW`` (one entity per row) or ``ALL_ROWS`` (one entity whose data is
  the array of rows; none when there are no rows); ``propertyNames`` transforms the column
  names (``AS_IS``, ``CAMEL_CASE``, ``PASCAL_CASE``, ``SNAKE_CASE``, ``LOWER_CASE``,
  ``UPPER_CASE``). Column values become JSON as :func:`pyplow.enrich.support.sql.to_json` says.
- ``cache``: successful results, ``size`` entries for ``ttl`` seconds, keyed by the bound values.
- ``ignoreOnError`` (1-0-1): failures give no entity instead of an enrichment failure.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import msgspec

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.enrich.support.inputs import (
    JsonInput,
    PojoInput,
    json_text,
    parse_source,
    read_source,
)
from pyplow.enrich.support.sql import NAMINGS, Database, to_json, translate_placeholders
from pyplow.event.entities import Entity
from pyplow.event.fields import Kind
from pyplow.event.values import format_timestamp
from pyplow.iglu import SchemaKey, TtlLruCache

__all__ = ["EXPECTED_ROWS", "SqlQuery"]

#: expectedRows → (minimum, maximum or None).
EXPECTED_ROWS: Final[dict[str, tuple[int, int | None]]] = {
    "EXACTLY_ONE": (1, 1),
    "AT_MOST_ONE": (0, 1),
    "AT_LEAST_ZERO": (0, None),
    "AT_LEAST_ONE": (1, None),
}


class _Input(msgspec.Struct, frozen=True):
    placeholder: int
    source: PojoInput | JsonInput


def _bind_value(source: PojoInput | JsonInput, value: Any) -> Any:
    """The value bound to a placeholder (see the module docstring)."""
    if isinstance(source, PojoInput):
        if source.kind is Kind.TS and isinstance(value, datetime):
            return format_timestamp(value)
        if source.kind is Kind.BOOL:
            return 1 if value else 0
        return value
    if isinstance(value, str | int | float):  # bool is an int
        return value
    return json_text(value)


def _parse_inputs(raw: Any, count: int) -> tuple[_Input, ...]:
    if not isinstance(raw, list):
        raise EnrichmentConfigError(f"sql_query: 'inputs' must be a list, got {raw!r}")
    inputs = []
    for i, spec in enumerate(raw):
        what = f"sql_query: inputs[{i}]"
        if not isinstance(spec, Mapping):
            raise EnrichmentConfigError(f"{what}: expected an object, got {spec!r}")
        placeholder = spec.get("placeholder")
        if isinstance(placeholder, bool) or not isinstance(placeholder, int) or placeholder < 1:
            raise EnrichmentConfigError(
                f"{what}: placeholder must be an integer >= 1, got {placeholder!r}"
            )
        if placeholder > count:
            raise EnrichmentConfigError(
                f"{what}: placeholder {placeholder} does not exist; query.sql has {count} '?'"
            )
        inputs.append(_Input(placeholder, parse_source(spec, what)))
    return tuple(inputs)


def _parse_database(raw: Any) -> Database:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise EnrichmentConfigError(
            f"sql_query: 'database' must be {{'postgresql': {{...}}}} or {{'mysql': {{...}}}}, "
            f"got {raw!r}"
        )
    engine, settings = next(iter(raw.items()))
    if engine not in ("postgresql", "mysql") or not isinstance(settings, Mapping):
        raise EnrichmentConfigError(
            f"sql_query: database kind {engine!r} is not supported; expected postgresql or mysql"
        )
    return Database(engine, settings)


def _choice(value: Any, allowed: Mapping[str, Any], what: str) -> str:
    if value not in allowed:
        raise EnrichmentConfigError(
            f"sql_query: {what} {value!r} is invalid; expected one of {', '.join(allowed)}"
        )
    return str(value)


class SqlQuery(Enrichment):
    """Query a relational database per event (see the module docstring)."""

    schema_name = "sql_query_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/sql_query_enrichment_config/jsonschema/1-0-*"
        ),
    )
    identifier = "sql-query"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        params = config.parameters
        query = params.get("query")
        sql = query.get("sql") if isinstance(query, Mapping) else None
        if not isinstance(sql, str) or not sql.strip():
            raise EnrichmentConfigError(f"sql_query: 'query.sql' must be a statement, got {sql!r}")
        self.sql, self.placeholder_count = translate_placeholders(sql)
        self._inputs = _parse_inputs(params.get("inputs"), self.placeholder_count)
        output = params.get("output")
        json = output.get("json") if isinstance(output, Mapping) else None
        if not isinstance(output, Mapping) or not isinstance(json, Mapping):
            raise EnrichmentConfigError(
                f"sql_query: 'output' must hold expectedRows and json, got {output!r}"
            )
        expected = _choice(
            output.get("expectedRows", "AT_LEAST_ZERO"), EXPECTED_ROWS, "output.expectedRows"
        )
        self._min_rows, self._max_rows = EXPECTED_ROWS[expected]
        self.expected_rows = expected
        schema = json.get("schema")
        if not isinstance(schema, str) or not isinstance(SchemaKey.parse(schema), SchemaKey):
            raise EnrichmentConfigError(
                f"sql_query: output.json.schema {schema!r} is not an Iglu URI "
                "iglu:vendor/name/format/m-r-a"
            )
        self.schema: str = schema
        describes = _choice(
            json.get("describes"), {"ALL_ROWS": 0, "EVERY_ROW": 0}, "output.json.describes"
        )
        self._every_row = describes == "EVERY_ROW"
        naming = _choice(json.get("propertyNames"), NAMINGS, "output.json.propertyNames")
        self._rename = NAMINGS[naming]
        cache = params.get("cache")
        size = cache.get("size") if isinstance(cache, Mapping) else None
        ttl = cache.get("ttl") if isinstance(cache, Mapping) else None
        if not (isinstance(size, int) and size >= 0 and isinstance(ttl, int) and ttl >= 0):
            raise EnrichmentConfigError(
                f"sql_query: 'cache' must be {{size: int >= 0, ttl: int >= 0}}, got {cache!r}"
            )
        self._cache: TtlLruCache[tuple[Any, ...], tuple[Any, ...]] = TtlLruCache(
            size, ttl, time.monotonic
        )
        self.ignore_on_error = bool(params.get("ignoreOnError") or False)
        self.database = _parse_database(params.get("database"))

    def close(self) -> None:
        self.database.close()

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        values: dict[int, Any] = {}
        for item in self._inputs:
            value = read_source(event, item.source)
            if value is not None:
                values[item.placeholder] = _bind_value(item.source, value)
        if len(values) < self.placeholder_count:
            return None  # an input is missing: skipped, as Snowplow does
        bound = tuple(values[i] for i in range(1, self.placeholder_count + 1))
        key = tuple((type(v).__name__, v) for v in bound)
        rows = self._cache.get(key)
        if rows is None:
            try:
                names, raw_rows = self.database.query(self.sql, bound)
            except Exception as exc:
                return self._fail(f"SQL query failed: {type(exc).__name__}: {exc}".strip())
            columns = [self._rename(name) for name in names]
            rows = tuple(
                {column: to_json(value) for column, value in zip(columns, row, strict=True)}
                for row in raw_rows
            )
            self._cache.put(key, rows)
        count = len(rows)
        if count < self._min_rows or (self._max_rows is not None and count > self._max_rows):
            return self._fail(
                f"SQL query returned {count} rows, but expectedRows is {self.expected_rows}"
            )
        if not rows:
            return []
        if self._every_row:
            return [Entity(self.schema, dict(row)) for row in rows]
        return [Entity(self.schema, [dict(row) for row in rows])]

    def _fail(self, message: str) -> EnrichmentError | None:
        return None if self.ignore_on_error else EnrichmentError(message)
