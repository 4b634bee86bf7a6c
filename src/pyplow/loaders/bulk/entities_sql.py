"""DuckDB SQL for the three JSON fields: parsing the envelopes, checking, building wide columns.

Each JSON field is parsed once into a struct (:data:`PARSED`): the envelope's ``schema`` and
its entities' ``schema`` and ``data`` (the entity payload as JSON text). A field is handled by
the fast path only when DuckDB and :mod:`msgspec` (which the per-row decoder uses) surely read
it alike, so texts with what DuckDB's lenient reader accepts and msgspec rejects (``NaN``,
``Infinity``, trailing commas, huge exponents) and texts with ``\\u`` escapes go to the
per-row path (:data:`RISKY`), as do envelopes whose schema URIs are not valid Iglu URIs.

Wide columns (:func:`family_value`) are built for schema families whose column shape is a
record of strings, integers, numbers, booleans and nested such records; an entity fits when
each property holds the JSON type its field stores (the checks of
:func:`pyplow.loaders.wide.shapes.converter`, made stricter where that is simpler: an integer
written ``3.0`` does not fit here and goes to the per-row path, which stores it). Families
with arrays or JSON-text fields are left to the per-row path.

Known difference: a JSON object with a repeated key is read first-wins by DuckDB and
last-wins by msgspec (RFC 8259 leaves it undefined; Iglu-validated data has none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Final

from pyplow.loaders.duckdb.ddl import duckdb_type, quote
from pyplow.loaders.wide import SCHEMA_VERSION_FIELD
from pyplow.loaders.wide.shapes import Record, Scalar, Shape

__all__ = [
    "JSON_FIELDS",
    "NARROW",
    "PARSED",
    "PARSED_CHECK",
    "RISKY",
    "family_value",
    "fast_shape",
    "fits_cheaply",
    "fits_hint",
    "json_ok",
    "literal",
    "row_fits",
    "typed_parsed",
]

#: ``(raw column, parsed column, prefix)`` of the three JSON fields.
JSON_FIELDS: Final = (
    ("c52", "__ctx", "contexts"),
    ("c122", "__dctx", "contexts"),
    ("c58", "__ue", "unstruct_event"),
)
#: What makes a JSON text risky, one pattern each, each starting with a literal character
#: (RE2 then skips to its occurrences instead of stepping through every byte): a value after
#: ``:``, ``,`` or ``[`` that is ``NaN``/``Infinity`` or a number with a three-digit exponent
#: (every JSON value follows one of them, so this catches every such number), a trailing
#: comma, a ``\u`` or ``\/`` escape.
_ODD_VALUE: Final = r"\s*[-+]?(?:(?i:nan|inf)|[0-9.]+[eE][+-]?[0-9]{3})"
RISKY: Final = (
    ":" + _ODD_VALUE,
    "," + _ODD_VALUE,
    r"\[" + _ODD_VALUE,
    r",\s*[\]}]",
    r"\\[u/]",
)
_INT: Final = "-?[0-9]{1,18}"
_FLOAT: Final = r"-?[0-9]{1,18}|-?[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|-?[0-9]+[eE][+-]?[0-9]+"


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _in(column: str, values: Iterable[str]) -> str:
    items = sorted(set(values))
    if not items:
        return "false"
    return f"coalesce({column} IN ({', '.join(map(literal, items))}), false)"


def _parse(raw: str, spec: str) -> str:
    return f"CASE WHEN {raw} IS NOT NULL THEN try(from_json({raw}, {literal(spec)})) END"


def _envelope(prefix: str, data: str) -> str:
    entity = f'{{"schema":"VARCHAR","data":{data}}}'
    if prefix == "unstruct_event":
        return f'{{"schema":"VARCHAR","data":{entity}}}'
    return f'{{"schema":"VARCHAR","data":[{entity}]}}'


#: ``(name, SQL)`` of the parsed JSON fields, entity data as JSON text, from the raw columns.
PARSED: Final[tuple[tuple[str, str], ...]] = tuple(
    (parsed, _parse(raw, _envelope(prefix, '"JSON"'))) for raw, parsed, prefix in JSON_FIELDS
)
#: The same for the first pass, entity data not kept (NULL when it is null or missing).
PARSED_CHECK: Final[tuple[tuple[str, str], ...]] = tuple(
    (parsed, _parse(raw, _envelope(prefix, '{"__pyplow_none__":"JSON"}')))
    for raw, parsed, prefix in JSON_FIELDS
)


def _narrow(raw: str, parsed: str, prefix: str) -> list[tuple[str, str]]:
    out = [(f"{parsed}_none", f"{raw} IS NULL"), (f"{parsed}_env", f"{parsed}.schema")]
    if prefix == "unstruct_event":
        out.append((f"{parsed}_s", f"{parsed}.data.schema"))
        out.append((f"{parsed}_bad", f"{parsed}.data.data IS NULL"))
        out.append((f"{parsed}_obj", f"json_type({raw}, '$.data.data') = 'OBJECT'"))
    else:
        out.append((f"{parsed}_s", f"list_transform({parsed}.data, lambda e: e.schema)"))
        none = f"list_bool_or(list_transform({parsed}.data, lambda e: e.data IS NULL))"
        out.append((f"{parsed}_bad", f"{parsed}.data IS NULL OR coalesce({none}, false)"))
        objects = (
            f"list_transform([json_type({raw}, '$.data[*].data')], lambda t: "
            f"len(t) = len({parsed}.data) AND list_bool_and(list_transform(t, "
            f"lambda x: x = 'OBJECT')))[1]"
        )
        out.append((f"{parsed}_obj", f"CASE WHEN len({parsed}.data) > 0 THEN {objects} END"))
    return out


#: ``(name, SQL)`` of what the first pass keeps of the JSON fields (over :data:`PARSED_CHECK`):
#: ``<parsed>_none`` (the field is empty), ``_env`` (the envelope's schema), ``_s`` (the
#: entities' schemas), ``_bad`` (an entity without data), and ``__risky``.
NARROW: Final[tuple[tuple[str, str], ...]] = (
    *(item for fields in JSON_FIELDS for item in _narrow(*fields)),
    (
        "__risky",
        " OR ".join(
            f"coalesce(regexp_matches({raw}, {literal(pattern)}), false)"
            for raw, _, _ in JSON_FIELDS
            for pattern in RISKY
        ),
    ),
)


_BAD_START: Final = {
    "string": '[^"n]',
    "int": "(?:[^-0-9n]|-?[0-9]*[.eE]|-?[0-9]{19})",
    "float": "(?:[^-0-9n]|-?[0-9]{19})",
    "bool": "[^tfn]",
    "record": "[^{n]",
}


def _typed_keys(record: Record, into: dict[str, set[str]]) -> None:
    for field in record.fields:
        if field.name == SCHEMA_VERSION_FIELD:
            continue
        kind = "record" if isinstance(field.shape, Record) else getattr(field.shape, "kind", "")
        into.setdefault(kind, set()).add(field.key)
        if isinstance(field.shape, Record):
            _typed_keys(field.shape, into)


def _prefilter(prefix: str, families: dict[str, tuple[str, Record, set[str]]]) -> str | None:
    """A pattern matching, in a JSON text, any property of ``families`` (of ``prefix``) whose
    value starts as no value of its type does (false alarms are fine: they are checked)."""
    kinds: dict[str, set[str]] = {}
    for p, record, _ in families.values():
        if p == prefix:
            _typed_keys(record, kinds)
    parts = []
    for kind, keys in sorted(kinds.items()):
        names = "|".join(re.escape(json.dumps(k, ensure_ascii=False)[1:-1]) for k in sorted(keys))
        parts.append(f'"(?:{names})"\\s*:\\s*{_BAD_START[kind]}')
    return "|".join(parts) if parts else None


def fits_hint(families: dict[str, tuple[str, Record, set[str]]] | None) -> str:
    """A first-pass guess (over the raw columns) that the row's entities fit ``families``:
    false when a property of theirs holds a value of another JSON type. ``None``: no guess."""
    if families is None:
        return "false"
    checks = []
    for raw, _, prefix in JSON_FIELDS:
        pattern = _prefilter(prefix, families)
        if pattern is not None:
            checks.append(f"NOT coalesce(regexp_matches({raw}, {literal(pattern)}), false)")
    return " AND ".join(checks) if checks else "true"


def fits_cheaply(families: dict[str, tuple[str, Record, set[str]]]) -> str:
    """Over the narrow table: the row's entity data are all objects, of fast ``families``,
    and its ``__fit0`` guess holds."""
    parts = ["__fit0"]
    for _, parsed, prefix in JSON_FIELDS:
        uris = {u for p, _, us in families.values() if p == prefix for u in us}
        if prefix == "unstruct_event":
            each = _in(f"{parsed}_s", uris)
        else:
            known = f"list_transform({parsed}_s, lambda s: {_in('s', uris)})"
            each = f"coalesce(list_bool_and({known}), true)"
        parts.append(f"({parsed}_none OR (coalesce({parsed}_obj, true) AND {each}))")
    return " AND ".join(parts)


def json_ok(envelopes: dict[str, set[str]], entities: set[str]) -> str:
    """True (over :data:`NARROW`) when the row's JSON fields are valid envelopes the fast path
    reads: ``envelopes`` are the valid envelope URIs per prefix, ``entities`` the valid entity
    URIs."""
    parts = ["NOT __risky"]
    for _, parsed, prefix in JSON_FIELDS:
        envelope = _in(f"{parsed}_env", envelopes.get(prefix, ()))
        if prefix == "unstruct_event":
            inner = _in(f"{parsed}_s", entities)
        else:
            each = f"list_transform({parsed}_s, lambda s: {_in('s', entities)})"
            inner = f"coalesce(list_bool_and({each}), true)"
        parts.append(
            f"({parsed}_none OR coalesce({envelope} AND NOT {parsed}_bad AND {inner}, false))"
        )
    return " AND ".join(parts)


def fast_shape(shape: Shape) -> bool:
    """Whether the fast path builds values of this entity shape (see the module docstring)."""
    if not isinstance(shape, Record):
        return False
    for field in shape.fields:
        sub = field.shape
        if isinstance(sub, Scalar):
            if sub.kind == "json":
                return False
        elif not fast_shape(sub):
            return False
    return True


def _spec(record: Record) -> str:
    return json.dumps({f.key: "JSON" for f in record.fields if f.name != SCHEMA_VERSION_FIELD})


def _fields(record: Record, contexts: bool) -> list[tuple[str, str, Shape]]:
    return [
        (f.name, f.key, f.shape)
        for f in record.fields
        if not (contexts and f.name == SCHEMA_VERSION_FIELD)
    ]


def _field_fit(value: str, shape: Shape, depth: int) -> str:
    if isinstance(shape, Record):
        return f"({value} IS NULL OR {_record_fit(value, shape, depth + 1, False)})"
    assert isinstance(shape, Scalar)
    if shape.kind == "string":
        return f"({value} IS NULL OR starts_with({value}, '\"'))"
    if shape.kind == "int":
        return f"({value} IS NULL OR regexp_full_match({value}, '{_INT}'))"
    if shape.kind == "float":
        return f"({value} IS NULL OR regexp_full_match({value}, '{_FLOAT}'))"
    return f"({value} IS NULL OR {value} IN ('true', 'false'))"


def _record_fit(text: str, record: Record, depth: int, contexts: bool) -> str:
    j = f"j{depth}"
    checks = [
        _field_fit(f"{j}.{quote(key)}", shape, depth) for _, key, shape in _fields(record, contexts)
    ]
    body = " AND ".join(checks) if checks else "true"
    return (
        f"(starts_with({text}, '{{') AND "
        f"list_transform([from_json({text}, {literal(_spec(record))})], lambda {j}: {body})[1])"
    )


def _field_value(value: str, shape: Shape, depth: int) -> str:
    if isinstance(shape, Record):
        return f"CASE WHEN {value} IS NOT NULL THEN {_record_value(value, shape, depth + 1)} END"
    assert isinstance(shape, Scalar)
    if shape.kind == "string":
        return f"json_extract_string({value}, '$')"
    target = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}[shape.kind]
    return f"CAST({value} AS {target})"


def _record_value(text: str, record: Record, depth: int, version: str | None = None) -> str:
    j = f"j{depth}"
    items = []
    for field in record.fields:
        if version is not None and field.name == SCHEMA_VERSION_FIELD:
            items.append(f"{quote(field.name)} := {version}")
        else:
            value = _field_value(f"{j}.{quote(field.key)}", field.shape, depth)
            items.append(f"{quote(field.name)} := {value}")
    spec = literal(_spec(record))
    return (
        f"list_transform([from_json({text}, {spec})], "
        f"lambda {j}: struct_pack({', '.join(items)}))[1]"
    )


def row_fits(families: dict[str, tuple[str, Record, set[str]]]) -> str:
    """True when every entity of the row belongs to one of ``families`` (column name →
    prefix, entity record shape, schema URIs) and fits its shape."""
    parts = []
    for _, parsed, prefix in JSON_FIELDS:
        mine = [(rec, uris) for p, rec, uris in families.values() if p == prefix]
        if prefix == "unstruct_event":
            e = f"{parsed}.data"
            cases = " ".join(
                f"WHEN {_in(f'{e}.schema', uris)} THEN coalesce("
                f"{_record_fit(f'{e}.data', rec, 0, False)}, false)"
                for rec, uris in mine
            )
            test = f"CASE {cases} ELSE false END" if cases else "false"
            parts.append(f"({parsed} IS NULL OR {test})")
            continue
        cases = " ".join(
            f"WHEN {_in('e.schema', uris)} THEN coalesce({_record_fit('e.data', rec, 0, True)}, "
            "false)"
            for rec, uris in mine
        )
        test = f"CASE {cases} ELSE false END" if cases else "false"
        parts.append(
            f"({parsed} IS NULL OR coalesce(list_bool_and("
            f"list_transform({parsed}.data, lambda e: {test})), true))"
        )
    return " AND ".join(parts)


_SCALAR_TYPES: Final = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}


def _sql_type(shape: Shape) -> str:
    if isinstance(shape, Scalar) and shape.kind in _SCALAR_TYPES:
        return _SCALAR_TYPES[shape.kind]
    return "JSON"


def typed_parsed(families: dict[str, tuple[str, Record, set[str]]]) -> list[tuple[str, str]]:
    """``(name, SQL)`` of the JSON fields parsed with the entity properties of ``families``
    typed (one type per property name and prefix; JSON text where families disagree or for
    nested records). Exact for rows :func:`row_fits` accepts."""
    union: dict[str, dict[str, str]] = {}
    for prefix, record, _ in families.values():
        keys = union.setdefault(prefix, {})
        for field in record.fields:
            if prefix == "contexts" and field.name == SCHEMA_VERSION_FIELD:
                continue
            sql_type = _sql_type(field.shape)
            keys[field.key] = sql_type if keys.get(field.key, sql_type) == sql_type else "JSON"
    out = []
    for raw, parsed, prefix in JSON_FIELDS:
        keys = union.get(prefix) or {"__pyplow_none__": "JSON"}
        out.append((f"__t{parsed[2:]}", _parse(raw, _envelope(prefix, json.dumps(keys)))))
    out.append(("__union", literal(json.dumps(union, sort_keys=True))))
    return out


def _typed_item(e: str, record: Record, union: dict[str, str], version: str | None) -> str:
    items = []
    for field in record.fields:
        name = quote(field.name)
        if version is not None and field.name == SCHEMA_VERSION_FIELD:
            items.append(f"{name} := {version}")
            continue
        value = f"{e}.data.{quote(field.key)}"
        if union.get(field.key) == "JSON":
            value = _field_value(value, field.shape, 0)
        items.append(f"{name} := {value}")
    return f"struct_pack({', '.join(items)})"


def family_value(
    prefix: str,
    record: Record,
    uris: set[str],
    arrow: object,
    families: dict[str, tuple[str, Record, set[str]]],
) -> str:
    """The wide column of one schema family (over :func:`typed_parsed` of ``families``),
    typed as the column ``arrow`` type."""
    union: dict[str, str] = {}
    for p, rec, _ in families.values():
        if p == prefix:
            for field in rec.fields:
                sql_type = _sql_type(field.shape)
                old = union.setdefault(field.key, sql_type)
                union[field.key] = old if old == sql_type else "JSON"
    sql_type = duckdb_type(arrow)
    if prefix == "unstruct_event":
        item = _typed_item("__tue.data", record, union, None)
        return f"CAST(CASE WHEN {_in('__tue.data.schema', uris)} THEN {item} END AS {sql_type})"
    item = _typed_item("e", record, union, "split_part(e.schema, '/', 4)")
    mine = f"lambda e: {_in('e.schema', uris)}"
    lists = [f"__t{parsed[2:]}.data" for _, parsed, p in JSON_FIELDS if p == "contexts"]
    picked = [
        f"coalesce(list_transform(list_filter({data}, {mine}), lambda e: {item}), [])"
        for data in lists
    ]
    present = " OR ".join(
        f"coalesce(list_bool_or(list_transform({d}, {mine})), false)" for d in lists
    )
    both = f"list_concat({', '.join(picked)})"
    return f"CAST(CASE WHEN {present} THEN {both} END AS {sql_type})"
