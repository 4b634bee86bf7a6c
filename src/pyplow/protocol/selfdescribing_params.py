"""The self-describing JSON an event carries: ``ue_pr``/``ue_px`` and ``co``/``cx``.

``extract_unstruct`` and ``extract_contexts`` find the carrier parameter, base64-decode the
``*_px``/``cx`` forms (leniently, like Enrich), and parse the JSON text with Enrich's depth
limit. Failures are ``NotJson`` values for the field Enrich names in its bad rows
(``unstruct`` / ``contexts``), quoting the JSON text. Checking the envelope schema and
validating the entities against Iglu happens later, in enrichment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from pyplow.protocol.base64 import decode_base64_text
from pyplow.protocol.sdj import DEFAULT_MAX_JSON_DEPTH, decode_json
from pyplow.protocol.violations import NotJson

__all__ = ["CarriedJson", "extract_contexts", "extract_json_param", "extract_unstruct"]

UNSTRUCT_FIELD: Final = "unstruct"
CONTEXTS_FIELD: Final = "contexts"


class CarriedJson(msgspec.Struct, frozen=True, kw_only=True):
    """JSON found in an event: which ``field`` (``unstruct``/``contexts``), from which
    ``parameter``, its ``text`` (after base64 decoding) and the parsed ``value``."""

    field: str
    parameter: str
    text: str
    value: Any


def extract_json_param(
    parameters: Mapping[str, str | None],
    field: str,
    plain: str,
    encoded: str,
    *,
    max_depth: int | None = DEFAULT_MAX_JSON_DEPTH,
) -> CarriedJson | NotJson | None:
    """Parse the JSON carried in ``plain`` (as-is) or ``encoded`` (base64); None if neither
    parameter has a value.

    When both are present Enrich keeps one of them without a defined rule; pyplow prefers the
    plain one. An empty value is not skipped: it is reported as invalid JSON, as Enrich does.
    """
    text = parameters.get(plain)
    name = plain
    if text is None:
        raw = parameters.get(encoded)
        if raw is None:
            return None
        decoded = decode_base64_text(raw)
        assert isinstance(decoded, str)  # lenient mode never fails
        text, name = decoded, encoded
    value = decode_json(text, field, max_depth=max_depth)
    if isinstance(value, NotJson):
        return value
    return CarriedJson(field=field, parameter=name, text=text, value=value)


def extract_unstruct(
    parameters: Mapping[str, str | None], *, max_depth: int | None = DEFAULT_MAX_JSON_DEPTH
) -> CarriedJson | NotJson | None:
    """The self-describing event of ``ue_pr`` / ``ue_px``, parsed."""
    return extract_json_param(parameters, UNSTRUCT_FIELD, "ue_pr", "ue_px", max_depth=max_depth)


def extract_contexts(
    parameters: Mapping[str, str | None], *, max_depth: int | None = DEFAULT_MAX_JSON_DEPTH
) -> CarriedJson | NotJson | None:
    """The custom entities of ``co`` / ``cx``, parsed."""
    return extract_json_param(parameters, CONTEXTS_FIELD, "co", "cx", max_depth=max_depth)
