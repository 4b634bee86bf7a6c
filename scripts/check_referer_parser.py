"""Check pyplow's referer classification against referer-parser's own test cases.

Snowplow's referer database (``referers.yml``, GPL-3.0) is not part of pyplow: when a copy is
present in ``../shared/referer-parser`` (next to this repository) this script loads it, runs
its ``referer-tests.json`` cases through pyplow's parser and prints the pass rate, then runs
the same cases against pyplow's own shipped database for comparison (lower coverage is
expected there: it is a smaller, independently composed list).

    python scripts/check_referer_parser.py [FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pyplow.enrich.referers import RefererDatabase, RefererParser, builtin_database


def _cases(folder: Path) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = json.loads((folder / "referer-tests.json").read_text())
    return cases


def run(database: RefererDatabase, cases: list[dict[str, object]], label: str) -> float:
    parser = RefererParser(database)
    failures: list[str] = []
    for case in cases:
        uri = str(case["uri"])
        parts = urlsplit(uri)
        got = parser.classify(
            parts.scheme.lower(), parts.hostname, parts.path, parts.query or None, None
        )
        expected = (case["medium"], case["source"] if case["known"] else None, case["term"])
        actual = (got.medium, got.source, got.term) if got is not None else None
        if actual != expected:
            failures.append(f"  {case['spec']}: expected {expected}, got {actual}")
    passed = len(cases) - len(failures)
    rate = passed / len(cases) if cases else 0.0
    print(f"{label}: {passed}/{len(cases)} cases pass ({rate:.1%})")
    for line in failures[:40]:
        print(line)
    return rate


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[2] / "shared" / "referer-parser"
    folder = Path(argv[1]) if len(argv) > 1 else default
    if not (folder / "referer-tests.json").is_file():
        print(f"no referer-parser test cases in {folder}; nothing to check")
        return 0
    cases = _cases(folder)
    yml = folder / "referers.yml"
    if yml.is_file():
        import yaml  # only this check script reads the YAML form

        snowplow = RefererDatabase.from_json(yaml.safe_load(yml.read_text()), where=str(yml))
        run(snowplow, cases, "Snowplow's database (GPL, not shipped)")
    run(builtin_database(), cases, "pyplow's own database")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
