"""The enrich engine: one raw record in, enriched TSV rows and bad rows out.

For each record, as Snowplow Enrich does:

1. decode the Thrift ``CollectorPayload`` (unreadable → ``collector_payload_format_violation``)
   and run the adapter for its path (failures → ``adapter_failures`` or
   ``tracker_protocol_violations``, one row for the whole request);
2. for each raw event, phase 1: map the tracker parameters onto the event's fields and
   validate the carried self-describing JSON through Iglu; phase 2: the enrichments and the
   built-in steps in Snowplow's order; phase 3: validate the derived entities and the atomic
   field lengths;
3. the event becomes a TSV row, or exactly one bad row: ``schema_violations`` when phase 1
   failed (whatever phase 2 did), else ``enrichment_failures`` when an enrichment failed, else
   ``schema_violations`` when phase 3 failed. A row larger than the sink allows becomes a
   ``size_violation``.

Invariant (tested by counting): every event of a record ends as exactly one enriched row or in
exactly one bad row, except events an enrichment drops on purpose, which are counted.

An event whose tracker sent no valid ``eid`` gets an id derived from its raw record
(:mod:`pyplow.enrich.event_ids`) where Enrich draws a random one, so enriching a record again
gives the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import msgspec

from pyplow import __version__, badrows
from pyplow.enrich import atomic, crossdomain, urls
from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.event_ids import derived_event_id, pii_transformation_id
from pyplow.enrich.registry import BUILTIN_STEPS, ORDER
from pyplow.enrich.tracker_json import check_tracker_json
from pyplow.enrich.transform import ATOMIC_SCHEMA, transform
from pyplow.event import (
    CONTEXTS_SCHEMA,
    FIELDS,
    UNSTRUCT_EVENT_SCHEMA,
    Contexts,
    EnrichedEvent,
    Entity,
    UnstructEvent,
    encode_json,
    encode_tsv,
    format_java_float,
    format_timestamp,
)
from pyplow.iglu import IgluParseError, SchemaKey, Validated, ValidationError, Validator
from pyplow.protocol import (
    CollectorPayload,
    IgluError,
    PayloadDecodeError,
    RawEvent,
    decode_collector_payload,
    iglu_payload_validator,
    to_raw_events,
)

ARTIFACT = "pyplow-enrich"
PII_TRANSFORMATION = "iglu:com.snowplowanalytics.snowplow/pii_transformation/jsonschema/1-0-0"
PARENT_EVENT = "iglu:com.snowplowanalytics.snowplow/parent_event/jsonschema/1-0-0"

_FIELD_NAMES = tuple(f.name for f in FIELDS)


class EngineSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How the engine writes its output."""

    #: ``v_etl`` of every event (Snowplow writes ``<artifact>-<version>``).
    v_etl: str = f"{ARTIFACT}-{__version__}"
    #: Largest enriched row (bytes) the good sink takes; larger → size_violation.
    max_record_bytes: int = 1_000_000
    #: Write events whose atomic fields are too long instead of failing them (Snowplow's
    #: ``acceptInvalid``); they are still counted.
    accept_invalid: bool = False


class Outcome(msgspec.Struct):
    """What one record became: TSV rows, bad-row JSON documents, dropped events."""

    good: list[bytes] = msgspec.field(default_factory=list)
    bad: list[bytes] = msgspec.field(default_factory=list)
    dropped: int = 0
    events: int = 0


class Engine:
    """Enriches raw records with a fixed set of enrichments (built once, reused).

    ``clock`` gives the ETL time of each record; ``new_id``, when given, makes the ids of
    events sent without one instead of :func:`derived_event_id` (tests use it for fixed ids).
    """

    def __init__(
        self,
        enrichments: Sequence[Enrichment],
        validator: Validator,
        *,
        settings: EngineSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] | None = None,
        order: Sequence[str] | None = None,
    ) -> None:
        self.validator = validator
        self.settings = settings or EngineSettings()
        self.clock = clock
        self.new_id = new_id
        self.processor = badrows.Processor(ARTIFACT, __version__)
        self.enrichments = list(enrichments)
        self._payload_validator = iglu_payload_validator(validator)
        self._steps: list[str | Enrichment] = []
        for step in check_order(order, self.enrichments) if order is not None else ORDER:
            if step in BUILTIN_STEPS:
                self._steps.append(step)
            else:
                self._steps.extend(e for e in self.enrichments if e.schema_key.name == step)
        self._cross_navigation = any(
            e.schema_key.name == "cross_navigation_config" for e in self.enrichments
        )

    def close(self) -> None:
        for enrichment in self.enrichments:
            enrichment.close()

    # --- records ------------------------------------------------------------------------------

    def process(self, record: bytes) -> Outcome:
        """Enrich one raw record."""
        outcome = Outcome()
        now = self.clock()
        payload = decode_collector_payload(record)
        if isinstance(payload, PayloadDecodeError):
            rows = badrows.format_violations(
                record, [{"error": payload.message}], processor=self.processor, now=now
            )
            outcome.bad.extend(badrows.encode(r) for r in rows)
            outcome.events = 1
            return outcome
        result = to_raw_events(payload, validator=self._payload_validator)
        failed = badrows.adapter_bad_rows(
            result, payload, record, processor=self.processor, now=now
        )
        if failed:
            outcome.bad.extend(badrows.encode(r) for r in failed)
            outcome.events = 1
            return outcome
        for index, raw in enumerate(result.events):
            outcome.events += 1
            new_id = self.new_id or partial(derived_event_id, record, index)
            self._event(raw, now, outcome, new_id)
        return outcome

    def process_payload(self, payload: CollectorPayload) -> Outcome:
        """Enrich an already decoded payload (the embedded pipeline's path)."""
        from pyplow.protocol import encode_collector_payload

        return self.process(encode_collector_payload(payload))

    # --- one event ----------------------------------------------------------------------------

    def _event(
        self, raw: RawEvent, now: datetime, outcome: Outcome, new_id: Callable[[], str]
    ) -> None:
        transformed = transform(raw, etl_tstamp=now, v_etl=self.settings.v_etl, new_event_id=new_id)
        fields = transformed.fields
        tracker = check_tracker_json(raw.parameters, self.validator)
        input_messages: list[Any] = list(tracker.messages)
        if transformed.reports:
            input_messages.insert(
                0,
                IgluError(ATOMIC_SCHEMA, ValidationError(data_reports=tuple(transformed.reports))),
            )
        event = EventContext(
            raw, fields, contexts=list(tracker.contexts), unstruct=tracker.unstruct
        )
        failures: list[dict[str, Any]] = []
        extra_events: list[Entity] = []
        trusted: set[int] = set()  # ids of entities from trusted enrichments
        for step in self._steps:
            if isinstance(step, str):
                self._builtin(step, event, failures, tracker.unstruct)
                continue
            try:
                output = step.enrich(event)
            except Exception as exc:  # an enrichment bug must not lose the event
                output = EnrichmentError(f"unexpected error: {type(exc).__name__}: {exc}")
            if isinstance(output, EnrichmentError):
                failures.append(_enrichment_failure(step, output.message))
            elif output:
                extra_events.extend(e for e in output if e.schema == PII_TRANSFORMATION)
                kept = [e for e in output if e.schema != PII_TRANSFORMATION]
                event.derived[:0] = kept
                if step.trusted_output:
                    trusted.update(id(e) for e in kept)
            if event.dropped:
                outcome.dropped += 1
                return
        derived = event.derived + list(tracker.validation_info)
        output_messages: list[Any] = []
        # Only entities a trusted enrichment returned, still in the list unchanged, skip
        # validation; anything replaced or added in place (ASN lookups, a script) is checked.
        for entity in event.derived:
            if id(entity) in trusted:
                continue
            error = self._validate(entity)
            if error is not None:
                output_messages.append(error)
        length_reports = atomic.check_lengths(fields)
        if length_reports and not self.settings.accept_invalid:
            output_messages.append(
                IgluError(ATOMIC_SCHEMA, ValidationError(data_reports=tuple(length_reports)))
            )
        if input_messages or failures or output_messages:
            outcome.bad.append(
                self._bad_row(event, derived, now, input_messages, failures, output_messages)
            )
            return
        line = self._row(event, derived)
        if line is None:
            return  # pragma: no cover - _row reports its own failures
        if len(line) >= self.settings.max_record_bytes:
            outcome.bad.append(
                badrows.encode(
                    badrows.size_violation(
                        processor=self.processor,
                        now=now,
                        maximum_bytes=self.settings.max_record_bytes,
                        actual_bytes=len(line),
                        expectation="Enriched event exceeds the maximum allowed size of "
                        f"{self.settings.max_record_bytes} bytes",
                        payload=line.decode("utf-8", "replace"),
                    )
                )
            )
            return
        outcome.good.append(line)
        for transformation in extra_events:
            outcome.good.append(self._pii_event(fields, transformation, now))

    def _builtin(
        self,
        step: str,
        event: EventContext,
        failures: list[dict[str, Any]],
        unstruct: Entity | None,
    ) -> None:
        fields = event.fields
        if step == "collector_version":
            if not fields.get("v_collector"):
                failures.append(_simple_failure("v_collector should be set"))
        elif step == "page_uri":
            parsed = urls.apply_page_url(fields, event.raw.referer_uri)
            if isinstance(parsed, str):
                failures.append(_simple_failure(parsed))
                parsed = None
            event.page_query = urls.page_query(parsed)
        elif step == "derived_tstamp":
            value = atomic.derived_tstamp(fields)
            if isinstance(value, str):
                failures.append(_simple_failure(value))
            elif value is not None:
                fields["derived_tstamp"] = value
        elif step == "referer_uri":
            error = urls.apply_referrer(fields)
            if error is not None:
                failures.append(_simple_failure(error))
        elif step == "cross_domain":
            result = crossdomain.apply_cross_domain(fields, event.page_query)
            # With cross_navigation_config configured, that enrichment reports the failure.
            if isinstance(result, str) and not self._cross_navigation:
                failures.append(_simple_failure(result))
        elif step == "event_schema":
            schema = unstruct.schema if unstruct is not None else None
            error = atomic.event_schema_fields(fields, schema)
            if error is not None:
                failures.append(
                    {
                        "enrichment": None,
                        "message": {
                            "field": "event",
                            "value": fields.get("event"),
                            "expectation": error,
                        },
                    }
                )

    def _validate(self, entity: Entity) -> IgluError | None:
        key = SchemaKey.parse(entity.schema)
        if isinstance(key, IgluParseError):
            return IgluError(entity.schema, {"error": "ValidationError", "message": key.message})
        result = self.validator.validate_data(key, entity.data)
        return None if isinstance(result, Validated) else IgluError(entity.schema, result)

    # --- output -------------------------------------------------------------------------------

    def _row(self, event: EventContext, derived: list[Entity]) -> bytes | None:
        values = dict(event.fields)
        if event.contexts:
            values["contexts"] = Contexts(CONTEXTS_SCHEMA, tuple(event.contexts))
        if event.unstruct is not None:
            values["unstruct_event"] = UnstructEvent(
                schema=UNSTRUCT_EVENT_SCHEMA, data=event.unstruct
            )
        if derived:
            values["derived_contexts"] = Contexts(CONTEXTS_SCHEMA, tuple(derived))
        return encode_tsv(EnrichedEvent(**values)).encode("utf-8")

    def _pii_event(self, parent: dict[str, Any], transformation: Entity, now: datetime) -> bytes:
        stamp = now.replace(microsecond=now.microsecond // 1000 * 1000)
        parent_id = parent.get("event_id")
        event_id = self.new_id() if self.new_id is not None else pii_transformation_id(parent_id)
        event = EnrichedEvent(
            app_id=parent.get("app_id"),
            platform="srv",
            etl_tstamp=parent.get("etl_tstamp"),
            collector_tstamp=parent.get("collector_tstamp"),
            event="pii_transformation",
            event_id=event_id,
            v_collector=parent.get("v_collector"),
            v_etl=parent.get("v_etl"),
            contexts=Contexts(
                CONTEXTS_SCHEMA,
                (Entity(PARENT_EVENT, {"parentEventId": parent_id}),),
            ),
            unstruct_event=UnstructEvent(
                schema=UNSTRUCT_EVENT_SCHEMA,
                data=Entity(PII_TRANSFORMATION, transformation.data),
            ),
            derived_tstamp=stamp,
            true_tstamp=stamp,
            event_vendor="com.snowplowanalytics.snowplow",
            event_name="pii_transformation",
            event_format="jsonschema",
            event_version="1-0-0",
        )
        return encode_tsv(event).encode("utf-8")

    def _bad_row(
        self,
        event: EventContext,
        derived: list[Entity],
        now: datetime,
        input_messages: list[Any],
        failures: list[dict[str, Any]],
        output_messages: list[Any],
    ) -> bytes:
        payload = badrows.EventPayload(
            enriched=partial_event(event, derived),
            raw=badrows.raw_event_data(event.raw),
        )
        timestamp = badrows.instant(now)
        row: badrows.SchemaViolations | badrows.EnrichmentFailures
        if input_messages:
            row = badrows.SchemaViolations(
                processor=self.processor,
                failure=badrows.EventFailure(timestamp, tuple(input_messages)),
                payload=payload,
            )
        elif failures:
            row = badrows.EnrichmentFailures(
                processor=self.processor,
                failure=badrows.EventFailure(timestamp, tuple(failures)),
                payload=payload,
            )
        else:
            row = badrows.SchemaViolations(
                processor=self.processor,
                failure=badrows.EventFailure(timestamp, tuple(output_messages)),
                payload=payload,
            )
        return badrows.encode(row)


def check_order(order: Sequence[str], enrichments: Sequence[Enrichment]) -> Sequence[str]:
    """A custom order of steps (beyond Snowplow): every built-in step exactly once, every
    configured enrichment named, nothing unknown; ``EnrichmentConfigError`` otherwise."""
    known = set(ORDER)
    unknown = [name for name in order if name not in known]
    missing = [name for name in ORDER if name in BUILTIN_STEPS and name not in order]
    configured = {e.schema_key.name for e in enrichments}
    unplaced = sorted(configured - set(order))
    repeated = sorted({name for name in order if list(order).count(name) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown steps {unknown} (known: {list(ORDER)})")
    if missing:
        problems.append(f"built-in steps missing: {missing}")
    if unplaced:
        problems.append(f"configured enrichments not placed: {unplaced}")
    if repeated:
        problems.append(f"steps listed twice: {repeated}")
    if problems:
        raise EnrichmentConfigError("order: " + "; ".join(problems))
    return order


def _enrichment_failure(enrichment: Enrichment, message: str) -> dict[str, Any]:
    return {
        "enrichment": {
            "schemaKey": enrichment.schema_key.to_uri(),
            "identifier": enrichment.identifier,
        },
        "message": {"error": message},
    }


def _simple_failure(message: str) -> dict[str, Any]:
    return {"enrichment": None, "message": {"error": message}}


def partial_event(event: EventContext, derived: list[Entity]) -> dict[str, Any]:
    """The event as computed so far, in the shape per-event bad rows carry: every field in TSV
    order; text and timestamps as strings, numbers as numbers, decimals as strings, booleans
    as 0/1, the JSON fields as JSON strings; null where unset."""
    fields = event.fields
    out: dict[str, Any] = {}
    for name in _FIELD_NAMES:
        value = fields.get(name)
        if value is None:
            out[name] = None
        elif isinstance(value, bool):
            out[name] = int(value)
        elif isinstance(value, datetime):
            out[name] = format_timestamp(value)
        elif isinstance(value, float):
            out[name] = float(format_java_float(value))
        elif isinstance(value, (int, str)):
            out[name] = value
        else:
            out[name] = str(value)
    if event.contexts:
        out["contexts"] = encode_json(Contexts(CONTEXTS_SCHEMA, tuple(event.contexts)))
    if event.unstruct is not None:
        out["unstruct_event"] = encode_json(
            UnstructEvent(schema=UNSTRUCT_EVENT_SCHEMA, data=event.unstruct)
        )
    if derived:
        out["derived_contexts"] = encode_json(Contexts(CONTEXTS_SCHEMA, tuple(derived)))
    return out
