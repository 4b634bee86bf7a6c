"""The collector itself: one HTTP request in, one response out, the raw record buffered.

Routes (as Snowplow's collector, plus ``/metrics``):

====================================  ===========================================================
``OPTIONS`` any path                  CORS preflight
``GET|HEAD /i``, ``/ice.png``         record, answer the transparent GIF
``GET|HEAD /{vendor}/{version}``      record (tp2 GET, webhooks), answer the GIF
``POST /{vendor}/{version}``          record (tp2 batches, webhooks), answer ``ok``
``GET /r/{anything}``                 record, 302 to ``u`` (only when redirects are enabled)
``GET /health``, ``/sink-health``     200 ``ok``, or 503 while a sink is failing
``GET /metrics``                      Prometheus text
``GET /robots.txt``                   disallow all crawlers
``GET /crossdomain.xml``              when enabled
``GET /sp.js``                        the browser tracker, when built
``GET /``                             the configured root response, when enabled
====================================  ===========================================================

Custom ``/{vendor}/{version}`` paths can be mapped to the tp2, redirect or Iglu webhook paths;
the mapped path is what gets recorded. A recorded request is answered only once its record is in
the sink buffer; when the buffer is full the answer is 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyplow import __version__, badrows
from pyplow.collector import responses
from pyplow.collector.buffer import SinkBuffer
from pyplow.collector.config import CollectorConfig
from pyplow.collector.cookies import (
    do_not_track,
    network_user_id,
    parse_cookie_header,
    set_cookie_headers,
)
from pyplow.collector.metrics import CollectorMetrics
from pyplow.collector.request import HttpRequest, to_payload
from pyplow.collector.responses import Response
from pyplow.collector.sizing import fit
from pyplow.protocol import encode_collector_payload, parse_pairs
from pyplow.streams import Sink

log = logging.getLogger(__name__)

ARTIFACT = "pyplow-collector"
_PIXEL_PATHS = frozenset({"/i", "/ice.png"})
_TRACKING_METHODS = frozenset({"GET", "HEAD", "POST"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


class Collector:
    """Records requests into the good sink (and size violations into the bad sink)."""

    def __init__(
        self,
        config: CollectorConfig,
        good: Sink,
        bad: Sink,
        *,
        clock: Callable[[], datetime] = _utcnow,
        new_id: Callable[[], str] = _new_id,
        sp_js: bytes | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.new_id = new_id
        self.metrics = CollectorMetrics()
        self.name = f"pyplow-{__version__}-{type(good).__name__.lower()}"
        self.processor = badrows.Processor(ARTIFACT, __version__)
        spill = Path(config.buffer.spill_dir) if config.buffer.spill_dir else None
        self.good = SinkBuffer(
            good,
            config.buffer,
            name="good",
            metrics=self.metrics,
            spill_path=spill / f"good-{os.getpid()}.spill" if spill else None,
        )
        self.bad = SinkBuffer(
            bad,
            config.buffer,
            name="bad",
            metrics=self.metrics,
            spill_path=spill / f"bad-{os.getpid()}.spill" if spill else None,
        )
        self.sp_js = sp_js
        self._requests: dict[tuple[str, int], Any] = {}
        self._good_records = self.metrics.records.labels("good")
        self._bad_records = self.metrics.records.labels("bad")
        self._crossdomain = responses.crossdomain_xml(
            config.cross_domain.domains, config.cross_domain.secure
        )

    async def start(self) -> None:
        """Start writing buffered records to the sinks."""
        self.good.start()
        self.bad.start()

    async def stop(self) -> None:
        """Stop accepting records and write out everything buffered (for SIGTERM)."""
        lost = await self.good.drain() + await self.bad.drain()
        if lost:
            log.error("%d records could not be written before shutdown", lost)

    async def healthy(self) -> bool:
        return (
            self.good.healthy
            and self.bad.healthy
            and await self.good.sink.healthy()
            and await self.bad.sink.healthy()
        )

    # --- routing ----------------------------------------------------------------------------

    async def handle(self, request: HttpRequest) -> Response:
        """Answer one request (never raises for bad input)."""
        route, response = await self._route(request)
        if request.method == "HEAD":
            response.body = b""
        counter = self._requests.get((route, response.status))
        if counter is None:
            counter = self.metrics.requests.labels(route, str(response.status))
            self._requests[(route, response.status)] = counter
        counter.inc()
        return response

    async def _route(self, request: HttpRequest) -> tuple[str, Response]:
        method, path = request.method, request.path
        if method == "OPTIONS":
            return "preflight", self._preflight(request)
        mapped = self.config.paths.get(path, path)
        if method in _TRACKING_METHODS:
            if path in _PIXEL_PATHS and method != "POST":
                return "pixel", await self._acknowledged(self._track(request, path, "pixel"))
            if mapped.startswith("/r/") and method == "GET":
                if not self.config.redirect.enabled and mapped == path:
                    return "redirect", responses.text(404, "redirects disabled")
                return "redirect", await self._acknowledged(
                    self._track(request, mapped, "redirect")
                )
            if _two_segments(mapped) and not mapped.startswith("/r/"):
                kind = "ok" if method == "POST" else "pixel"
                return "track", await self._acknowledged(self._track(request, mapped, kind))
        if method in ("GET", "HEAD"):
            return self._static(path) or await self._service_route(path)
        return "other", responses.text(404, "not found")

    async def _service_route(self, path: str) -> tuple[str, Response]:
        if path in ("/health", "/sink-health"):
            if await self.healthy():
                return "health", responses.text(200, "ok")
            return "health", responses.text(503, "a sink is failing")
        if path == "/metrics":
            body = self.metrics.render()
            headers = [("Content-Type", self.metrics.content_type)]
            return "metrics", Response(headers=headers, body=body)
        return "other", responses.text(404, "not found")

    def _static(self, path: str) -> tuple[str, Response] | None:
        if path == "/robots.txt":
            return "robots", Response(
                headers=[("Content-Type", "text/plain; charset=utf-8")], body=responses.ROBOTS_TXT
            )
        if path == "/crossdomain.xml":
            if not self.config.cross_domain.enabled:
                return "crossdomain", responses.text(404, "not found")
            return "crossdomain", Response(
                headers=[("Content-Type", "text/xml")], body=self._crossdomain
            )
        if path == "/sp.js":
            if self.sp_js is None:
                return "sp.js", responses.text(
                    404, "the browser tracker (sp.js) is not part of this pyplow build yet"
                )
            return "sp.js", Response(
                headers=[
                    ("Content-Type", "application/javascript; charset=utf-8"),
                    ("Cache-Control", "public, max-age=3600"),
                ],
                body=self.sp_js,
            )
        if path == "/":
            root = self.config.root_response
            if not root.enabled:
                return "root", responses.text(404, "not found")
            return "root", Response(
                status=root.status, headers=list(root.headers.items()), body=root.body.encode()
            )
        return None

    # --- CORS --------------------------------------------------------------------------------

    def _cors(self, request: HttpRequest) -> list[tuple[str, str]]:
        origin = (request.header("origin") or "").split()
        allowed = origin[0] if origin and origin[0] != "null" else "*"
        headers = [
            ("Access-Control-Allow-Origin", allowed),
            ("Access-Control-Allow-Credentials", "true"),
        ]
        if self.config.hsts.enabled:
            headers.append(
                ("Strict-Transport-Security", f"max-age={self.config.hsts.max_age_seconds}")
            )
        return headers

    def _preflight(self, request: HttpRequest) -> Response:
        headers = self._cors(request)
        headers.append(("Access-Control-Allow-Headers", "Content-Type, SP-Anonymous"))
        headers.append(("Access-Control-Max-Age", str(self.config.cors_max_age_seconds)))
        return Response(headers=headers)

    # --- recording ---------------------------------------------------------------------------

    async def _acknowledged(self, response: Response) -> Response:
        """``response`` once the request's records are written, when the configuration asks
        for that (``_track`` has just offered them: no other request ran in between)."""
        settings = self.config.buffer
        if not settings.acknowledge_after_write or response.status >= 400:
            return response
        marks = (self.good.accepted, self.bad.accepted)
        timeout = settings.acknowledge_timeout_seconds
        if await self.good.written(marks[0], timeout) and await self.bad.written(marks[1], timeout):
            return response
        self.metrics.rejected.inc()
        return responses.text(
            503,
            "collector could not store the event in time, retry later",
            *self._cors_only(response),
            ("Retry-After", str(settings.retry_after_seconds)),
        )

    @staticmethod
    def _cors_only(response: Response) -> list[tuple[str, str]]:
        return [(k, v) for k, v in response.headers if k.startswith("Access-Control-")]

    def _track(self, request: HttpRequest, path: str, kind: str) -> Response:
        config = self.config
        if request.method == "POST" and len(request.body) > config.max_body_bytes:
            return responses.text(413, f"request body over {config.max_body_bytes} bytes")
        self.metrics.bytes_received.inc(len(request.body) + len(request.query))
        cookie_header = None if request.anonymous else request.header("cookie")
        cookies = parse_cookie_header(cookie_header)
        # Only two parameters matter to the collector; most requests carry neither.
        query = request.query
        wanted = "nuid=" in query or (kind == "redirect" and "u=" in query)
        params = dict(parse_pairs(query)) if wanted else {}
        now = self.clock()
        headers = self._cors(request)
        if do_not_track(cookies, config.do_not_track):
            self.metrics.dropped.labels("do_not_track").inc()
            return self._answer(kind, request, params, headers)
        anonymous = request.anonymous
        nuid = network_user_id(
            anonymous=anonymous,
            nuid_param=params.get("nuid"),
            cookies=cookies,
            config=config.cookie,
            new_id=self.new_id,
        )
        payload = to_payload(
            request,
            path=path,
            network_user_id=nuid,
            timestamp_ms=int(now.timestamp() * 1000),
            collector_name=self.name,
            trust_forwarded_for=config.trust_forwarded_for,
        )
        fitted = fit(
            payload,
            encode_collector_payload(payload),
            sink_limit=self.good.sink.max_record_bytes,
            max_payload_bytes=config.max_payload_bytes,
            processor=self.processor,
            now=now,
        )
        bad = [badrows.encode(row) for row in fitted.bad]
        if not (self.good.offer(fitted.good) and self.bad.offer(bad)):
            self.metrics.rejected.inc()
            return responses.text(
                503,
                "collector busy, retry later",
                *headers,
                ("Retry-After", str(config.buffer.retry_after_seconds)),
            )
        self._good_records.inc(len(fitted.good))
        if bad:
            self._bad_records.inc(len(bad))
            self.metrics.size_violations.inc(len(bad))
        for value in set_cookie_headers(
            config.cookie,
            nuid,
            now=now,
            origin=request.header("origin"),
            anonymous=anonymous,
            had_cookie=config.cookie.name in parse_cookie_header(request.header("cookie")),
        ):
            headers.append(("Set-Cookie", value))
        return self._answer(kind, request, params, headers)

    def _answer(
        self,
        kind: str,
        request: HttpRequest,
        params: dict[str, str | None],
        headers: list[tuple[str, str]],
    ) -> Response:
        if kind == "redirect":
            target = params.get("u")
            if target is None or not self._redirect_allowed(target):
                return responses.text(400, "redirect target missing or not allowed", *headers)
            headers.append(("Location", target))
            return Response(status=302, headers=headers)
        response = responses.pixel() if kind == "pixel" else responses.ok()
        response.headers.extend(headers)
        return response

    def _redirect_allowed(self, target: str) -> bool:
        try:
            parts = urlsplit(target)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        settings = self.config.redirect
        return settings.allow_any_domain or parts.hostname.lower() in (
            d.lower() for d in settings.domains
        )


def _two_segments(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "" and bool(parts[1]) and bool(parts[2])
