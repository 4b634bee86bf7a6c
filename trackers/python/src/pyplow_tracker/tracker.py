"""The tracker: typed ``track_*`` methods that build tracker-protocol events for emitters.

Every method returns the event id (a UUID v4, sent as ``eid``). Common keyword arguments:

- ``context``: custom entities attached to the event (``cx``/``co``);
- ``true_timestamp``: the user-asserted time of the event, in ms since epoch (``ttm``);
- ``subject``: a per-event :class:`~pyplow_tracker.subject.Subject` whose set fields override the
  tracker's.

The device-created time ``dtm`` is taken when the method is called; the send time ``stm`` is
added by the emitter when the request is built.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pyplow_tracker.emitters import EventSink
from pyplow_tracker.payload import Event, SelfDescribingJson, add_json, encode_number
from pyplow_tracker.subject import Subject

__all__ = [
    "SCREEN_VIEW_SCHEMA",
    "TIMING_SCHEMA",
    "TRACKER_VERSION",
    "EcommerceItem",
    "Tracker",
]

TRACKER_VERSION = "pyplow-py-0.1.0"
SCREEN_VIEW_SCHEMA = "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0"
TIMING_SCHEMA = "iglu:com.snowplowanalytics.snowplow/timing/jsonschema/1-0-0"

Number = int | float | Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class EcommerceItem:
    """One line of an ecommerce transaction (sent as its own ``ti`` event)."""

    sku: str
    price: Number
    quantity: int
    name: str | None = None
    category: str | None = None
    context: Sequence[SelfDescribingJson] = ()


def _put(event: Event, key: str, value: str | None) -> None:
    if value is not None:
        event[key] = value


def _num(value: Number | None) -> str | None:
    return None if value is None else encode_number(value)


class Tracker:
    """Builds events and hands them to every emitter."""

    def __init__(
        self,
        emitters: EventSink | Sequence[EventSink],
        *,
        namespace: str | None = None,
        app_id: str | None = None,
        subject: Subject | None = None,
        encode_base64: bool = True,
    ) -> None:
        self.emitters: tuple[EventSink, ...] = (
            tuple(emitters) if isinstance(emitters, Sequence) else (emitters,)
        )
        if not self.emitters:
            raise ValueError("a tracker needs at least one emitter")
        self.namespace = namespace
        self.app_id = app_id
        self.subject = subject or Subject(platform="pc")
        self.encode_base64 = encode_base64

    # -- the event types ------------------------------------------------------------------

    def track_page_view(
        self,
        page_url: str,
        *,
        page_title: str | None = None,
        referrer: str | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        event: Event = {"e": "pv", "url": page_url}
        _put(event, "page", page_title)
        _put(event, "refr", referrer)
        return self._track(event, context, true_timestamp, subject)

    def track_page_ping(
        self,
        page_url: str,
        *,
        page_title: str | None = None,
        referrer: str | None = None,
        min_x: int | None = None,
        max_x: int | None = None,
        min_y: int | None = None,
        max_y: int | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        event: Event = {"e": "pp", "url": page_url}
        _put(event, "page", page_title)
        _put(event, "refr", referrer)
        for key, value in (("pp_mix", min_x), ("pp_max", max_x), ("pp_miy", min_y)):
            _put(event, key, _num(value))
        _put(event, "pp_may", _num(max_y))
        return self._track(event, context, true_timestamp, subject)

    def track_struct_event(
        self,
        category: str,
        action: str,
        *,
        label: str | None = None,
        property_: str | None = None,
        value: Number | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        event: Event = {"e": "se", "se_ca": category, "se_ac": action}
        _put(event, "se_la", label)
        _put(event, "se_pr", property_)
        _put(event, "se_va", _num(value))
        return self._track(event, context, true_timestamp, subject)

    def track_self_describing_event(
        self,
        event_json: SelfDescribingJson,
        *,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        return self._track({"e": "ue"}, context, true_timestamp, subject, unstruct=event_json)

    def track_screen_view(
        self,
        name: str,
        *,
        screen_id: str | None = None,
        screen_type: str | None = None,
        previous_name: str | None = None,
        previous_id: str | None = None,
        previous_type: str | None = None,
        transition_type: str | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        """A mobile ``screen_view`` 1-0-0 event; ``screen_id`` defaults to a new UUID."""
        optional = (
            ("type", screen_type),
            ("previousName", previous_name),
            ("previousId", previous_id),
            ("previousType", previous_type),
            ("transitionType", transition_type),
        )
        data: dict[str, str] = {"name": name, "id": screen_id or str(uuid.uuid4())}
        data.update({key: value for key, value in optional if value is not None})
        sdj = SelfDescribingJson(SCREEN_VIEW_SCHEMA, data)
        return self.track_self_describing_event(
            sdj, context=context, true_timestamp=true_timestamp, subject=subject
        )

    def track_timing(
        self,
        category: str,
        variable: str,
        timing: int,
        *,
        label: str | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        """A ``timing`` 1-0-0 event (``timing`` in milliseconds)."""
        data: dict[str, str | int] = {"category": category, "variable": variable, "timing": timing}
        if label is not None:
            data["label"] = label
        sdj = SelfDescribingJson(TIMING_SCHEMA, data)
        return self.track_self_describing_event(
            sdj, context=context, true_timestamp=true_timestamp, subject=subject
        )

    def track_ecommerce_transaction(
        self,
        order_id: str,
        total_value: Number,
        *,
        items: Sequence[EcommerceItem] = (),
        affiliation: str | None = None,
        tax_value: Number | None = None,
        shipping: Number | None = None,
        city: str | None = None,
        state: str | None = None,
        country: str | None = None,
        currency: str | None = None,
        context: Sequence[SelfDescribingJson] = (),
        true_timestamp: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        """A ``tr`` event, then one ``ti`` event per item (same order id, currency and time).

        Returns the transaction's event id.
        """
        event: Event = {"e": "tr", "tr_id": order_id, "tr_tt": encode_number(total_value)}
        _put(event, "tr_af", affiliation)
        _put(event, "tr_tx", _num(tax_value))
        _put(event, "tr_sh", _num(shipping))
        _put(event, "tr_ci", city)
        _put(event, "tr_st", state)
        _put(event, "tr_co", country)
        _put(event, "tr_cu", currency)
        created = _now_ms()
        event_id = self._track(event, context, true_timestamp, subject, created=created)
        for item in items:
            line: Event = {
                "e": "ti",
                "ti_id": order_id,
                "ti_sk": item.sku,
                "ti_pr": encode_number(item.price),
                "ti_qu": str(item.quantity),
            }
            _put(line, "ti_nm", item.name)
            _put(line, "ti_ca", item.category)
            _put(line, "ti_cu", currency)
            self._track(line, item.context, true_timestamp, subject, created=created)
        return event_id

    # -- shared -----------------------------------------------------------------------------

    def _track(
        self,
        event: Event,
        context: Sequence[SelfDescribingJson],
        true_timestamp: int | None,
        subject: Subject | None,
        *,
        unstruct: SelfDescribingJson | None = None,
        created: int | None = None,
    ) -> str:
        add_json(event, unstruct=unstruct, contexts=context, base64_encode=self.encode_base64)
        if true_timestamp is not None:
            event["ttm"] = str(int(true_timestamp))
        event.update(self.subject.merged(subject).params())
        event_id = str(uuid.uuid4())
        event["eid"] = event_id
        event["dtm"] = str(created if created is not None else _now_ms())
        event["tv"] = TRACKER_VERSION
        if self.namespace is not None:
            event["tna"] = self.namespace
        if self.app_id is not None:
            event["aid"] = self.app_id
        for emitter in self.emitters:
            emitter.input(dict(event) if len(self.emitters) > 1 else event)
        return event_id


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
