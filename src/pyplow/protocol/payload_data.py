"""Validating a TP2 POST body against its ``payload_data`` schema through Iglu.

Enrich validates the self-describing body with its Iglu client before it looks at the events.
A ``PayloadValidator`` is that step: given the body's schema key and data it returns the Iglu
client error (a JSON-able value: ``ValidationError`` or ``ResolutionError``) or None when the
data is valid. ``iglu_payload_validator`` builds one on any :class:`~pyplow.iglu.Validator`
(so enrich uses the resolver its users configured); ``default_payload_validator`` uses
pyplow's embedded registry, which holds every published ``payload_data`` version.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeAlias

from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository

__all__ = ["PayloadValidator", "default_payload_validator", "iglu_payload_validator"]

#: Given the body's schema key and data, the Iglu client error when the data is not valid, or
#: None when it is.
PayloadValidator: TypeAlias = Callable[[SchemaKey, Any], Any | None]


def iglu_payload_validator(validator: Validator) -> PayloadValidator:
    """A ``PayloadValidator`` resolving and validating through ``validator``."""

    def check(key: SchemaKey, data: Any) -> Any | None:
        result = validator.validate_data(key, data)
        return None if isinstance(result, Validated) else result

    return check


@functools.cache
def default_payload_validator() -> PayloadValidator:
    """A ``PayloadValidator`` on pyplow's embedded registry alone (no network)."""
    return iglu_payload_validator(Validator(Resolver([builtin_repository()])))
