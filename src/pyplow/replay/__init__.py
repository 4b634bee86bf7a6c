"""Replay: turn bad rows back into raw records, optionally fixed, to go through enrich again.

``recover`` finds the raw request or event of a bad row, ``fixes`` holds the JSON Patch rules,
``document`` is the JSON form fixes edit and its re-encoding, ``replayer`` ties them together
for one row, ``report`` counts outcomes, ``sources`` reads bad rows (files, DuckDB, NATS) and
``run`` drives a whole replay into a sink.
"""

from pyplow.replay.document import DocumentError, event_document, rebuild, request_document
from pyplow.replay.fixes import (
    FixFileError,
    FixMatch,
    FixRule,
    FixSet,
    PatchError,
    load_fixes,
    parse_fixes,
)
from pyplow.replay.recover import NotReplayable, Recovered, api_path, recover
from pyplow.replay.replayer import FixFailed, Replayed, Replayer, format_problem
from pyplow.replay.report import ReplayReport, TypeCounts, diff
from pyplow.replay.run import run_replay
from pyplow.replay.sources import BadRowSource, DuckDBBadRowSource, open_bad_row_source

__all__ = [
    "BadRowSource",
    "DocumentError",
    "DuckDBBadRowSource",
    "FixFailed",
    "FixFileError",
    "FixMatch",
    "FixRule",
    "FixSet",
    "NotReplayable",
    "PatchError",
    "Recovered",
    "ReplayReport",
    "Replayed",
    "Replayer",
    "TypeCounts",
    "api_path",
    "diff",
    "event_document",
    "format_problem",
    "load_fixes",
    "open_bad_row_source",
    "parse_fixes",
    "rebuild",
    "recover",
    "request_document",
    "run_replay",
]
