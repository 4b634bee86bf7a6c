"""From one collector request to raw events: the tracker-protocol adapters and their dispatch.

``to_raw_events`` does what Enrich does with a collector payload:

1. collector-payload checks, each failure its own ``collector_payload_format_violation``:
   the path must name a vendor/version (``parse_api``), the querystring must be a legal URI
   query (``parse_querystring``) and the network user id must be a UUID;
2. the adapter chosen by vendor/version: ``com.snowplowanalytics.snowplow/tp1`` (the legacy
   ``/i`` pixel), ``com.snowplowanalytics.snowplow/tp2``, ``r/tp2`` and the Iglu webhook
   ``com.snowplowanalytics.iglu/v1``. Any other
   vendor/version is answered with Enrich's "vendor/version combination is not supported"
   adapter failure; webhook adapters are meant to be tried before falling back to this.

Nothing here raises on bad input: every problem comes back inside the ``AdapterResult``.
"""

from __future__ import annotations

import msgspec

from pyplow.protocol.collector_payload import CollectorPayload
from pyplow.protocol.iglu_webhook import iglu_webhook_parameters
from pyplow.protocol.payload_data import PayloadValidator
from pyplow.protocol.querystring import QuerystringError, parse_querystring
from pyplow.protocol.redirect import redirect_parameters
from pyplow.protocol.request import (
    IGLU,
    REDIRECT,
    TP1,
    TP2,
    Api,
    parse_api,
    parse_network_user_id,
    raw_event,
)
from pyplow.protocol.result import AdapterResult, BadRowFamily, family_for
from pyplow.protocol.tp2 import Params, tp2_parameters
from pyplow.protocol.violations import CollectorPayloadInputData, InputData, ProtocolViolation

__all__ = ["to_raw_events", "tp1_parameters"]


def tp1_parameters(params: Params) -> Params | ProtocolViolation:
    """The single event of a tracker protocol v1 (``/i``) request, or the violation.

    (Enrich's message mentions a URI redirect here too; it is kept word for word.)
    """
    if not params:
        return InputData("querystring", None, "empty querystring: not a valid URI redirect")
    return params


def _format_failure(api: Api | None, violations: list[CollectorPayloadInputData]) -> AdapterResult:
    return AdapterResult(
        vendor=None if api is None else api.vendor,
        version=None if api is None else api.version,
        family=BadRowFamily.COLLECTOR_PAYLOAD_FORMAT_VIOLATION,
        format_violations=tuple(violations),
    )


def to_raw_events(
    request: CollectorPayload, *, validator: PayloadValidator | None = None
) -> AdapterResult:
    """Turn one collector request into raw events, or into the violations Enrich reports.

    ``validator`` checks a TP2 body's self-describing JSON against its schema; enrich plugs in
    its configured Iglu resolver here. The default uses pyplow's embedded registry (see
    ``pyplow.protocol.payload_data``).
    """
    format_violations: list[CollectorPayloadInputData] = []
    parsed_api = parse_api(request.path)
    api: Api | None = None
    if isinstance(parsed_api, CollectorPayloadInputData):
        format_violations.append(parsed_api)
    else:
        api = parsed_api
    query = parse_querystring(request.querystring)
    if isinstance(query, QuerystringError):
        format_violations.append(
            CollectorPayloadInputData(
                "querystring",
                request.querystring,
                f"could not extract name-value pairs from querystring with encoding "
                f"{request.encoding or 'UTF-8'}: {query.message}",
            )
        )
    nuid = parse_network_user_id(request.network_user_id)
    if isinstance(nuid, CollectorPayloadInputData):
        format_violations.append(nuid)
    if format_violations or api is None or isinstance(query, QuerystringError):
        return _format_failure(api, format_violations)

    if nuid != request.network_user_id:  # keep the canonical (lower-case) UUID, as Enrich does
        request = msgspec.structs.replace(request, network_user_id=nuid)
    params = query.to_dict()
    family = family_for(api.vendor, api.version)
    outcome: Params | ProtocolViolation | None = None
    if api == TP2:
        events, violations = tp2_parameters(request.body, request.content_type, params, validator)
        if violations:
            return AdapterResult(
                vendor=api.vendor, version=api.version, family=family, violations=violations
            )
        return AdapterResult(
            vendor=api.vendor,
            version=api.version,
            family=family,
            events=tuple(raw_event(request, api, p) for p in events),
        )
    if api == IGLU:
        webhook = iglu_webhook_parameters(params, request.body, request.content_type)
        if not isinstance(webhook, list):
            return AdapterResult(
                vendor=api.vendor, version=api.version, family=family, violations=(webhook,)
            )
        return AdapterResult(
            vendor=api.vendor,
            version=api.version,
            family=family,
            events=tuple(raw_event(request, api, p) for p in webhook),
        )
    if api == TP1:
        outcome = tp1_parameters(params)
    elif api == REDIRECT:
        outcome = redirect_parameters(params)
    else:
        outcome = InputData(
            "vendor/version",
            f"{api.vendor}/{api.version}",
            "vendor/version combination is not supported",
        )
    if isinstance(outcome, dict):
        return AdapterResult(
            vendor=api.vendor,
            version=api.version,
            family=family,
            events=(raw_event(request, api, outcome),),
        )
    return AdapterResult(
        vendor=api.vendor, version=api.version, family=family, violations=(outcome,)
    )
