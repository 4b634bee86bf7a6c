"""pyplow: a behavioural-data pipeline that speaks Snowplow's formats end to end.

Subpackages, lowest layer first (imports only flow downwards):

- ``pyplow.iglu``: schema keys, self-describing JSON, the resolver, validation;
- ``pyplow.protocol``: the tracker protocol and the raw ``CollectorPayload`` record;
- ``pyplow.event``: the canonical enriched event, its TSV and analytics-SDK JSON forms;
- ``pyplow.badrows``: Snowplow's bad rows;
- ``pyplow.cli``: the ``pyplow`` command.
"""

__version__ = "0.1.0.dev0"

ARTIFACT = "pyplow"
