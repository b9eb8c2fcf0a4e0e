"""Countries as data: one TOML file per country, validated into frozen models once and cached.

`methods.toml` is the catalog of payment methods (provider type names, currencies, whether a method
can carry an instalment plan); `<code>.toml` lists a country's facts and the catalog ids it offers, in
display order. Adding a country is adding a file; adding a method is adding a catalog entry.

```python
country = get_country("CH")
[m.id for m in methods_for(country, "EUR", "person")]  # no TWINT: TWINT takes CHF only
```

The files are read through `importlib.resources`, so they load from a wheel as well as from a checkout.
Pure: no Flask, no SQL, no network, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from inkasso._iso import COUNTRIES, CURRENCY_DIGITS
from inkasso.types import DebtorType
from pydantic import BaseModel, ConfigDict, ValidationError

from paypage.domain.countries.model import (
    CREDIT_ORDER,
    DISCONTINUED_METHODS,
    FALLBACK_LOCALE,
    OPT_IN_CARD_BRANDS,
    BoolRule,
    CardBrand,
    ContactHours,
    CountRule,
    Country,
    CreditExposure,
    HolidaysCalendar,
    Instalments,
    Legal,
    Method,
    MethodKind,
    Notice,
    QrStandard,
    ReferenceScheme,
    Rule,
)

__all__ = [
    "DISCONTINUED_METHODS",
    "FALLBACK_METHODS",
    "OPT_IN_CARD_BRANDS",
    "BoolRule",
    "CardBrand",
    "ContactHours",
    "Country",
    "CountRule",
    "CountryDataError",
    "CreditExposure",
    "HolidaysCalendar",
    "Instalments",
    "Legal",
    "Method",
    "MethodKind",
    "Notice",
    "QrStandard",
    "ReferenceScheme",
    "Rule",
    "UnknownCountryError",
    "UnknownMethodError",
    "all_countries",
    "catalog",
    "fallback",
    "get_country",
    "get_country_or_fallback",
    "methods_for",
    "recurring_methods",
]

_COUNTRY_FILE = re.compile(r"^([a-z]{2})\.toml$")
_CATALOG_FILE = "methods.toml"

#: What a debtor from a country without a file can use: our bank details and a card.
FALLBACK_METHODS: tuple[str, ...] = ("bank_transfer", "card")


class UnknownCountryError(LookupError):
    """No country file for this code (or the code is not an ISO 3166-1 country)."""

    def __init__(self, code: str, known: Iterable[str]) -> None:
        super().__init__(
            f"no country data for {code!r}; known: {', '.join(sorted(known))}. "
            "For a debtor's country use get_country_or_fallback(), which falls back to conservative defaults."
        )
        self.code = code


class UnknownMethodError(ValueError):
    """A method id that is not in the catalog (for example a typo in a creditor's allowed methods)."""


class CountryDataError(ValueError):
    """A data file does not validate; the message names the file."""


def _read_toml(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CountryDataError(f"{name}: {exc}") from exc


@cache
def catalog() -> Mapping[str, Method]:
    """Every payment method we know, by id, as `methods.toml` describes it."""
    raw = _read_toml(_CATALOG_FILE)
    methods: dict[str, Method] = {}
    for method_id, fields in raw.items():
        try:
            methods[method_id] = Method.model_validate({"id": method_id, **fields})
        except ValidationError as exc:
            raise CountryDataError(f"{_CATALOG_FILE} [{method_id}]: {exc}") from exc
    return MappingProxyType(methods)  # cached and shared: read-only


class _MethodRef(BaseModel):
    """One `[[methods]]` entry of a country file: a catalog id, and the currencies if not the country's."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    currencies: frozenset[str] | None = None


def _with_currencies(method: Method, currencies: frozenset[str] | None) -> Method:
    # Through validation again, so a bad currency in a country file is caught like one in the catalog.
    return Method.model_validate({**dict(method), "currencies": currencies})


def _resolve_methods(refs: list[Any], currency: str, where: str) -> list[Method]:
    """Turn `{id, currencies?}` entries into catalog methods with the country's currencies."""
    known = catalog()
    resolved = []
    for raw in refs:
        try:
            ref = _MethodRef.model_validate(raw)
        except ValidationError as exc:
            raise CountryDataError(f"{where}: a method entry has 'id' and optionally 'currencies': {exc}") from exc
        method = known.get(ref.id)
        if method is None:
            raise CountryDataError(f"{where}: method {ref.id!r} is not in {_CATALOG_FILE}")
        # A country offers a method in its own currency unless it says otherwise (CH takes CHF and EUR).
        wanted = ref.currencies if ref.currencies is not None else frozenset({currency})
        if method.currencies is not None and not wanted <= method.currencies:
            raise CountryDataError(
                f"{where}: {method.id} takes {sorted(method.currencies)}, not {sorted(wanted - method.currencies)}"
            )
        try:
            resolved.append(_with_currencies(method, wanted))
        except ValidationError as exc:
            raise CountryDataError(f"{where}: {method.id}: {exc}") from exc
    return resolved


def _load_country(name: str, expected_code: str) -> Country:
    raw = _read_toml(name)
    raw["methods"] = _resolve_methods(raw.get("methods", []), str(raw.get("currency", "")), name)
    try:
        country = Country.model_validate(raw)
    except ValidationError as exc:
        raise CountryDataError(f"{name}: {exc}") from exc
    if country.code != expected_code:
        raise CountryDataError(f"{name}: the file name must be the lower-case code, found {country.code!r}")
    return country


@cache
def _countries() -> Mapping[str, Country]:
    found = {}
    for entry in resources.files(__name__).iterdir():
        match = _COUNTRY_FILE.match(entry.name)
        if match:
            code = match.group(1).upper()
            found[code] = _load_country(entry.name, code)
    return MappingProxyType(dict(sorted(found.items())))


def all_countries() -> tuple[Country, ...]:
    """Every country with a file, ordered by code."""
    return tuple(_countries().values())


def get_country(code: str) -> Country:
    """The country's data; raises UnknownCountryError when there is no file for `code`."""
    countries = _countries()
    try:
        return countries[code.upper()]
    except KeyError:
        raise UnknownCountryError(code, countries) from None


def fallback(code: str, currency: str | None = None) -> Country:
    """Conservative defaults for a debtor whose country has no file: bank transfer and card, no QR code,
    English, no instalments, weekday daytime contact. `has_rules` is False so the portal can warn.

    We do not know the country's currency: pass the claim's to restrict the methods to it; without
    one, `currency` is None and the methods take any currency.
    """
    code = code.upper()
    if code not in COUNTRIES:
        raise UnknownCountryError(code, _countries())
    if currency is not None and currency not in CURRENCY_DIGITS:
        raise ValueError(f"unknown currency {currency!r}")
    currencies = None if currency is None else frozenset({currency})
    known = catalog()
    return Country(
        code=code,
        name=code,
        currency=currency,
        languages=("en",),
        default_locale=FALLBACK_LOCALE,
        # Unknown zone: UTC, and the engine must prefer the debtor's own zone when it has one.
        timezone="UTC",
        qr_standard="none",
        transfer_reference=("free_text",),
        holidays_calendar=None,
        contact_hours=ContactHours(
            start=dt.time(9),
            end=dt.time(18),
            days=frozenset({"mon", "tue", "wed", "thu", "fri"}),
            statutory=False,
            source="Fallback for a country without data: no statutory hours known.",
            verified=False,
        ),
        instalments=Instalments(allowed=False, min_instalment=0, max_months=0),
        pause_max_days=30,
        methods=tuple(_with_currencies(known[method_id], currencies) for method_id in FALLBACK_METHODS),
        card_brands=("visa", "mastercard"),
        has_rules=False,
    )


def get_country_or_fallback(code: str, currency: str | None = None) -> Country:
    """The country's file if there is one, else `fallback(code, currency)`. For a debtor's country."""
    try:
        return get_country(code)
    except UnknownCountryError:
        return fallback(code, currency)


def methods_for(
    country: Country,
    currency: str,
    customer_type: DebtorType,
    allowed: set[str] | frozenset[str] | None = None,
) -> list[Method]:
    """The methods to offer for one claim: what the country offers in the claim's currency to this kind
    of debtor, narrowed to the creditor's `allowed` ids, in the country's order, never-credit first.
    """
    if allowed is not None:
        unknown = set(allowed) - catalog().keys()
        if unknown:
            raise UnknownMethodError(f"unknown payment method ids: {sorted(unknown)}")
    offered = [
        method
        for method in country.methods
        if (method.currencies is None or currency in method.currencies)
        and customer_type in method.customer_types
        and (allowed is None or method.id in allowed)
    ]
    # The files are validated in this order already; sorting again (stably) keeps the guarantee local.
    return sorted(offered, key=lambda method: CREDIT_ORDER[method.credit])


def recurring_methods(
    country: Country,
    currency: str,
    customer_type: DebtorType,
    allowed: set[str] | frozenset[str] | None = None,
) -> list[Method]:
    """The methods an instalment plan can run on: those of `methods_for` that can be charged again."""
    return [method for method in methods_for(country, currency, customer_type, allowed) if method.recurring]
