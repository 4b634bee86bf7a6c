"""Currency conversion (legacy): transaction amounts in a base currency, at end-of-day rates.

``tr_total``, ``tr_tax`` and ``tr_shipping`` (in ``tr_currency``) and ``ti_price`` (in
``ti_currency``) are converted into ``tr_total_base``, ``tr_tax_base``, ``tr_shipping_base`` and
``ti_price_base``; ``base_currency`` is always set. The arithmetic is Snowplow's (scala-forex
and Joda-Money): the amount is taken as the exact value of its double, the rate is
``round6(1 / (base→source rate)) × (base→base rate)`` (HALF_EVEN to 6 decimals), and the result
is rounded HALF_EVEN to the base currency's minor units (2 for USD and EUR, 0 for JPY, 3 for
KWD…). Same-currency amounts are only rounded. ``rateAt: EOD_PRIOR`` uses the rates Open
Exchange Rates publishes for the UTC date of ``collector_tstamp`` (its ``historical/DATE.json``,
the close of that day), as scala-forex does. An unknown currency code, a currency missing from
the rates, or a failed rates request is an enrichment failure (no ``*_base`` field is set).

Rates come from Open Exchange Rates with the configured ``apiKey`` (``DEVELOPER`` accounts get
USD-based rates and pyplow derives the cross rates; ``ENTERPRISE``/``UNLIMITED`` ask for the
base currency), cached per date (bounded LRU; failures retried after a minute). Without an
account, set ``"apiKey": "file:<path>"`` to read an offline rates file instead, in this form
(rates are units of each currency per one ``base``; numbers or strings)::

    {"base": "USD", "rates": {"2024-03-01": {"EUR": 0.9245, "GBP": 0.7901, "USD": 1}}}
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from pathlib import Path
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

__all__ = [
    "CURRENCY_DIGITS",
    "CurrencyConversion",
    "OpenExchangeRates",
    "RatesFile",
    "RatesSource",
    "RatesTable",
    "convert",
]

_WHAT: Final = "currency_conversion_config"
OER_URL: Final = "https://openexchangerates.org/api/"

_ZERO_DIGITS: Final = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DIGITS: Final = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DIGITS: Final = "CLF UYW"
_NO_DIGITS: Final = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"  # funds, metals
_TWO_DIGITS: Final = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW "
    "KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN "
    "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD "
    "SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU "
    "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)

#: ISO 4217 codes → minor-unit digits (metals and funds count as 0 digits here).
CURRENCY_DIGITS: Final[dict[str, int]] = {
    **dict.fromkeys(_TWO_DIGITS.split(), 2),
    **dict.fromkeys(_ZERO_DIGITS.split(), 0),
    **dict.fromkeys(_NO_DIGITS.split(), 0),
    **dict.fromkeys(_THREE_DIGITS.split(), 3),
    **dict.fromkeys(_FOUR_DIGITS.split(), 4),
}

_SIX_PLACES: Final = Decimal("0.000001")


class RatesTable(msgspec.Struct, frozen=True):
    """One day's rates: units of each currency per one ``base``."""

    base: str
    rates: dict[str, Decimal]


class RatesError(msgspec.Struct, frozen=True):
    """A rates lookup failed; ``kind`` uses scala-forex's error type names."""

    kind: str
    message: str

    def describe(self) -> str:
        return f"Open Exchange Rates error, type: [{self.kind}], message: [{self.message}]"


class RatesSource:
    """Where a day's rates come from."""

    def rates_for(self, day: date) -> RatesTable | RatesError:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""


def _decimal_rates(raw: Any) -> dict[str, Decimal] | None:
    if not isinstance(raw, dict):
        return None
    out: dict[str, Decimal] = {}
    for code, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            return None
        try:
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        except InvalidOperation:
            return None
        if not number.is_finite() or number <= 0:
            return None
        out[str(code)] = number
    return out


class RatesFile(RatesSource):
    """An offline rates file (see the module docstring for its format)."""

    def __init__(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except (OSError, ValueError) as exc:
            raise EnrichmentConfigError(f"{_WHAT}: cannot read rates file {path}: {exc}") from None
        base = data.get("base") if isinstance(data, dict) else None
        days = data.get("rates") if isinstance(data, dict) else None
        if not isinstance(base, str) or not isinstance(days, dict):
            raise EnrichmentConfigError(
                f'{_WHAT}: rates file {path} must look like {{"base": "USD", "rates": '
                f'{{"2024-03-01": {{"EUR": 0.92}}}}}}'
            )
        self.tables: dict[date, RatesTable] = {}
        for day, raw in days.items():
            rates = _decimal_rates(raw)
            try:
                parsed_day = date.fromisoformat(day)
            except (TypeError, ValueError):
                parsed_day = None
            if rates is None or parsed_day is None:
                raise EnrichmentConfigError(
                    f"{_WHAT}: rates file {path}: entry {day!r} must be a YYYY-MM-DD date "
                    "mapping currency codes to positive numbers"
                )
            rates.setdefault(base, Decimal(1))
            self.tables[parsed_day] = RatesTable(base, rates)

    def rates_for(self, day: date) -> RatesTable | RatesError:
        table = self.tables.get(day)
        if table is None:
            return RatesError("ResourcesNotAvailable", f"no rates for {day.isoformat()} in file")
        return table


class OpenExchangeRates(RatesSource):
    """Open Exchange Rates ``historical/DATE.json``, cached per date."""

    def __init__(
        self,
        api_key: str,
        base: str,
        account_type: str,
        *,
        client: httpx.Client | None = None,
        url: str = OER_URL,
        cache_size: int = 1024,
        retry_after: float = 60.0,
        timeout: float = 5.0,
    ) -> None:
        self.params = {"app_id": api_key}
        if account_type in ("ENTERPRISE", "UNLIMITED"):
            self.params["base"] = base
        self.url = url.rstrip("/") + "/"
        self.client = client if client is not None else httpx.Client(timeout=timeout)
        self.cache: OrderedDict[date, RatesTable] = OrderedDict()
        self.failures: dict[date, tuple[float, RatesError]] = {}
        self.cache_size = cache_size
        self.retry_after = retry_after

    def rates_for(self, day: date) -> RatesTable | RatesError:
        table = self.cache.get(day)
        if table is not None:
            self.cache.move_to_end(day)
            return table
        failed = self.failures.get(day)
        if failed is not None and failed[0] > time.monotonic():
            return failed[1]
        result = self._fetch(day)
        if isinstance(result, RatesError):
            self.failures[day] = (time.monotonic() + self.retry_after, result)
            return result
        self.failures.pop(day, None)
        self.cache[day] = result
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return result

    def _fetch(self, day: date) -> RatesTable | RatesError:
        url = f"{self.url}historical/{day.isoformat()}.json"
        try:
            response = self.client.get(url, params=self.params)
            body = json.loads(response.content, parse_float=Decimal)
        except httpx.HTTPError as exc:
            return RatesError("OtherErrors", f"request to Open Exchange Rates failed: {exc}")
        except ValueError:
            return RatesError("OtherErrors", f"HTTP {response.status_code}: body is not JSON")
        if response.status_code >= 400 or not isinstance(body, dict) or body.get("error"):
            detail = body if isinstance(body, dict) else {}
            message = str(detail.get("description") or detail.get("message") or "no details")
            kind = {401: "InvalidAppId", 403: "AccessRestricted", 404: "ResourcesNotAvailable"}
            return RatesError(kind.get(response.status_code, "OtherErrors"), message)
        rates = _decimal_rates(body.get("rates"))
        base = body.get("base")
        if rates is None or not isinstance(base, str):
            return RatesError("OtherErrors", "response has no usable 'base' and 'rates'")
        rates.setdefault(base, Decimal(1))
        return RatesTable(base, rates)

    def close(self) -> None:
        self.client.close()


def convert(amount: Decimal, source: str, base: str, table: RatesTable) -> Decimal | str:
    """``amount`` of ``source`` in ``base`` at ``table``'s rates (see the module docstring)."""
    try:
        return _convert(amount, source, base, table)
    except (InvalidOperation, OverflowError, ValueError):
        return f"amount {amount} of {source} cannot be converted to {base}"


def _convert(amount: Decimal, source: str, base: str, table: RatesTable) -> Decimal | str:
    exact = Decimal(float(amount))  # Snowplow reads the amount as a double
    if not exact.is_finite():
        return f"amount {amount} is not a finite number"
    exponent = Decimal(1).scaleb(-CURRENCY_DIGITS.get(base, 2))
    if source == base:
        return exact.quantize(exponent, ROUND_HALF_EVEN)
    rates = table.rates
    for code in (source, base):
        if code not in rates:
            return f"Currency not found in the API, invalid currency {code}"
    with localcontext() as ctx:
        ctx.prec = 34
        if table.base == base:
            base_over_source, base_over_base = rates[source], Decimal(1)
        else:  # cross rate through the table's base (a DEVELOPER account's USD)
            base_over_source = rates[source] / rates[base]
            base_over_base = rates[base] / rates[base]
        rate = (Decimal(1) / base_over_source).quantize(_SIX_PLACES, ROUND_HALF_EVEN)
        return (exact * rate * base_over_base).quantize(exponent, ROUND_HALF_EVEN)


_TARGETS: Final = (
    ("tr_total", "tr_currency", "tr_total_base"),
    ("tr_tax", "tr_currency", "tr_tax_base"),
    ("tr_shipping", "tr_currency", "tr_shipping_base"),
    ("ti_price", "ti_currency", "ti_price_base"),
)


class CurrencyConversion(Enrichment):
    """Sets ``base_currency`` and the ``*_base`` amounts."""

    schema_name = "currency_conversion_config"
    criteria = (
        criterion(
            "iglu:com.snowplowanalytics.snowplow/currency_conversion_config/jsonschema/1-0-*"
        ),
    )
    identifier = "currency-conversion"

    def __init__(self, config: EnrichmentConfig, *, client: httpx.Client | None = None) -> None:
        super().__init__(config)
        parameters = config.parameters
        api_key, base = parameters.get("apiKey"), parameters.get("baseCurrency")
        account, rate_at = parameters.get("accountType"), parameters.get("rateAt")
        if not isinstance(api_key, str) or not api_key:
            raise EnrichmentConfigError(f"{_WHAT}: apiKey must be a non-empty string")
        if base not in CURRENCY_DIGITS:
            raise EnrichmentConfigError(
                f"{_WHAT}: baseCurrency {base!r} is not an ISO 4217 currency code"
            )
        if account not in ("DEVELOPER", "ENTERPRISE", "UNLIMITED"):
            raise EnrichmentConfigError(
                f"{_WHAT}: accountType {account!r} is not one of DEVELOPER, ENTERPRISE, UNLIMITED"
            )
        if rate_at != "EOD_PRIOR":
            raise EnrichmentConfigError(f"{_WHAT}: rateAt {rate_at!r} must be 'EOD_PRIOR'")
        self.base: str = base
        self.source: RatesSource
        if api_key.startswith("file:"):
            location = api_key.removeprefix("file:")
            location = location.removeprefix("//") if location.startswith("///") else location
            self.source = RatesFile(Path(location))
        else:
            self.source = OpenExchangeRates(api_key, base, account, client=client)

    def enrich(self, event: EventContext) -> EnrichmentOutput:
        fields = event.fields
        fields["base_currency"] = self.base
        wanted: list[tuple[Decimal, str, str, str]] = []
        for amount_field, currency_field, target in _TARGETS:
            amount, code = fields.get(amount_field), fields.get(currency_field)
            if amount is not None and code is not None:
                wanted.append((amount, code, currency_field, target))
        if not wanted:
            return None
        collected: datetime | None = fields.get("collector_tstamp")
        if collected is None:
            return EnrichmentError("collector_tstamp: missing")
        problems: list[str] = []
        for _, code, field, _ in wanted:
            if code not in CURRENCY_DIGITS:
                problems.append(f"{field}: Unknown currency '{code}'")
        if problems:
            return EnrichmentError("; ".join(dict.fromkeys(problems)))
        table = self.source.rates_for(collected.astimezone(UTC).date())
        if isinstance(table, RatesError):
            return EnrichmentError(table.describe())
        results: dict[str, Decimal] = {}
        for amount, code, _, target in wanted:
            converted = convert(amount, code, self.base, table)
            if isinstance(converted, str):
                problems.append(RatesError("IllegalCurrency", converted).describe())
            else:
                results[target] = converted
        if problems:
            return EnrichmentError("; ".join(dict.fromkeys(problems)))
        fields.update(results)
        return None

    def close(self) -> None:
        self.source.close()
