"""Self-describing JSON: data tagged with its schema, and schemas that name themselves.

``{"schema": "iglu:...", "data": ...}`` is a :class:`SelfDescribingData`. A JSON Schema whose
``self`` block holds ``vendor``/``name``/``format``/``version`` is a :class:`SelfDescribingSchema`.
Both parse functions take an already decoded JSON value and never raise: problems come back as
:class:`~pyplow.iglu.key.IgluParseError` values with the codes Snowplow reports in ``NotIglu``
failures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from pyplow.iglu.key import IgluParseError, ParseErrorCode, SchemaKey, SchemaVer, _show

__all__ = [
    "SELF_DESC_METASCHEMA",
    "SelfDescribingData",
    "SelfDescribingSchema",
    "superseded_by",
]

#: The ``$schema`` URI every Iglu JSON Schema declares.
SELF_DESC_METASCHEMA = (
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
)


def _invalid(code: ParseErrorCode, message: str) -> IgluParseError:
    return IgluParseError(code=code, message=message)


class SelfDescribingData(msgspec.Struct, frozen=True):
    """A JSON value (``data``) together with the key of the schema it claims to follow."""

    schema: SchemaKey
    data: Any

    @staticmethod
    def parse(value: Any) -> SelfDescribingData | IgluParseError:
        """Read ``{"schema": <Iglu URI>, "data": <any JSON>}``; extra keys are ignored."""
        if not isinstance(value, Mapping):
            return _invalid(
                ParseErrorCode.INVALID_DATA_PAYLOAD,
                f"self-describing data must be a JSON object with 'schema' and 'data', "
                f"got {_json_type(value)} {_show(value)}",
            )
        if "schema" not in value:
            return _invalid(
                ParseErrorCode.INVALID_DATA_PAYLOAD,
                "self-describing data has no 'schema' key; expected an Iglu URI string there",
            )
        uri = value["schema"]
        if not isinstance(uri, str):
            return _invalid(
                ParseErrorCode.INVALID_DATA_PAYLOAD,
                f"self-describing data 'schema' must be an Iglu URI string, "
                f"got {_json_type(uri)} {_show(uri)}",
            )
        key = SchemaKey.parse(uri)
        if isinstance(key, IgluParseError):
            return key
        if "data" not in value:
            return _invalid(
                ParseErrorCode.INVALID_DATA_PAYLOAD,
                f"self-describing data for {uri} has no 'data' key",
            )
        return SelfDescribingData(key, value["data"])

    def to_json(self) -> dict[str, Any]:
        """The JSON value ``{"schema": <uri>, "data": <data>}``."""
        return {"schema": self.schema.to_uri(), "data": self.data}


class SelfDescribingSchema(msgspec.Struct, frozen=True):
    """A JSON Schema (``schema``, the whole object) and the key its ``self`` block declares."""

    key: SchemaKey
    schema: dict[str, Any]

    @staticmethod
    def parse(
        value: Any, *, check_metaschema: bool = False
    ) -> SelfDescribingSchema | IgluParseError:
        """Read a schema's ``self`` block (``check_metaschema``: require Iglu's ``$schema``)."""
        if not isinstance(value, dict):
            return _invalid(
                ParseErrorCode.INVALID_SCHEMA,
                f"a schema must be a JSON object, got {_json_type(value)} {_show(value)}",
            )
        if check_metaschema and value.get("$schema") != SELF_DESC_METASCHEMA:
            return _invalid(
                ParseErrorCode.INVALID_METASCHEMA,
                f"schema '$schema' is {_show(value.get('$schema'))}, "
                f"expected {SELF_DESC_METASCHEMA!r}",
            )
        block = value.get("self")
        if not isinstance(block, dict):
            return _invalid(
                ParseErrorCode.INVALID_SCHEMA,
                f"schema 'self' must be an object with vendor, name, format and version, "
                f"got {_json_type(block)} {_show(block)}",
            )
        fields: dict[str, str] = {}
        for field in ("vendor", "name", "format", "version"):
            item = block.get(field)
            if not isinstance(item, str):
                return _invalid(
                    ParseErrorCode.INVALID_SCHEMA,
                    f"schema self.{field} must be a string, got {_json_type(item)} {_show(item)}",
                )
            fields[field] = item
        version = SchemaVer.parse(fields["version"])
        if isinstance(version, IgluParseError):
            return version
        path = f"{fields['vendor']}/{fields['name']}/{fields['format']}/{version}"
        key = SchemaKey.from_path(path)
        if isinstance(key, IgluParseError):
            return _invalid(ParseErrorCode.INVALID_SCHEMA, f"schema self block: {key.message}")
        return SelfDescribingSchema(key, value)

    def superseded_by(self) -> SchemaVer | IgluParseError | None:
        """The version named by ``$supersededBy``, if the schema declares one."""
        return superseded_by(self.schema)


def superseded_by(schema: Mapping[str, Any]) -> SchemaVer | IgluParseError | None:
    """The ``$supersededBy`` SchemaVer declared in a schema object, if any."""
    raw = schema.get("$supersededBy")
    if raw is None:
        return None
    if not isinstance(raw, str):
        return _invalid(
            ParseErrorCode.INVALID_SCHEMAVER,
            f"'$supersededBy' must be a SchemaVer string, got {_json_type(raw)} {_show(raw)}",
        )
    return SchemaVer.parse(raw)


def _json_type(value: Any) -> str:
    """The JSON type name of a decoded value (for messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
