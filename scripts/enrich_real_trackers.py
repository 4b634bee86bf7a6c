"""Enrich the captured real-tracker traffic and check that nothing becomes a bad row.

Reads ``../shared/fixtures/real-trackers/*.jsonl`` (and ``../shared/iglu-central``) beside the
repository when present; exits 0 with a message when they are not. Every captured request is
recorded as pyplow's collector records it and enriched with the default enrichments. Schemas
are resolved from pyplow's embedded registry, ``../shared/iglu-central``, and a small registry
for the captures' test-only ``com.acme`` schemas, which no public registry has: this script
writes those schemas itself, from the data the captures carry (each property typed as seen,
nothing required), into a temporary folder.

Every event must give an enriched row (zero bad rows), and every row must decode with pyplow's
TSV codec into the analytics-SDK JSON shape. Exit status 1 otherwise.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pyplow.collector.request import HttpRequest, to_payload
from pyplow.enrich.engine import Engine
from pyplow.enrich.loading import DEFAULT_CONFIGS, build_enrichments
from pyplow.event import EnrichedEvent, decode_tsv, to_sdk_json
from pyplow.iglu import DirectoryRepository, Resolver, Validator, builtin_repository
from pyplow.protocol import (
    NotJson,
    encode_collector_payload,
    extract_contexts,
    extract_unstruct,
    to_raw_events,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CAPTURES = SHARED / "fixtures" / "real-trackers"


def _requests() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CAPTURES.glob("*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(text)
            if line["method"] != "OPTIONS":
                out.append((path.name, line))
    return out


def _record(line: dict[str, Any]) -> bytes:
    request = HttpRequest(
        method=line["method"],
        path=line["path"],
        query=line["query"],
        headers=tuple((str(k).lower(), str(v)) for k, v in line["headers"]),
        body=base64.b64decode(line["body_b64"]) if line["body_b64"] else b"",
        peer=str(line["client"]).rsplit(":", 1)[0],
    )
    cookie = dict(
        part.strip().split("=", 1)
        for part in (request.header("cookie") or "").split(";")
        if "=" in part
    )
    payload = to_payload(
        request,
        path=request.path,
        network_user_id=cookie.get("sp", "c5f3a09f-75f8-4309-bec5-fea560f78455"),
        timestamp_ms=int(float(line["ts"]) * 1000),
        collector_name="pyplow-check",
    )
    return encode_collector_payload(payload)


def _json_type(value: Any) -> list[str]:
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["boolean", "null"]
    if isinstance(value, int):
        return ["integer", "null"]
    if isinstance(value, float):
        return ["number", "null"]
    if isinstance(value, str):
        return ["string", "null"]
    if isinstance(value, list):
        return ["array", "null"]
    return ["object", "null"]


def write_acme_registry(folder: Path, records: list[bytes]) -> int:
    """Schemas for every com.acme schema the captures use, typed from the data they carry."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in records:
        from pyplow.protocol import decode_collector_payload

        payload = decode_collector_payload(record)
        result = to_raw_events(payload)  # type: ignore[arg-type]
        for event in result.events:
            for carried in (extract_unstruct(event.parameters), extract_contexts(event.parameters)):
                if carried is None or isinstance(carried, NotJson):
                    continue
                inner = carried.value.get("data")
                for entity in inner if isinstance(inner, list) else [inner]:
                    if isinstance(entity, dict) and str(entity.get("schema", "")).startswith(
                        "iglu:com.acme/"
                    ):
                        for key, value in (entity.get("data") or {}).items():
                            seen[entity["schema"]][key].update(_json_type(value))
    for uri, properties in seen.items():
        vendor, name, fmt, version = uri[len("iglu:") :].split("/")
        schema = {
            "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/"
            "jsonschema/1-0-0#",
            "description": f"Written by pyplow's check script from the captured {name} data",
            "self": {"vendor": vendor, "name": name, "format": fmt, "version": version},
            "type": "object",
            "properties": {k: {"type": sorted(t)} for k, t in properties.items()},
        }
        target = folder / "schemas" / vendor / name / fmt / version
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(schema, indent=2))
    return len(seen)


def main() -> int:
    if not CAPTURES.is_dir():
        print(f"no captures at {CAPTURES}; nothing to check")
        return 0
    requests = _requests()
    records = [_record(line) for _, line in requests]
    with tempfile.TemporaryDirectory() as tmp:
        count = write_acme_registry(Path(tmp), records)
        repositories = [builtin_repository()]
        if (SHARED / "iglu-central").is_dir():
            repositories.append(DirectoryRepository(SHARED / "iglu-central", name="Iglu Central"))
        repositories.append(DirectoryRepository(Path(tmp), name="captures (com.acme)"))
        validator = Validator(Resolver(repositories))
        enrichments = build_enrichments(
            [("defaults", c) for c in DEFAULT_CONFIGS], validator, trusted=True
        )
        engine = Engine(enrichments, validator)
        per_file: dict[str, Counter[str]] = defaultdict(Counter)
        problems = 0
        for (name, line), record in zip(requests, records, strict=True):
            outcome = engine.process(record)
            per_file[name]["events"] += outcome.events
            per_file[name]["good"] += len(outcome.good)
            per_file[name]["bad"] += len(outcome.bad)
            for row in outcome.bad:
                problems += 1
                print(f"  {name} seq {line['seq']}: {row[:600].decode(errors='replace')}")
            for row in outcome.good:
                event = decode_tsv(row.decode())
                if not isinstance(event, EnrichedEvent):
                    problems += 1
                    print(f"  {name} seq {line['seq']}: {event}")
                    continue
                shape = to_sdk_json(event)
                per_file[name]["shredded keys"] += sum(
                    1 for k in shape if k.startswith(("contexts_", "unstruct_event_"))
                )
    print(f"com.acme schemas written from the captures: {count}")
    for name, counts in per_file.items():
        print(f"{name}: {dict(counts)}")
    print("OK" if problems == 0 else f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
