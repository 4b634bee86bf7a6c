"""Who and where an event is about: the tracker-protocol parameters of a user and device.

A :class:`Subject` is immutable. A tracker has one; a single ``track_*`` call may pass another,
whose set fields win over the tracker's (see :meth:`Subject.merged`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

__all__ = ["PLATFORMS", "Platform", "Subject"]

Platform = Literal["web", "mob", "pc", "srv", "app", "tv", "cnsl", "iot", "headset"]
PLATFORMS: frozenset[str] = frozenset(
    ("web", "mob", "pc", "srv", "app", "tv", "cnsl", "iot", "headset")
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """User and device fields; ``None`` means "not sent"."""

    platform: Platform | None = None
    user_id: str | None = None
    screen_resolution: tuple[int, int] | None = None
    viewport: tuple[int, int] | None = None
    color_depth: int | None = None
    timezone: str | None = None
    lang: str | None = None
    ip_address: str | None = None
    useragent: str | None = None
    domain_userid: str | None = None
    network_userid: str | None = None
    domain_session_id: str | None = None
    domain_session_index: int | None = None

    def __post_init__(self) -> None:
        if self.platform is not None and self.platform not in PLATFORMS:
            raise ValueError(
                f"platform {self.platform!r} is not one of {', '.join(sorted(PLATFORMS))}"
            )
        for name in ("screen_resolution", "viewport"):
            dims = getattr(self, name)
            if dims is not None and (len(dims) != 2 or min(dims) < 0):
                raise ValueError(f"{name} must be two non-negative integers, got {dims!r}")

    def merged(self, override: Subject | None) -> Subject:
        """This subject with every field that ``override`` sets taken from ``override``."""
        if override is None:
            return self
        changes = {
            f.name: getattr(override, f.name)
            for f in dataclasses.fields(override)
            if getattr(override, f.name) is not None
        }
        return dataclasses.replace(self, **changes) if changes else self

    def params(self) -> dict[str, str]:
        """The subject as tracker-protocol parameters (only the fields that are set)."""
        out: dict[str, str] = {}
        if self.platform is not None:
            out["p"] = self.platform
        if self.user_id is not None:
            out["uid"] = self.user_id
        if self.screen_resolution is not None:
            out["res"] = f"{self.screen_resolution[0]}x{self.screen_resolution[1]}"
        if self.viewport is not None:
            out["vp"] = f"{self.viewport[0]}x{self.viewport[1]}"
        if self.color_depth is not None:
            out["cd"] = str(self.color_depth)
        if self.timezone is not None:
            out["tz"] = self.timezone
        if self.lang is not None:
            out["lang"] = self.lang
        if self.ip_address is not None:
            out["ip"] = self.ip_address
        if self.useragent is not None:
            out["ua"] = self.useragent
        if self.domain_userid is not None:
            out["duid"] = self.domain_userid
        if self.network_userid is not None:
            out["tnuid"] = self.network_userid
        if self.domain_session_id is not None:
            out["sid"] = self.domain_session_id
        if self.domain_session_index is not None:
            out["vid"] = str(self.domain_session_index)
        return out
