from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments.weather import (
    WEATHER_SCHEMA,
    Weather,
    round_coordinate,
    weather_entity_data,
)
from pyplow.enrich.registry import implementation
from pyplow.event.entities import Entity
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

VALIDATOR = Validator(Resolver([builtin_repository()]))
SCHEMA = (
    "iglu:com.snowplowanalytics.snowplow.enrichments/weather_enrichment_config/jsonschema/1-0-0"
)
DAY = 1485734400  # 2017-01-30T00:00:00Z


def stamp(dt: int, temp: float) -> dict[str, Any]:
    """One hourly stamp as OpenWeatherMap's history API writes it (with extra keys)."""
    return {
        "dt": dt,
        "main": {
            "temp": temp,
            "feels_like": 270.1,
            "temp_min": 272.0,
            "temp_max": 276.0,
            "pressure": 1011,
            "humidity": 93,
        },
        "wind": {"speed": 3.6, "deg": 240},
        "clouds": {"all": 90},
        "weather": [{"id": 701, "main": "Mist", "description": "mist", "icon": "50n"}],
        "rain": {"1h": 0.3},
    }


class FakeOwm:
    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        self.status = 200
        self.body: Any = {
            "cod": "200",
            "cnt": 3,
            "list": [stamp(DAY + 3600 * h, 273.0 + h) for h in (0, 9, 18)],
        }
        owm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                assert parts.path == "/data/2.5/history/city"
                owm.requests.append(parse_qs(parts.query))
                payload = owm.body if isinstance(owm.body, str) else json.dumps(owm.body)
                data = payload.encode()
                self.send_response(owm.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def owm() -> Iterator[FakeOwm]:
    server = FakeOwm()
    yield server
    server.close()


def data(host: str, **changes: Any) -> dict[str, Any]:
    params = {"apiKey": "KEY", "cacheSize": 5100, "geoPrecision": 1, "apiHost": host, "timeout": 5}
    params.update(changes)
    return {
        "vendor": "com.snowplowanalytics.snowplow.enrichments",
        "name": "weather_enrichment_config",
        "enabled": True,
        "parameters": params,
    }


def make(host: str, **changes: Any) -> Weather:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    return Weather(EnrichmentConfig(schema=key, data=data(host, **changes)))


def event(lat: Any = 51.52, lon: Any = -0.11, when: Any = None) -> EventContext:
    raw = RawEvent(vendor="com.snowplowanalytics.snowplow", version="tp2", parameters={})
    fields = {
        "geo_latitude": lat,
        "geo_longitude": lon,
        "derived_tstamp": when or datetime(2017, 1, 30, 10, 20, tzinfo=UTC),
    }
    return EventContext(raw, {k: v for k, v in fields.items() if v is not None})


def test_real_config_validates_and_is_registered() -> None:
    key = SchemaKey.parse(SCHEMA)
    assert isinstance(key, SchemaKey)
    real = data("history.openweathermap.org")
    assert isinstance(VALIDATOR.validate_data(key, real), Validated)
    assert implementation("weather_enrichment_config") is Weather
    assert make("history.openweathermap.org").url == (
        "https://history.openweathermap.org/data/2.5/history/city"
    )


def test_closest_stamp_of_the_day_becomes_a_valid_entity(owm: FakeOwm) -> None:
    enrichment = make(owm.base)
    result = enrichment.enrich(event())
    assert result == [
        Entity(
            WEATHER_SCHEMA,
            {
                "main": {
                    "temp": 282.0,
                    "temp_min": 272.0,
                    "temp_max": 276.0,
                    "pressure": 1011,
                    "humidity": 93,
                },
                "wind": {"speed": 3.6, "deg": 240},
                "clouds": {"all": 90},
                "rain": {"1h": 0.3},
                "weather": [{"main": "Mist", "description": "mist", "id": 701, "icon": "50n"}],
                "dt": "2017-01-30T09:00:00.000Z",
            },
        )
    ]
    key = SchemaKey.parse(WEATHER_SCHEMA)
    assert isinstance(key, SchemaKey)
    assert isinstance(result, list)
    assert isinstance(VALIDATOR.validate_data(key, result[0].data), Validated)
    assert owm.requests == [
        {
            "lat": ["52.0"],
            "lon": ["0.0"],
            "start": [str(DAY)],
            "end": [str(DAY + 86400)],
            "appid": ["KEY"],
        }
    ]
    enrichment.close()


def test_cache_is_keyed_by_rounded_position_and_day(owm: FakeOwm) -> None:
    enrichment = make(owm.base, geoPrecision=2)
    enrichment.enrich(event(51.52, -0.11))
    enrichment.enrich(event(51.6, -0.2, datetime(2017, 1, 30, 23, 0, tzinfo=UTC)))
    assert len(owm.requests) == 1  # 51.5/-0.0 and 51.5/-0.0: same cell, same day
    later = enrichment.enrich(event(51.52, -0.11, datetime(2017, 1, 30, 20, 0, tzinfo=UTC)))
    assert isinstance(later, list)
    assert later[0].data["dt"] == "2017-01-30T18:00:00.000Z"
    enrichment.enrich(event(51.8, -0.11))
    enrichment.enrich(event(51.52, -0.11, datetime(2017, 1, 31, 1, 0, tzinfo=UTC)))
    assert len(owm.requests) == 3


def test_missing_inputs_fail_as_in_snowplow(owm: FakeOwm) -> None:
    enrichment = make(owm.base)
    failure = enrichment.enrich(event(lat=None))
    assert isinstance(failure, EnrichmentError)
    assert failure.message.startswith("One of required event fields missing. latitude: None")
    assert owm.requests == []


def test_api_errors_and_empty_history_are_failures(owm: FakeOwm) -> None:
    enrichment = make(owm.base)
    owm.status = 401
    owm.body = {"cod": 401, "message": "Invalid API key"}
    failure = enrichment.enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert "HTTP 401" in failure.message
    assert "KEY" not in failure.message.replace("API key", "")
    owm.status = 200
    owm.body = {"list": []}
    failure = enrichment.enrich(event())
    assert isinstance(failure, EnrichmentError)
    assert "no weather" in failure.message
    owm.body = "not json"
    assert isinstance(make(owm.base).enrich(event()), EnrichmentError)


def test_unreachable_host_is_a_failure() -> None:
    failure = make("http://127.0.0.1:9", timeout=1).enrich(event())
    assert isinstance(failure, EnrichmentError)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"apiKey": ""}, "apiKey"),
        ({"apiHost": 3}, "apiHost"),
        ({"geoPrecision": 0}, "geoPrecision must be an integer 1..10"),
        ({"cacheSize": 2_000_000}, "cacheSize"),
        ({"timeout": "5"}, "timeout"),
    ],
)
def test_bad_configs_are_explained(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        make("h", **changes)


def test_rounding_follows_half_up() -> None:
    assert round_coordinate(51.52, 1) == 52.0
    assert round_coordinate(51.25, 2) == 51.5
    assert round_coordinate(-0.25, 2) == -0.5  # away from zero, as Java's HALF_UP
    assert str(round_coordinate(-0.1, 1)) == "0.0"
    assert round_coordinate(12.345, 10) == 12.3


def test_entity_data_ignores_unknown_and_bad_parts() -> None:
    assert weather_entity_data({"main": {}}) is None
    assert weather_entity_data({"dt": 0, "main": "x", "weather": ["x", {"main": "Rain"}]}) == {
        "weather": [{"main": "Rain"}],
        "dt": "1970-01-01T00:00:00.000Z",
    }


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-180, max_value=180), st.integers(min_value=1, max_value=10))
def test_rounded_coordinates_are_on_the_grid(value: float, precision: int) -> None:
    rounded = round_coordinate(value, precision)
    assert abs(rounded - value) <= 0.5 / precision + 1e-9
    assert abs(rounded * precision - round(rounded * precision)) < 1e-6
