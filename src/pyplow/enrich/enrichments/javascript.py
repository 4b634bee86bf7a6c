"""JavaScript: run a Snowplow JavaScript enrichment script, unchanged, on every event.

Configured by ``javascript_script_config`` 1-0-0 / 1-0-1: ``parameters.script`` is the source,
base64 encoded (standard or URL-safe alphabet, padded or not); ``parameters.config`` (1-0-1)
is any JSON object, passed to the script as ``params``.

The script defines ``function process(event, params, headers)``, as for Snowplow. ``event``
has a Java-bean getter and setter per atomic field (``getApp_id()``, ``setUser_id(v)``, ...),
``getContexts()`` / ``getUnstruct_event()`` / ``getDerived_contexts()`` (envelope JSON text, or
null), ``setContexts(json)`` / ``setUnstruct_event(json)``, ``drop()`` (discard the event on
purpose: not a failure) and ``eraseDerived_contexts()`` (keep only the script's entities).
``headers`` is an array of ``Name: value`` strings. The script returns an array of
self-describing JSONs — the derived entities — or null. A thrown error, a time-out or a value
that is not such an array is an enrichment failure.

Values cross into JavaScript as JSON: text as strings, integers and floats as numbers,
booleans as the numbers 1/0 (Enrich's bean holds bytes), decimals as strings (``"12.50"``),
timestamps as ``"yyyy-MM-dd HH:mm:ss.SSS"`` strings, unset fields as null. A value passed to a
setter is converted back to the field's type (numbers or numeric strings for numeric fields,
1/0/true/false for booleans, the timestamp form for timestamps, null to unset); a value that
does not fit is a failure naming the field. New ``contexts`` / ``unstruct_event`` must be
envelopes (``contexts`` / ``unstruct_event`` 1-0-*); they replace the event's entities.

The engine is QuickJS (ES2020; Snowplow uses Nashorn, ES5 plus some ES6). Java interop
(``Java.type``) is not available. Each call runs under a CPU-time limit of
:data:`TIME_LIMIT_SECONDS` and the runtime under a memory limit of :data:`MEMORY_LIMIT_BYTES`.
A QuickJS runtime must stay on one thread, so each thread that enriches gets its own copy of
the script (global state a script keeps is therefore per thread).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
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
from pyplow.enrich.support.fields import (
    ATOMIC_KINDS,
    FieldValueError,
    field_from_script,
    field_to_script,
)
from pyplow.event.entities import (
    CONTEXTS_SCHEMA,
    Contexts,
    Entity,
    EnvelopeError,
    UnstructEvent,
    decode_contexts,
    decode_unstruct_event,
    encode_json,
)
from pyplow.event.fields import Kind
from pyplow.iglu import SchemaKey
from pyplow.protocol.base64 import Base64TextError, decode_base64_text

__all__ = ["MEMORY_LIMIT_BYTES", "TIME_LIMIT_SECONDS", "JavascriptEnrichment"]

#: CPU seconds one call of ``process`` may take.
TIME_LIMIT_SECONDS: Final = 2.0
#: Memory one script's runtime may use.
MEMORY_LIMIT_BYTES: Final = 256 * 1024 * 1024

_ENCODER: Final = msgspec.json.Encoder()  # Decimal → "12.50", as the module docstring says

# Fields whose values need converting before JSON encoding: timestamps and booleans.
_SPECIAL: Final[dict[str, Callable[[Any], Any]]] = {
    name: functools.partial(field_to_script, kind)
    for name, kind in ATOMIC_KINDS.items()
    if kind in (Kind.TS, Kind.BOOL)
}
_PLAIN: Final = frozenset(ATOMIC_KINDS) - frozenset(_SPECIAL)


class _Result(msgspec.Struct, frozen=True, omit_defaults=True):
    """What the glue code reports after one call."""

    s: dict[str, Any] = {}
    r: Any = None
    c: Any = None
    cs: bool = False
    u: Any = None
    us: bool = False
    drop: bool = False
    erase: bool = False


_RESULT_DECODER: Final = msgspec.json.Decoder(_Result)

# The glue: builds the bean-like event object and reports back what the script did.
_GLUE: Final = """
var __pyplow_run = (function () {
  var fields = %(fields)s;
  var params = %(params)s;
  function text(v) {
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : JSON.stringify(v);
  }
  function PyplowEvent(state) { this._s = state; this._f = state.f; this._set = {}; }
  fields.forEach(function (name) {
    var cap = name.charAt(0).toUpperCase() + name.slice(1);
    PyplowEvent.prototype['get' + cap] = function () {
      var v = this._f[name];
      return v === undefined ? null : v;
    };
    PyplowEvent.prototype['set' + cap] = function (v) {
      if (v === undefined) v = null;
      this._f[name] = v;
      this._set[name] = v;
    };
  });
  function orNull(v) { return v === undefined ? null : v; }
  PyplowEvent.prototype.getContexts = function () { return orNull(this._s.c); };
  PyplowEvent.prototype.getUnstruct_event = function () { return orNull(this._s.u); };
  PyplowEvent.prototype.getDerived_contexts = function () { return orNull(this._s.d); };
  PyplowEvent.prototype.setContexts = function (v) { this._s.c = text(v); this._s.cs = true; };
  PyplowEvent.prototype.setUnstruct_event = function (v) {
    this._s.u = text(v); this._s.us = true;
  };
  PyplowEvent.prototype.drop = function () { this._s.drop = true; };
  PyplowEvent.prototype.eraseDerived_contexts = function () {
    this._s.d = null; this._s.erase = true;
  };
  return function (input) {
    var state = JSON.parse(input);
    var event = new PyplowEvent(state);
    var r = process(event, params, state.h);
    var out = {s: event._set, r: r === undefined ? null : r};
    if (state.cs) { out.cs = true; out.c = state.c; }
    if (state.us) { out.us = true; out.u = state.u; }
    if (state.drop) out.drop = true;
    if (state.erase) out.erase = true;
    return JSON.stringify(out);
  };
})();
"""


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class JavascriptEnrichment(Enrichment):
    """Run a Snowplow JavaScript enrichment (see the module docstring)."""

    schema_name = "javascript_script_config"
    criteria = (
        criterion("iglu:com.snowplowanalytics.snowplow/javascript_script_config/jsonschema/1-0-*"),
    )
    identifier = "Javascript enrichment"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        params = config.parameters
        script = params.get("script")
        if not isinstance(script, str) or not script.strip():
            raise EnrichmentConfigError("javascript: parameters.script must be base64 JavaScript")
        source = decode_base64_text(script.strip(), strict=True)
        if isinstance(source, Base64TextError):
            raise EnrichmentConfigError(
                f"javascript: parameters.script is not base64 of UTF-8 text: {source.message}"
            )
        settings = params.get("config", {})
        if not isinstance(settings, Mapping):
            raise EnrichmentConfigError(
                f"javascript: parameters.config must be an object, got {settings!r}"
            )
        try:
            import quickjs  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - depends on the installation
            raise EnrichmentConfigError(
                "javascript: the JavaScript engine needs the 'quickjs' package; "
                "install pyplow[enrich]"
            ) from None
        self._quickjs = quickjs
        glue = _GLUE % {
            "fields": _ENCODER.encode(list(ATOMIC_KINDS)).decode(),
            "params": _ENCODER.encode(dict(settings)).decode(),
        }
        self._source = source + "\n;\n" + glue
        # The JSON fields are serialised only for scripts that read them.
        self._reads_contexts = "getContexts" in source
        self._reads_unstruct = "getUnstruct_event" in source
        self._reads_derived = "getDerived_contexts" in source
        self._local = threading.local()
        self._run()  # compile now: a broken script is a configuration error

    def _run(self) -> Any:
        """This thread's compiled ``__pyplow_run`` function."""
        run = getattr(self._local, "run", None)
        if run is not None:
            return run
        context = self._quickjs.Context()
        context.set_memory_limit(MEMORY_LIMIT_BYTES)
        context.set_time_limit(TIME_LIMIT_SECONDS)
        try:
            context.eval(self._source)
            defined = context.eval("typeof process === 'function'")
        except self._quickjs.JSException as exc:
            raise EnrichmentConfigError(
                f"javascript: the script cannot be compiled: {_first_line(exc)}"
            ) from None
        if not defined:
            raise EnrichmentConfigError(
                "javascript: the script must define function process(event, params, headers)"
            )
        run = context.get("__pyplow_run")
        self._local.context = context
        self._local.run = run
        return run

    def _state(self, event: EventContext) -> bytes:
        special = _SPECIAL
        fields: dict[str, Any] = {}
        for name, value in event.fields.items():
            if value is None:
                continue
            convert = special.get(name)
            if convert is not None:
                fields[name] = convert(value)
            elif name in _PLAIN:
                fields[name] = value  # text, numbers and decimals encode as they should
        state: dict[str, Any] = {"f": fields, "h": event.headers}
        if self._reads_contexts and event.contexts:
            state["c"] = encode_json(Contexts(CONTEXTS_SCHEMA, tuple(event.contexts)))
        if self._reads_unstruct and event.unstruct is not None:
            state["u"] = encode_json(UnstructEvent(data=event.unstruct))
        if self._reads_derived and event.derived:
            state["d"] = encode_json(Contexts(CONTEXTS_SCHEMA, tuple(event.derived)))
        return _ENCODER.encode(state)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        try:
            state = self._state(event).decode()
        except (msgspec.EncodeError, TypeError, ValueError) as exc:
            return EnrichmentError(f"Javascript enrichment: cannot pass the event: {exc}")
        try:
            output = self._run()(state)
        except Exception as exc:
            return EnrichmentError(
                f"Error during execution of JavaScript function: [{_first_line(exc)}]"
            )
        try:
            result = _RESULT_DECODER.decode(output)
        except (msgspec.DecodeError, TypeError) as exc:
            return EnrichmentError(f"Javascript enrichment: unreadable result: {exc}")
        return self._apply(event, result)

    def _apply(self, event: EventContext, result: _Result) -> EnrichmentOutput:
        updates: dict[str, Any] = {}
        for name, value in result.s.items():
            converted = field_from_script(name, value)
            if isinstance(converted, FieldValueError):
                return EnrichmentError(f"Javascript enrichment: cannot set {converted.message}")
            updates[name] = converted
        entities = self._entities(result.r)
        if isinstance(entities, EnrichmentError):
            return entities
        if result.cs:
            if result.c is None:
                event.contexts = []
            else:
                contexts = decode_contexts(result.c)
                if isinstance(contexts, EnvelopeError):
                    return EnrichmentError(
                        f"Javascript enrichment: setContexts: {contexts.message}"
                    )
                event.contexts = list(contexts.data)
        if result.us:
            if result.u is None:
                event.unstruct = None
            else:
                unstruct = decode_unstruct_event(result.u)
                if isinstance(unstruct, EnvelopeError):
                    return EnrichmentError(
                        f"Javascript enrichment: setUnstruct_event: {unstruct.message}"
                    )
                event.unstruct = unstruct.data
        event.fields.update(updates)
        if result.erase:
            del event.derived[:]
        if result.drop:
            event.dropped = True
        return entities

    @staticmethod
    def _entities(value: Any) -> list[Entity] | EnrichmentError:
        if value is None:
            return []
        if not isinstance(value, list):
            return EnrichmentError(
                "Javascript enrichment: process must return an array of self-describing JSONs "
                f"or null, got {_ENCODER.encode(value).decode()[:200]}"
            )
        entities = []
        for i, item in enumerate(value):
            schema = item.get("schema") if isinstance(item, dict) else None
            if (
                not isinstance(schema, str)
                or "data" not in item
                or not isinstance(SchemaKey.parse(schema), SchemaKey)
            ):
                return EnrichmentError(
                    f"Javascript enrichment: returned item {i} is not a self-describing JSON "
                    f"{{schema: 'iglu:...', data: ...}}: {_ENCODER.encode(item).decode()[:200]}"
                )
            entities.append(Entity(schema, item["data"]))
        return entities
