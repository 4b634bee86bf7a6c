"""Settings of a data-model run."""

from __future__ import annotations

import msgspec

__all__ = ["ModelSettings"]


class ModelSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How ``pyplow model run`` reads events and builds the derived tables.

    The defaults match the browser trackers' defaults (a first page ping after 5 s, then one
    every 10 s) and a pipeline whose loader lags by much less than the lookback window.
    """

    #: Schema of the loaded events (``<events_schema>.events``).
    events_schema: str = "atomic"
    #: Schema of the derived tables; created when missing.
    derived_schema: str = "derived"
    #: Seconds between two page pings (the tracker's ``heartbeatDelay``).
    heartbeat_seconds: int = 10
    #: Seconds before the first page ping (the tracker's ``minimumVisitLength``).
    min_visit_length_seconds: int = 5
    #: Each run starts this many hours before the newest ``collector_tstamp`` seen by the
    #: previous run, so events that reached the table late are still modelled.
    lookback_hours: float = 6.0
    #: How far before the window the events of a session touched by the window are read
    #: (sessions longer than this are cut).
    session_lookback_days: float = 3.0

    def __post_init__(self) -> None:
        if self.heartbeat_seconds <= 0:
            raise ValueError("heartbeat_seconds must be positive")
        if self.min_visit_length_seconds < 0:
            raise ValueError("min_visit_length_seconds must not be negative")
        if self.lookback_hours < 0 or self.session_lookback_days < 0:
            raise ValueError("lookback windows must not be negative")
        for schema in (self.events_schema, self.derived_schema):
            if not schema.replace("_", "").isalnum():
                raise ValueError(f"schema name {schema!r}: letters, digits and _ only")
