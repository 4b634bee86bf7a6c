"""Counting what a replay did, per bad-row type, with a few before/after diffs."""

from __future__ import annotations

import difflib
import json
from typing import Any

import msgspec

from pyplow.replay.recover import NotReplayable
from pyplow.replay.replayer import FixFailed, Replayed

__all__ = ["ReplayReport", "TypeCounts", "diff"]


class TypeCounts(msgspec.Struct, kw_only=True):
    """The outcome of the rows of one bad-row type."""

    rows: int = 0
    replayable: int = 0
    fixed: int = 0
    not_replayable: int = 0
    fix_failed: int = 0
    #: Why rows were not replayed (or their fix failed), with how many rows each.
    reasons: dict[str, int] = msgspec.field(default_factory=dict)


class ReplayReport(msgspec.Struct, kw_only=True):
    """Counts of a whole run; ``diffs`` holds up to ``max_diffs`` before/after diffs."""

    types: dict[str, TypeCounts] = msgspec.field(default_factory=dict)
    diffs: list[str] = msgspec.field(default_factory=list)
    max_diffs: int = 3
    written: int = 0

    def add(self, outcome: Replayed | NotReplayable | FixFailed) -> None:
        counts = self.types.setdefault(outcome.type_name, TypeCounts())
        counts.rows += 1
        if isinstance(outcome, Replayed):
            counts.replayable += 1
            if outcome.changed:
                counts.fixed += 1
                if len(self.diffs) < self.max_diffs:
                    self.diffs.append(diff(outcome.before, outcome.after, outcome.type_name))
            return
        if isinstance(outcome, FixFailed):
            counts.fix_failed += 1
        else:
            counts.not_replayable += 1
        reason = outcome.reason if len(outcome.reason) <= 200 else outcome.reason[:200] + "..."
        counts.reasons[reason] = counts.reasons.get(reason, 0) + 1

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.types.values())

    @property
    def replayable(self) -> int:
        return sum(c.replayable for c in self.types.values())

    @property
    def fix_failed(self) -> int:
        return sum(c.fix_failed for c in self.types.values())

    def render(self, *, reasons: int = 3) -> str:
        """A human-readable summary: one line per type, the main reasons, then the diffs."""
        lines = []
        for name in sorted(self.types):
            c = self.types[name]
            lines.append(
                f"{name}: {c.rows} rows, {c.replayable} replayable ({c.fixed} changed by fixes), "
                f"{c.not_replayable} not replayable, {c.fix_failed} fix failed"
            )
            top = sorted(c.reasons.items(), key=lambda item: -item[1])[:reasons]
            lines.extend(f"  {count} × {reason}" for reason, count in top)
        lines.append(
            f"total: {self.rows} rows, {self.replayable} replayable, {self.written} written"
        )
        lines.extend(self.diffs)
        return "\n".join(lines)


def diff(before: dict[str, Any], after: dict[str, Any], label: str = "event") -> str:
    """A unified diff of two documents, pretty-printed as JSON."""
    old = json.dumps(before, indent=2, ensure_ascii=False, default=str).splitlines()
    new = json.dumps(after, indent=2, ensure_ascii=False, default=str).splitlines()
    return "\n".join(
        difflib.unified_diff(old, new, f"{label} (before)", f"{label} (after)", lineterm="")
    )
