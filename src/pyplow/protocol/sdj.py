"""JSON text and self-describing JSON, as the adapters and the JSON-carrying parameters need it.

Only parsing lives here: ``decode_json`` (with Enrich's nesting-depth limit) and
``split_self_describing`` (``{"schema": "iglu:…", "data": …}`` → schema key and data, or the
``NotIglu`` message with the Iglu parse error code), on top of :mod:`pyplow.iglu`'s parsers.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pyplow.iglu import IgluParseError, SchemaKey, SelfDescribingData
from pyplow.protocol.violations import NotIglu, NotJson

__all__ = [
    "DEFAULT_MAX_JSON_DEPTH",
    "decode_json",
    "json_depth_exceeds",
    "split_self_describing",
]

#: Enrich's default ``validation.maxJsonDepth``.
DEFAULT_MAX_JSON_DEPTH: Final = 50

_DECODER: Final = msgspec.json.Decoder()
_DEPTH_MESSAGE: Final = "invalid json: maximum allowed JSON depth exceeded"


def json_depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether ``value`` nests arrays/objects more than ``max_depth`` levels (``{}`` is 1)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        if depth > max_depth:
            return True
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return False


def decode_json(
    text: str, field: str, *, max_depth: int | None = DEFAULT_MAX_JSON_DEPTH
) -> Any | NotJson:
    """Parse JSON text; a ``NotJson`` for ``field`` when it is not JSON or nests too deeply.

    Error texts start with ``invalid json:`` as Enrich's do; the detail after it comes from
    pyplow's parser (Enrich's parser words its details differently), except for empty input,
    which reads ``exhausted input`` as in Enrich.
    """
    if not text.strip():
        return NotJson(field, text, "invalid json: exhausted input")
    try:
        value = _DECODER.decode(text)
    except msgspec.DecodeError as exc:
        return NotJson(field, text, f"invalid json: {exc}")
    except RecursionError:
        return NotJson(field, text, _DEPTH_MESSAGE)
    if (
        max_depth is not None
        and text.count("[") + text.count("{") > max_depth
        and json_depth_exceeds(value, max_depth)
    ):
        return NotJson(field, text, _DEPTH_MESSAGE)
    return value


def split_self_describing(value: Any) -> tuple[SchemaKey, Any] | NotIglu:
    """``{"schema": <iglu URI>, "data": <any>}`` → (schema key, data), or ``NotIglu``."""
    parsed = SelfDescribingData.parse(value)
    if isinstance(parsed, IgluParseError):
        return NotIglu(value, parsed.code.value)
    return parsed.schema, parsed.data
