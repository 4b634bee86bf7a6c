from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.enrich.context import (
    EnrichmentConfig,
    EnrichmentConfigError,
    EnrichmentError,
    EventContext,
)
from pyplow.enrich.enrichments.currency_conversion import (
    CurrencyConversion,
    RatesTable,
    convert,
)
from pyplow.iglu import Resolver, SchemaKey, Validated, Validator, builtin_repository
from pyplow.protocol import RawEvent

USD_RATES = {"USD": 1, "EUR": 0.9245, "GBP": 0.7901, "JPY": 150.12}
TSTAMP = datetime(2024, 3, 1, 13, 45, tzinfo=UTC)


def config(**overrides: Any) -> EnrichmentConfig:
    key = SchemaKey.parse(
        "iglu:com.snowplowanalytics.snowplow/currency_conversion_config/jsonschema/1-0-0"
    )
    assert isinstance(key, SchemaKey)
    parameters = {
        "apiKey": "KEY",
        "baseCurrency": "EUR",
        "rateAt": "EOD_PRIOR",
        "accountType": "DEVELOPER",
        **overrides,
    }
    data = {
        "vendor": "com.snowplowanalytics.snowplow",
        "name": "currency_conversion_config",
        "enabled": True,
        "parameters": parameters,
    }
    return EnrichmentConfig(schema=key, data=data)


class FakeOer:
    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.body = body if body is not None else {"base": "USD", "rates": USD_RATES}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=json.dumps(self.body).encode())

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def run(enrichment: CurrencyConversion, **fields: Any) -> tuple[Any, dict[str, Any]]:
    ctx = EventContext(
        RawEvent(vendor="v", version="tp2", parameters={}), {"collector_tstamp": TSTAMP, **fields}
    )
    return enrichment.enrich(ctx), ctx.fields


def test_snowplow_config_validates() -> None:
    cfg = config()
    validator = Validator(Resolver([builtin_repository()]))
    assert isinstance(validator.validate_data(cfg.schema, dict(cfg.data)), Validated)
    assert isinstance(
        validator.validate_data(cfg.schema, dict(config(apiKey="file:r.json").data)), Validated
    )


def test_developer_account_cross_rates_and_request() -> None:
    oer = FakeOer()
    enrichment = CurrencyConversion(config(baseCurrency="USD"), client=oer.client())
    result, fields = run(
        enrichment,
        tr_currency="EUR",
        tr_total=Decimal("10.00"),
        tr_tax=Decimal("2.5"),
        ti_currency="JPY",
        ti_price=Decimal("1000"),
    )
    assert result is None
    # EUR→USD: round6(1/0.9245) = 1.081666; 10 × 1.081666 = 10.81666 → 10.82
    assert fields["tr_total_base"] == Decimal("10.82")
    assert fields["tr_tax_base"] == Decimal("2.70")
    assert fields["ti_price_base"] == Decimal("6.66")  # round6(1/150.12)=0.006661 → 6.661
    assert fields["base_currency"] == "USD"
    assert "tr_shipping_base" not in fields
    assert len(oer.requests) == 1  # one request per date, cached
    url = oer.requests[0].url
    assert url.path == "/api/historical/2024-03-01.json"
    assert dict(url.params) == {"app_id": "KEY"}


def test_non_usd_base_through_usd_rates_and_enterprise_base_param() -> None:
    oer = FakeOer()
    enrichment = CurrencyConversion(config(), client=oer.client())
    _, fields = run(enrichment, tr_currency="GBP", tr_total=Decimal("100"))
    # EUR per GBP via USD: 0.7901/0.9245 → round6(1/0.854624…) = 1.170105 → 117.01
    assert fields["tr_total_base"] == Decimal("117.01")
    oer2 = FakeOer(body={"base": "EUR", "rates": {"EUR": 1, "GBP": 0.8546}})
    enterprise = CurrencyConversion(config(accountType="ENTERPRISE"), client=oer2.client())
    _, fields = run(enterprise, tr_currency="GBP", tr_total=Decimal("100"))
    assert fields["tr_total_base"] == Decimal("117.01")
    assert dict(oer2.requests[0].url.params) == {"app_id": "KEY", "base": "EUR"}


def test_same_currency_rounds_the_double_half_even() -> None:
    table = RatesTable("USD", {"USD": Decimal(1)})
    assert convert(Decimal("2.675"), "USD", "USD", table) == Decimal("2.67")  # 2.67499… as double
    assert convert(Decimal("0.125"), "USD", "USD", table) == Decimal("0.12")
    assert convert(Decimal("1234.5"), "JPY", "JPY", RatesTable("JPY", {})) == Decimal("1234")


def test_failures() -> None:
    enrichment = CurrencyConversion(config(), client=FakeOer().client())
    result, fields = run(enrichment, tr_currency="ABC", tr_total=Decimal(1))
    assert result == EnrichmentError("tr_currency: Unknown currency 'ABC'")
    assert fields["base_currency"] == "EUR"
    assert "tr_total_base" not in fields
    result, _ = run(enrichment, ti_currency="XAU", ti_price=Decimal(1))
    assert isinstance(result, EnrichmentError)
    assert "invalid currency XAU" in result.message
    assert "IllegalCurrency" in result.message
    ctx = EventContext(
        RawEvent(vendor="v", version="tp2", parameters={}),
        {"tr_currency": "USD", "tr_total": Decimal(1)},
    )
    assert enrichment.enrich(ctx) == EnrichmentError("collector_tstamp: missing")
    denied = FakeOer(
        401,
        {
            "error": True,
            "status": 401,
            "message": "invalid_app_id",
            "description": "Invalid App ID provided.",
        },
    )
    result, _ = run(
        CurrencyConversion(config(), client=denied.client()), tr_currency="USD", tr_total=Decimal(1)
    )
    assert result == EnrichmentError(
        "Open Exchange Rates error, type: [InvalidAppId], message: [Invalid App ID provided.]"
    )


def test_nothing_to_convert_sets_only_base_currency() -> None:
    oer = FakeOer()
    result, fields = run(CurrencyConversion(config(), client=oer.client()), tr_total=Decimal(5))
    assert result is None
    assert fields["base_currency"] == "EUR"
    assert "tr_total_base" not in fields
    assert oer.requests == []


def test_offline_rates_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps({"base": "USD", "rates": {"2024-03-01": {"EUR": 0.9245}}}))
    enrichment = CurrencyConversion(config(baseCurrency="USD", apiKey=f"file:{path}"))
    _, fields = run(enrichment, tr_currency="EUR", tr_total=Decimal("10"))
    assert fields["tr_total_base"] == Decimal("10.82")
    result, _ = run(
        enrichment,
        tr_currency="EUR",
        tr_total=Decimal("10"),
        collector_tstamp=datetime(2024, 3, 2, tzinfo=UTC),
    )
    assert isinstance(result, EnrichmentError)
    assert "2024-03-02" in result.message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"baseCurrency": "XYZ"}, "baseCurrency"),
        ({"accountType": "FREE"}, "accountType"),
        ({"rateAt": "NOW"}, "rateAt"),
        ({"apiKey": ""}, "apiKey"),
        ({"apiKey": "file:/nonexistent/rates.json"}, "cannot read"),
    ],
)
def test_bad_configs(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(EnrichmentConfigError, match=message):
        CurrencyConversion(config(**overrides))


def test_malformed_rates_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps({"base": "USD", "rates": {"March": {"EUR": 1}}}))
    with pytest.raises(EnrichmentConfigError, match="YYYY-MM-DD"):
        CurrencyConversion(config(apiKey=f"file:{path}"))


@settings(max_examples=100)
@given(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["EUR", "GBP", "JPY", "USD", "KWD"]),
)
def test_convert_never_raises(amount: Decimal, source: str) -> None:
    table = RatesTable(
        "USD",
        {
            "USD": Decimal(1),
            "EUR": Decimal("0.92"),
            "GBP": Decimal("0.79"),
            "JPY": Decimal("150.1"),
        },
    )
    result = convert(amount, source, "USD", table)
    assert isinstance(result, (Decimal, str))
    if isinstance(result, Decimal):
        assert result.as_tuple().exponent == -2
