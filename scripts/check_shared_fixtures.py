"""By-hand check of pyplow's codecs against real Snowplow traffic and sample data.

Reads ``../shared/fixtures`` beside the repository when it exists (it is not part of the
repository, and the test suite never needs it); exits 0 with a message when it does not.

- ``real-trackers/*.jsonl``: each captured request (OPTIONS preflights aside) is recorded the
  way pyplow's collector records it, then parsed by the tracker-protocol adapters: every request
  must give events and no violation, and every self-describing JSON they carry must parse and,
  where pyplow's embedded registry knows the schema, validate.
- ``snowplow-samples``: every Thrift ``CollectorPayload`` decodes to the documented values and
  re-encodes byte-identical; the enriched TSV row decodes and re-encodes byte-identical, and its
  analytics-SDK JSON shapes equal the SDKs' expected outputs; every bad row decodes and
  re-encodes byte-identical, or (where the sample's own key order or spacing is not what a
  compact encoder writes) to an equal JSON value, which is reported.

Exit status 1 when anything does not hold.
"""

from __future__ import annotations

import base64
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from pyplow import badrows
from pyplow.collector.request import HttpRequest, to_payload
from pyplow.event import decode_tsv, encode_tsv, to_python_sdk_json, to_sdk_json
from pyplow.iglu import (
    IgluParseError,
    ResolutionError,
    Resolver,
    SelfDescribingData,
    Validated,
    Validator,
    builtin_repository,
)
from pyplow.protocol import (
    CollectorPayload,
    NotJson,
    decode_collector_payload,
    decode_line,
    encode_collector_payload,
    extract_contexts,
    extract_unstruct,
    to_raw_events,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"
_CAMEL = {
    "ip_address": "ipAddress",
    "user_agent": "userAgent",
    "referer_uri": "refererUri",
    "content_type": "contentType",
    "network_user_id": "networkUserId",
}


class Check:
    def __init__(self) -> None:
        self.problems = 0

    def fail(self, message: str) -> None:
        self.problems += 1
        print(f"  PROBLEM {message}")


def _request(line: dict[str, Any]) -> HttpRequest:
    body = base64.b64decode(line["body_b64"]) if line["body_b64"] else b""
    return HttpRequest(
        method=line["method"],
        path=line["path"],
        query=line["query"],
        headers=tuple((str(k).lower(), str(v)) for k, v in line["headers"]),
        body=body,
        peer=str(line["client"]).rsplit(":", 1)[0],
    )


def check_real_trackers(check: Check, validator: Validator) -> None:
    for path in sorted((FIXTURES / "real-trackers").glob("*.jsonl")):
        requests: Counter[str] = Counter()
        events = entities = validated = unknown = 0
        for text in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(text)
            if line["method"] == "OPTIONS":
                continue
            requests[line["method"]] += 1
            request = _request(line)
            payload = to_payload(
                request,
                path=request.path,
                network_user_id="c5f3a09f-75f8-4309-bec5-fea560f78455",
                timestamp_ms=int(float(line["ts"]) * 1000),
                collector_name="pyplow-check",
            )
            result = to_raw_events(payload)
            if not result.ok or not result.events:
                check.fail(f"{path.name} seq {line['seq']}: {result}")
                continue
            events += len(result.events)
            for event in result.events:
                for carried in (
                    extract_unstruct(event.parameters),
                    extract_contexts(event.parameters),
                ):
                    if isinstance(carried, NotJson):
                        check.fail(f"{path.name} seq {line['seq']}: {carried}")
                    elif carried is not None:
                        for entity in _entities(carried.value):
                            entities += 1
                            outcome = _validate(validator, entity)
                            if isinstance(outcome, Validated):
                                validated += 1
                            elif isinstance(outcome, ResolutionError):
                                unknown += 1
                            else:
                                check.fail(f"{path.name} seq {line['seq']}: {outcome}")
        print(
            f"{path.name}: {dict(requests)} requests -> {events} events; {entities} "
            f"self-describing JSONs, {validated} valid, {unknown} with a schema pyplow's "
            "embedded registry does not hold"
        )


def _entities(envelope: Any) -> list[Any]:
    inner = envelope.get("data") if isinstance(envelope, dict) else None
    items = inner if isinstance(inner, list) else [inner]
    return [envelope, *items]


def _validate(validator: Validator, value: Any) -> Any:
    sdd = SelfDescribingData.parse(value)
    if isinstance(sdd, IgluParseError):
        return sdd
    return validator.validate(sdd)


def check_thrift(check: Check) -> None:
    samples = FIXTURES / "snowplow-samples"
    lines = (samples / "collector-payloads-thrift.base64.txt").read_text().splitlines()
    records = json.loads((samples / "collector-payloads-thrift.decoded.json").read_text())
    identical = 0
    for number, line in enumerate(lines, 1):
        raw = base64.b64decode(line)
        payload = decode_line(line)
        direct = decode_collector_payload(raw)
        if not isinstance(direct, CollectorPayload) or payload != direct:
            check.fail(f"thrift line {number}: {direct}")
            continue
        if encode_collector_payload(direct) == raw:
            identical += 1
        else:
            check.fail(f"thrift line {number}: re-encoding differs")
        want = records[number - 1]["decoded"]
        got = {k: v for k, v in msgspec.to_builtins(direct).items() if v is not None}
        got = {_CAMEL.get(k, k): list(v) if isinstance(v, tuple) else v for k, v in got.items()}
        if got != want:
            check.fail(f"thrift line {number}: decoded {got} != documented {want}")
    print(f"collector payloads: {len(lines)} decoded, {identical} re-encoded byte-identical")


def check_tsv(check: Check) -> None:
    samples = FIXTURES / "snowplow-samples"
    line = (samples / "enriched-event-analytics-sdk.tsv").read_text(encoding="utf-8")
    line = line.rstrip("\n")
    event = decode_tsv(line)
    if not hasattr(event, "event_id"):
        check.fail(f"enriched TSV: {event}")
        return
    same = encode_tsv(event) == line  # type: ignore[arg-type]
    if not same:
        check.fail("enriched TSV: re-encoding differs")
    scala = json.loads(
        (samples / "enriched-event-analytics-sdk.scala-sdk-shredded.json").read_text()
    )
    python = json.loads(
        (samples / "enriched-event-analytics-sdk.python-sdk-output.json").read_text()
    )
    ours_scala = json.loads(json.dumps(to_sdk_json(event), default=str))  # type: ignore[arg-type]
    ours_python = json.loads(json.dumps(to_python_sdk_json(event), default=str))  # type: ignore[arg-type]
    if ours_scala != scala:
        check.fail("enriched TSV: Scala SDK shape differs")
    if ours_python != python:
        check.fail("enriched TSV: Python SDK shape differs")
    print(
        f"enriched TSV: byte-identical {same}; Scala SDK shape equal {ours_scala == scala}; "
        f"Python SDK shape equal {ours_python == python}"
    )


def check_bad_rows(check: Check) -> None:
    samples = FIXTURES / "snowplow-samples"
    rows = [
        line
        for name in ("bad-rows-event-recovery.jsonl", "bad-row-size-violation-snowbridge.json")
        for line in (samples / name).read_bytes().splitlines()
        if line.strip()
    ]
    identical = equal = 0
    for number, row in enumerate(rows, 1):
        decoded = badrows.decode(row)
        if isinstance(decoded, badrows.BadRowDecodeError):
            check.fail(f"bad row {number}: {decoded.message}")
            continue
        again = badrows.encode(decoded)
        if again == row:
            identical += 1
        elif json.loads(again) == json.loads(row):
            equal += 1
            print(
                f"  bad row {number} ({type(decoded.data).__name__}): equal JSON value; the "
                "sample's key order or spacing differs from compact encoding"
            )
        else:
            check.fail(f"bad row {number}: re-encoding changes the value")
    print(f"bad rows: {len(rows)} decoded, {identical} byte-identical, {equal} equal as JSON")


def main() -> int:
    if not FIXTURES.is_dir():
        print(f"no fixtures at {FIXTURES}; nothing to check")
        return 0
    check = Check()
    validator = Validator(Resolver([builtin_repository()]))
    check_real_trackers(check, validator)
    check_thrift(check)
    check_tsv(check)
    check_bad_rows(check)
    print("OK" if check.problems == 0 else f"{check.problems} problem(s)")
    return 1 if check.problems else 0


if __name__ == "__main__":
    sys.exit(main())
