"""How fast can any enricher written in Python be? A bare minimum, next to the decode floor.

Run: ``python benchmarks/enrich_ceiling.py [records]``. On the corpus of ``enrich.py``, in one
run and on one core, it times three passes over the same records:

- the decode floor of ``enrich.py`` (base64 + Thrift decode + JSON parse);
- a bare enricher that does only what no enricher can leave out, each step as cheaply as
  Python allows: the floor's decoding (with the querystring split for GET), each tracker
  parameter put in its canonical field with its text unconverted, each self-describing event
  and entity validated against its schema with pyplow's compiled validators, and one
  131-field TAB-joined row per event. No type conversion, no length checks, no enrichment, no
  bad rows, no timestamps written: a lower bound, not a working enricher;
- pyplow's engine with the default enrichments (as ``enrich.py``).

Each prints events per second per core and its ratio to the floor. If the bare enricher alone
sits near the 4x target, a complete one written in Python cannot meet it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pybase64

sys.path.insert(0, str(Path(__file__).parent))

from enrich import carried_json, corpus, decoded, default_engine, floor
from pyplow.event import FIELD_COUNT, FIELD_INDEX
from pyplow.iglu import SchemaKey, Validator
from pyplow.protocol import PARAMETERS
from pyplow.runtime import freeze_startup_objects

# Parameter name → the index of the (first) field it fills.
_SLOTS: dict[str, int] = {p.name: FIELD_INDEX[p.fields[0]] for p in PARAMETERS if p.fields}
_COLLECTOR_SLOTS = [FIELD_INDEX[n] for n in ("user_ipaddress", "useragent", "network_userid")]


def bare(lines: list[bytes], validator: Validator) -> int:
    """The bare enricher over ``lines``; returns the number of rows it built."""
    keys: dict[str, SchemaKey] = {}
    validate = validator.validate_data
    rows = 0
    for line in lines:
        payload, items = decoded(line)
        known = (payload.ip_address, payload.user_agent, payload.network_user_id)
        for item in items:
            row = [""] * FIELD_COUNT
            for slot, value in zip(_COLLECTOR_SLOTS, known, strict=True):
                row[slot] = value or ""
            for name, value in item.items():
                slot = _SLOTS.get(name)
                if slot is not None:
                    row[slot] = value
            entities = []
            if "ue_px" in item:
                entities.append(carried_json(item["ue_px"])["data"])
            if "cx" in item:
                entities.extend(carried_json(item["cx"])["data"])
            for entity in entities:
                uri = entity["schema"]
                key = keys.get(uri)
                if key is None:
                    parsed = SchemaKey.parse(uri)
                    assert isinstance(parsed, SchemaKey)
                    key = keys[uri] = parsed
                validate(key, entity["data"])
            "\t".join(row).encode()
            rows += 1
    return rows


def _seconds(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    lines, events = corpus(records)
    engine, validator = default_engine()

    def enrich() -> None:
        for line in lines:
            engine.process(pybase64.b64decode(line))

    assert bare(lines[:200], validator) > 0  # warm the validators' caches
    enrich()
    freeze_startup_objects()  # as pyplow enrich does before it starts working
    # Best of three alternating rounds each: a slow spell of the machine hits all three alike.
    best = {"floor": float("inf"), "bare": float("inf"), "enrich": float("inf")}
    for _ in range(3):
        best["floor"] = min(best["floor"], _seconds(lambda: floor(lines)))
        best["bare"] = min(best["bare"], _seconds(lambda: bare(lines, validator)))
        best["enrich"] = min(best["enrich"], _seconds(enrich))
    print(f"corpus: {records} records, {events} events")
    for name, seconds in best.items():
        print(
            f"{name:7s} {events / seconds:9.0f} events/s/core "
            f"{seconds / events * 1e6:7.1f} µs/event  {seconds / best['floor']:4.1f}x floor"
        )


if __name__ == "__main__":
    main()
