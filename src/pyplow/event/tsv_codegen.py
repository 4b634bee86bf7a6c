"""Straight-line TSV row functions, generated once from the field table.

A loop over 131 fields pays for the loop itself on every field: an index, a lookup of the
field's parser, a ``None`` check, a store into a list. Generated code does each field in a few
bytecodes instead: the decoder unpacks the split line into 131 locals and passes
``t7 or None`` (text fields) or ``P7(t7) if t7 else None`` (typed fields) straight to the
:class:`EnrichedEvent` constructor; the encoder does the reverse into one ``"\\t".join``.
This halves the codec's own cost per row (``benchmarks/tsv.py``).

The decoder's parsers are the ``strict_*`` ones of :mod:`pyplow.event.values`: an invalid
text raises :class:`~pyplow.event.values.InvalidTextError`, and the caller then takes the slow path
that names every bad field. The generated source is kept on the functions
(``__pyplow_source__``) for reading and debugging.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec

from pyplow.event.entities import encode_json, strict_contexts, strict_unstruct_event
from pyplow.event.fields import FIELDS, Kind
from pyplow.event.model import EnrichedEvent
from pyplow.event.values import (
    InvalidTextError,
    format_bool,
    format_java_float,
    format_timestamp,
    strict_bool,
    strict_decimal,
    strict_float_memo,
    strict_int,
    strict_timestamp,
    strict_uuid,
)

__all__ = ["build_decoder", "build_encoder"]


_STRICT_PARSERS: Final[dict[Kind, Callable[[str], Any]]] = {
    Kind.INT: strict_int,
    Kind.DEC: strict_decimal,
    Kind.FLOAT: strict_float_memo,
    Kind.BOOL: strict_bool,
    Kind.TS: strict_timestamp,
    Kind.UUID: strict_uuid,
    Kind.CONTEXTS: strict_contexts,
    Kind.UNSTRUCT: strict_unstruct_event,
}

_FORMATTERS: Final[dict[Kind, Callable[[Any], str]]] = {
    Kind.INT: str,
    Kind.DEC: str,
    Kind.FLOAT: format_java_float,
    Kind.BOOL: format_bool,
    Kind.TS: format_timestamp,
    Kind.CONTEXTS: encode_json,
    Kind.UNSTRUCT: encode_json,
}


def _absent() -> None:
    raise InvalidTextError("")


def _compile(name: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    code = compile(source, f"<pyplow.event.tsv_codegen.{name}>", "exec")
    exec(code, namespace)  # the source is built above from the static field table
    function: Callable[..., Any] = namespace[name]
    function.__pyplow_source__ = source  # type: ignore[attr-defined]
    return function


def build_decoder(
    parsers: Mapping[Kind, Callable[[str], Any]] = _STRICT_PARSERS,
) -> Callable[[str], EnrichedEvent]:
    """``decode(line)``: the event of a line of exactly 131 TAB-separated fields.

    Raises :class:`~pyplow.event.values.InvalidTextError` when a typed field does not parse or a
    required field is empty, and ``ValueError`` when there are not 131 fields. ``parsers``
    replaces the parser of each kind of field; a kind it leaves out keeps its text (with no
    parsers at all, the decoder only splits and builds: the floor ``benchmarks/codecs.py``
    measures).
    """
    names = [f"t{field.index}" for field in FIELDS]
    namespace: dict[str, Any] = {"EnrichedEvent": EnrichedEvent, "absent": _absent}
    arguments: list[str] = []
    for field, name in zip(FIELDS, names, strict=True):
        parser = parsers.get(field.kind)
        empty = "absent()" if field.required else "None"
        if parser is None:
            arguments.append(f"{name} or {empty}")
        else:
            namespace[f"P{field.index}"] = parser
            arguments.append(f"P{field.index}({name}) if {name} else {empty}")
    source = (
        "def decode(line):\n"
        f"    ({', '.join(names)},) = line.split('\\t')\n"
        "    return EnrichedEvent(\n"
        + "".join(f"        {argument},\n" for argument in arguments)
        + "    )\n"
    )
    return _compile("decode", source, namespace)


def build_encoder() -> Callable[[EnrichedEvent], str]:
    """``encode(event)``: the event's 131 field texts joined by TAB (not checked for TAB/CR/LF)."""
    names = [f"v{field.index}" for field in FIELDS]
    namespace: dict[str, Any] = {"astuple": msgspec.structs.astuple}
    texts: list[str] = []
    for field, name in zip(FIELDS, names, strict=True):
        formatter = _FORMATTERS.get(field.kind)
        if formatter is None:
            texts.append(f"{name} or ''")
        else:
            namespace[f"F{field.index}"] = formatter
            texts.append(f"'' if {name} is None else F{field.index}({name})")
    source = (
        "def encode(event):\n"
        f"    ({', '.join(names)},) = astuple(event)\n"
        "    return '\\t'.join((\n" + "".join(f"        {text},\n" for text in texts) + "    ))\n"
    )
    return _compile("encode", source, namespace)
