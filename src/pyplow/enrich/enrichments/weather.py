"""Weather: the OpenWeatherMap history at the event's place and time, as an entity.

Configured by ``weather_enrichment_config`` 1-0-0: ``apiKey``, ``cacheSize`` (entries),
``geoPrecision`` (coordinates are rounded to 1/geoPrecision of a degree), ``apiHost`` and
``timeout`` (seconds).

Inputs are ``geo_latitude``, ``geo_longitude`` and ``derived_tstamp``; when one is missing the
enrichment fails, as Snowplow's does. As in Snowplow's weather client, one request fetches a
whole UTC day of hourly history for the rounded position
(``GET <host>/data/2.5/history/city?lat=..&lon=..&start=<day>&end=<day+1>&appid=<key>``); the
answer is cached by (rounded latitude, rounded longitude, day), and the stamp closest to the
event's time becomes the ``org.openweathermap/weather/jsonschema/1-0-0`` entity: ``main``,
``wind``, ``clouds``, ``rain``, ``snow`` and ``weather`` restricted to the properties the schema
allows, and ``dt`` as an ISO-8601 UTC instant with milliseconds.

``apiHost`` is a host name (``history.openweathermap.org``, reached over HTTPS) or a base URL
with its scheme (``http://127.0.0.1:8080``, for a local service).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import httpx
import msgspec

from pyplow.enrich.context import (
    Enrichment,
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EnrichmentOutput,
    EventContext,
    criterion,
)
from pyplow.event.entities import Entity
from pyplow.iglu import TtlLruCache

__all__ = ["WEATHER_SCHEMA", "Weather", "round_coordinate", "weather_entity_data"]

WEATHER_SCHEMA: Final = "iglu:org.openweathermap/weather/jsonschema/1-0-0"
_DAY: Final = 86400

# The properties of each part the entity schema allows (additionalProperties is false).
_NUMBER_PARTS: Final[dict[str, tuple[str, ...]]] = {
    "main": ("temp", "temp_min", "temp_max", "pressure", "sea_level", "grnd_level", "humidity"),
    "wind": ("speed", "deg", "gust", "var_beg", "var_end"),
    "clouds": ("all",),
    "rain": ("1h", "3h"),
    "snow": ("1h", "3h"),
}
_WEATHER_ITEM: Final = ("main", "description", "id", "icon")


def round_coordinate(value: float, precision: int) -> float:
    """``value`` rounded (half up) to the nearest 1/``precision`` of a degree."""
    scaled = Decimal(repr(value)) * precision
    # Half up means away from zero, like Java's RoundingMode.HALF_UP; + 0.0 turns -0.0 into 0.0.
    return float(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP)) / precision + 0.0


def _part(raw: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    return {k: raw[k] for k in keys if isinstance(raw.get(k), int | float)}


def weather_entity_data(stamp: Mapping[str, Any]) -> dict[str, Any] | None:
    """The entity data of one history stamp (None when it has no usable ``dt``)."""
    dt = stamp.get("dt")
    if isinstance(dt, bool) or not isinstance(dt, int | float) or not math.isfinite(dt):
        return None
    try:
        moment = datetime.fromtimestamp(float(dt), UTC)
    except (OverflowError, OSError, ValueError):
        return None
    data: dict[str, Any] = {}
    for name, keys in _NUMBER_PARTS.items():
        part = _part(stamp.get(name), keys)
        if part is not None:
            data[name] = part
    items = stamp.get("weather")
    if isinstance(items, list):
        data["weather"] = [
            {k: item[k] for k in _WEATHER_ITEM if item.get(k) is not None}
            for item in items
            if isinstance(item, Mapping)
        ]
    data["dt"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return data


class Weather(Enrichment):
    """Attach the weather at the event's position and time (see the module docstring)."""

    schema_name = "weather_enrichment_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow.enrichments/weather_enrichment_config/jsonschema/1-0-*"
        ),
    )
    identifier = "weather"

    def __init__(self, config: EnrichmentConfig) -> None:
        super().__init__(config)
        params = config.parameters
        key, host = params.get("apiKey"), params.get("apiHost")
        if not isinstance(key, str) or not key:
            raise EnrichmentConfigError("weather: apiKey must be a non-empty string")
        if not isinstance(host, str) or not host.strip("/"):
            raise EnrichmentConfigError(f"weather: apiHost must be a host name, got {host!r}")
        self._api_key = key
        base = host.rstrip("/") if "://" in host else "https://" + host.rstrip("/")
        self.url = base + "/data/2.5/history/city"
        self.precision = self._integer(params, "geoPrecision", 1, 10)
        size = self._integer(params, "cacheSize", 1, 1_000_000)
        timeout = self._integer(params, "timeout", 1, None)
        self._cache: TtlLruCache[tuple[float, float, int], tuple[Mapping[str, Any], ...]]
        self._cache = TtlLruCache(size, None, lambda: 0.0)
        self._client = httpx.Client(timeout=float(timeout))

    @staticmethod
    def _integer(params: Mapping[str, Any], name: str, low: int, high: int | None) -> int:
        value = params.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            limit = f"{low}..{high}" if high is not None else f">= {low}"
            raise EnrichmentConfigError(
                f"weather: {name} must be an integer {limit}, got {value!r}"
            )
        return value

    def close(self) -> None:
        self._client.close()

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        fields = event.fields
        lat, lon, when = (
            fields.get("geo_latitude"),
            fields.get("geo_longitude"),
            fields.get("derived_tstamp"),
        )
        if not isinstance(lat, float | int) or not isinstance(lon, float | int) or when is None:
            return EnrichmentError(
                "One of required event fields missing. "
                f"latitude: {lat}, longitude: {lon}, tstamp: {when}"
            )
        if not isinstance(when, datetime) or not math.isfinite(lat) or not math.isfinite(lon):
            return EnrichmentError(f"weather: unusable inputs {lat!r}, {lon!r}, {when!r}")
        moment = when.timestamp()
        day = int(moment // _DAY) * _DAY
        key = (round_coordinate(lat, self.precision), round_coordinate(lon, self.precision), day)
        stamps = self._cache.get(key)
        if stamps is None:
            fetched = self._fetch(*key)
            if isinstance(fetched, EnrichmentError):
                return fetched
            stamps = fetched
            self._cache.put(key, stamps)
        closest = min(
            (s for s in stamps if isinstance(s.get("dt"), int | float)),
            key=lambda s: abs(float(s["dt"]) - moment),
            default=None,
        )
        data = weather_entity_data(closest) if closest is not None else None
        if data is None:
            return EnrichmentError(
                f"weather: OpenWeatherMap has no weather for lat {key[0]}, lon {key[1]} on "
                f"{datetime.fromtimestamp(day, UTC).date()}"
            )
        return [Entity(WEATHER_SCHEMA, data)]

    def _fetch(
        self, lat: float, lon: float, day: int
    ) -> tuple[Mapping[str, Any], ...] | EnrichmentError:
        query = {
            "lat": repr(lat),
            "lon": repr(lon),
            "start": str(day),
            "end": str(day + _DAY),
            "appid": self._api_key,
        }
        try:
            response = self._client.get(self.url, params=query)
        except httpx.HTTPError as exc:
            return EnrichmentError(f"weather: request to {self.url} failed: {exc!r}")
        if not response.is_success:
            return EnrichmentError(
                f"weather: {self.url} returned HTTP {response.status_code}: {response.text[:200]!r}"
            )
        try:
            body = msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            return EnrichmentError(f"weather: the answer of {self.url} is not JSON: {exc}")
        items = body.get("list") if isinstance(body, Mapping) else None
        if not isinstance(items, list):
            return EnrichmentError(
                f"weather: the answer of {self.url} has no 'list' of weather stamps: "
                f"{response.text[:200]!r}"
            )
        return tuple(item for item in items if isinstance(item, Mapping))
