"""Built-in steps on the atomic fields: the derived timestamp, the event's schema fields, and
the final length check.

- :func:`derived_tstamp` (enrichment phase 2): ``true_tstamp`` when the tracker sent one;
  else, when the device's created time is before its sent time, the collector time minus the
  time the event waited on the device; else the collector time. Enrich measures that wait as
  a Joda ``Period`` (years, months, then exact weeks … milliseconds) and subtracts it field by
  field, so a wait of a month or more moves by calendar months; pyplow does the same.
- :func:`event_schema_fields`: ``event_vendor``/``event_name``/``event_format``/
  ``event_version`` from the event type, or from the self-describing event's schema.
- :func:`check_lengths` (phase 3): every text field longer than its limit (Enrich's default
  ``atomicFieldsLimits`` unless configured) gives an ``atomic_field_length_exceeded`` report.
  Lengths are counted in UTF-16 code units, as Java's ``String.length`` does.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pyplow.event import FIELDS, Kind
from pyplow.iglu import DataReport, SchemaKey
from pyplow.protocol import EVENT_CODES

__all__ = [
    "DEFAULT_LIMITS",
    "LENGTH_KEYWORD",
    "check_lengths",
    "derived_tstamp",
    "event_schema_fields",
    "length_limits",
]

#: ``keyword`` of a report about a field longer than its limit.
LENGTH_KEYWORD: Final = "atomic_field_length_exceeded"

# --- length limits ----------------------------------------------------------------------------


def length_limits(overrides: Mapping[str, int] | None = None) -> tuple[tuple[str, int], ...]:
    """(field, limit) for every text field with a limit, in field order; ``overrides`` replace
    Enrich's defaults (its ``atomicFieldsLimits`` setting). Unknown names are a ``ValueError``."""
    overrides = dict(overrides or {})
    limits: list[tuple[str, int]] = []
    for field in FIELDS:
        if field.kind not in (Kind.STR, Kind.UUID):
            continue
        limit = overrides.pop(field.name, field.max_length)
        if limit is not None:
            limits.append((field.name, limit))
    if overrides:
        raise ValueError(
            f"no length limit can be set on {sorted(overrides)}: expected names of text fields"
        )
    return tuple(limits)


#: Enrich's default limits.
DEFAULT_LIMITS: Final = length_limits()
_DEFAULT_TABLE: Final = dict(DEFAULT_LIMITS)


def _java_length(value: str) -> int:
    if value.isascii():
        return len(value)
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def check_lengths(
    fields: Mapping[str, Any], limits: Iterable[tuple[str, int]] = DEFAULT_LIMITS
) -> list[DataReport]:
    """One ``atomic_field_length_exceeded`` report per text field longer than its limit, in
    field order."""
    ordered = tuple(limits) if limits is not DEFAULT_LIMITS else DEFAULT_LIMITS
    table = _DEFAULT_TABLE if ordered is DEFAULT_LIMITS else dict(ordered)
    over: list[str] = []
    for name, value in fields.items():  # only the fields that are set (fewer than the limits)
        if type(value) is str:
            limit = table.get(name)
            if limit is not None and len(value) > limit // 2 and _java_length(value) > limit:
                over.append(name)
    if not over:
        return []
    position = {name: i for i, (name, _) in enumerate(ordered)}
    return [
        DataReport(
            message=f"Field is longer than maximum allowed size {table[name]}",
            path=name,
            keyword=LENGTH_KEYWORD,
        )
        for name in sorted(over, key=position.__getitem__)
    ]


# --- derived timestamp ------------------------------------------------------------------------

_DAY: Final = dt.timedelta(days=1)
_FEB_29: Final = dt.timedelta(days=31 + 29 - 1)  # Joda's FEB_29 remainder within a year
_SHORT_WAIT: Final = dt.timedelta(days=28)  # below this a Period has no year or month


def _year_start(moment: dt.datetime) -> dt.datetime:
    return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _month_start(moment: dt.datetime) -> dt.datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Calendar months added, the day clamped to the month's length (Joda's rule)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month0 = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _years_between(start: dt.datetime, end: dt.datetime) -> int:
    """Joda's year difference for ``start <= end`` (leap days balanced)."""
    end_rem = end - _year_start(end)
    start_rem = start - _year_start(start)
    if start_rem >= _FEB_29:
        if calendar.isleap(start.year):
            if not calendar.isleap(end.year):
                start_rem -= _DAY
        elif end_rem >= _FEB_29 and calendar.isleap(end.year):
            end_rem -= _DAY
    years = end.year - start.year
    return years - 1 if end_rem < start_rem else years


def _months_between(start: dt.datetime, end: dt.datetime) -> int:
    """Joda's month difference for ``start <= end`` (month ends matched)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    end_days = calendar.monthrange(end.year, end.month)[1]
    if end.day == end_days and start.day > end.day:
        start = start.replace(day=end.day)
    if end - _month_start(end) < start - _month_start(start):
        months -= 1
    return months


def _minus_wait(collector: dt.datetime, created: dt.datetime, sent: dt.datetime) -> dt.datetime:
    """``collector − Period(created, sent)`` in Joda's field-by-field arithmetic."""
    wait = sent - created
    if wait < _SHORT_WAIT:
        return collector - wait
    start = created
    years = _years_between(start, sent)
    if years:
        start = _add_months(start, 12 * years)
    months = _months_between(start, sent)
    if months:
        start = _add_months(start, months)
    rest = sent - start  # exact weeks, days, hours, minutes, seconds and milliseconds
    moved = collector
    if years:
        moved = _add_months(moved, -12 * years)
    if months:
        moved = _add_months(moved, -months)
    return moved - rest


def derived_tstamp(fields: Mapping[str, Any]) -> dt.datetime | str | None:
    """The ``derived_tstamp`` of an event (None without a collector time), or an error message
    when the result falls outside the years a timestamp can hold."""
    true_tstamp: dt.datetime | None = fields.get("true_tstamp")
    if true_tstamp is not None:
        return true_tstamp
    collector: dt.datetime | None = fields.get("collector_tstamp")
    created: dt.datetime | None = fields.get("dvce_created_tstamp")
    sent: dt.datetime | None = fields.get("dvce_sent_tstamp")
    if collector is None or created is None or sent is None or not created < sent:
        return collector
    try:
        return _minus_wait(collector, created, sent)
    except (OverflowError, ValueError) as exc:
        return f"exception calculating derived timestamp: {exc}"


# --- event schema fields ----------------------------------------------------------------------

_SCHEMA_FIELDS: Final = ("event_vendor", "event_name", "event_format", "event_version")

#: Enriched ``event`` value → (vendor, name, format, version) Enrich sets for it.
_EVENT_SCHEMAS: Final[dict[str, tuple[str, str, str, str]]] = {
    code.event: (code.schema_vendor, code.schema_name, code.schema_format, code.schema_version)
    for code in EVENT_CODES.values()
    if code.schema_vendor is not None
    and code.schema_name is not None
    and code.schema_format is not None
    and code.schema_version is not None
}
_UNSTRUCT: Final = "unstruct"


def event_schema_fields(
    fields: dict[str, Any], unstruct_schema: SchemaKey | str | None
) -> str | None:
    """Set ``event_vendor``/``event_name``/``event_format``/``event_version``.

    For ``unstruct`` events they come from ``unstruct_schema`` (the validated self-describing
    event's schema; nothing is set when there is none, since that failure is already
    reported). Any event type without a schema (``ad_impression``, unknown, unset) gives the
    error message Enrich writes as the ``expectation`` of an ``InputData`` failure for the
    field ``event``.
    """
    event = fields.get("event")
    schema = _EVENT_SCHEMAS.get(event) if isinstance(event, str) else None
    if schema is None and event == _UNSTRUCT:
        if unstruct_schema is None:
            return None
        key = (
            SchemaKey.parse(unstruct_schema)
            if isinstance(unstruct_schema, str)
            else (unstruct_schema)
        )
        if not isinstance(key, SchemaKey):
            return f"the unstruct_event schema [{unstruct_schema}] is not an Iglu URI"
        schema = (key.vendor, key.name, key.format, str(key.version))
    if schema is None:
        return (
            "trying to extract the schema of the enriched event but event type "
            f"[{'null' if event is None else event}] "
            "doesn't match\n          any of page_view, page_ping, struct, transaction, "
            "transaction_item and unstruct\n          "
        )
    fields.update(zip(_SCHEMA_FIELDS, schema, strict=True))
    return None
