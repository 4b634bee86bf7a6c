"""JSONPath queries over decoded JSON, as Snowplow's enrichments use them.

Snowplow evaluates JSONPath with Jayway JsonPath; pyplow uses ``jsonpath-ng``'s extended
parser (filters such as ``[?(@.id == 2)]`` included), compiled once per configured path.
``query`` returns the matched values as a list the way Snowplow's ``JsonPath.query`` does: the
matches of an indefinite path, or — when the path yields a single array — that array's items.
``collapse`` turns such a list into one JSON value (one item: the item; several: an array),
Snowplow's ``wrapArray``.

Queries never raise on data: a path that matches nothing gives ``[]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyplow.enrich.context import EnrichmentConfigError

if TYPE_CHECKING:
    from jsonpath_ng import JSONPath as _Expression

__all__ = ["JsonPath", "collapse"]


class JsonPath:
    """One compiled JSONPath expression (``$``-rooted)."""

    __slots__ = ("_expression", "text")

    def __init__(self, text: Any, what: str) -> None:
        """Compile ``text``; ``what`` names the setting in the error of a bad path."""
        if not isinstance(text, str) or not text.startswith("$"):
            raise EnrichmentConfigError(
                f"{what}: JSONPath {text!r} is invalid: expected a string starting with '$'"
            )
        try:
            from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
            from jsonpath_ng.ext.parser import parse
        except ImportError:  # pragma: no cover - depends on the installation
            raise EnrichmentConfigError(
                f"{what}: JSONPath needs the 'jsonpath-ng' package; install pyplow[enrich]"
            ) from None
        try:
            self._expression: _Expression = parse(text)
        except (JsonPathLexerError, JsonPathParserError, ValueError, TypeError) as exc:
            raise EnrichmentConfigError(f"{what}: JSONPath {text!r} is invalid: {exc}") from None
        self.text = text

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"

    def query(self, data: Any) -> list[Any]:
        """The values matched in ``data`` (see the module docstring)."""
        try:
            found = [match.value for match in self._expression.find(data)]
        except Exception:
            return []
        if len(found) == 1 and isinstance(found[0], list):
            return list(found[0])
        return found

    def replace(self, data: Any, change: Any) -> list[tuple[Any, Any]]:
        """Replace, in ``data`` (mutated), each matched value ``v`` by ``change(v)``.

        ``change`` returns the new value, or ``None`` to leave a value as it is. Returns the
        (old, new) pairs that were written.
        """
        written: list[tuple[Any, Any]] = []
        try:
            matches = self._expression.find(data)
        except Exception:
            return written
        for match in matches:
            new = change(match.value)
            if new is None:
                continue
            match.full_path.update(data, new)
            written.append((match.value, new))
        return written


def collapse(values: list[Any]) -> Any:
    """One JSON value for a query result: the single item, or an array of several."""
    return values[0] if len(values) == 1 else list(values)
