"""Country data: every file loads, and the traps in DOMAIN.md are closed for every country at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from inkasso._iso import CURRENCY_DIGITS

from paypage.domain.countries import (
    DISCONTINUED_METHODS,
    Country,
    CountryDataError,
    Method,
    UnknownCountryError,
    UnknownMethodError,
    all_countries,
    catalog,
    fallback,
    get_country,
    get_country_or_fallback,
    methods_for,
    recurring_methods,
)
from paypage.domain.countries import _resolve_methods as resolve_methods
from paypage.domain.countries.model import CREDIT_ORDER
from paypage.domain.countries.table import markdown_table

REQUIRED = {"DE", "AT", "CH", "NL", "BE", "FR", "ES", "IT", "PL", "SE", "DK", "FI", "NO", "GB", "US"}
COUNTRIES = all_countries()


def ids(methods: Any) -> list[str]:
    return [method.id for method in methods]


def revalidate(country: Country, **changes: Any) -> Country:
    """The country rebuilt with some fields changed, through validation (model_copy would skip it)."""
    return Country.model_validate({**dict(country), **changes})


def test_every_required_country_has_a_file_named_after_its_code() -> None:
    assert {country.code for country in COUNTRIES} >= REQUIRED
    assert all(country.has_rules for country in COUNTRIES)
    assert get_country("de") is get_country("DE")  # cached, case-insensitive


def test_currencies_are_iso_4217() -> None:
    for country in COUNTRIES:
        assert country.currency is not None and country.currency in CURRENCY_DIGITS
        for method in country.methods:
            assert method.currencies is not None and method.currencies <= CURRENCY_DIGITS.keys(), method.id


def test_every_language_and_the_default_locale_exist_in_babel() -> None:
    for country in COUNTRIES:
        for language in country.languages:
            assert Locale.parse(f"{language}_{country.code}").language == language
        locale = Locale.parse(country.default_locale)
        assert (locale.language, locale.territory) == (country.languages[0], country.code)
    assert get_country("CH").languages == ("de", "fr", "it")
    assert get_country("BE").languages == ("nl", "fr")
    assert get_country("FI").languages == ("fi", "sv")


def test_time_zones_resolve_and_contact_hours_are_daytime() -> None:
    for country in COUNTRIES:
        ZoneInfo(country.timezone)
        hours = country.contact_hours
        assert dt.time(8) <= hours.start < hours.end <= dt.time(21), country.code
        assert "sun" not in hours.days and not hours.public_holidays
    us = get_country("US").contact_hours
    assert (us.start, us.end, us.statutory, us.verified) == (dt.time(8), dt.time(21), True, True)
    assert "1006.6" in us.source


def test_holiday_calendars_exist_in_the_holidays_package() -> None:
    holidays = pytest.importorskip("holidays")
    for country in COUNTRIES:
        assert country.holidays_calendar is not None
        calendar = holidays.country_holidays(
            country.holidays_calendar.country, subdiv=country.holidays_calendar.subdivision, years=2026
        )
        assert dt.date(2026, 12, 25) in calendar, country.code


def test_no_discontinued_method_anywhere() -> None:
    for method in [*catalog().values(), *(m for country in COUNTRIES for m in country.methods)]:
        assert not {method.id, method.stripe, method.adyen} & DISCONTINUED_METHODS
    assert {"giropay", "sofort"} <= DISCONTINUED_METHODS


def test_discontinued_method_is_refused() -> None:
    with pytest.raises(ValueError, match="discontinued"):
        Method.model_validate({**dict(catalog()["eps"]), "id": "giropay"})


def test_no_country_shows_credit_before_non_credit() -> None:
    for country in COUNTRIES:
        tiers = [CREDIT_ORDER[method.credit] for method in country.methods]
        assert tiers == sorted(tiers), country.code
        kinds = [method.kind for method in country.methods]
        if "credit" in kinds:
            assert all(kind == "credit" for kind in kinds[kinds.index("credit") :]), country.code


def test_sweden_and_finland_start_with_methods_that_are_never_credit() -> None:
    for code in ("SE", "FI"):
        country = get_country(code)
        assert country.methods[0].credit == "none" and country.methods[0].kind != "credit"
        assert country.legal.payment_method_order is not None and country.legal.payment_method_order.verified


def test_a_credit_method_first_does_not_load() -> None:
    se = get_country("SE")
    pay_later = catalog()["card"].model_copy(update={"id": "pay_later", "kind": "credit", "credit": "always"})
    with pytest.raises(ValueError, match="ordered"):
        revalidate(se, methods=(pay_later, *se.methods))
    assert revalidate(se, methods=(*se.methods, pay_later)).methods[-1].id == "pay_later"


def test_amex_is_never_enabled_by_default() -> None:
    for country in COUNTRIES:
        assert "amex" not in country.card_brands
        assert country.card_brands, country.code
    assert get_country("FR").card_brands[0] == "cartes_bancaires"
    with pytest.raises(ValueError, match="amex"):
        revalidate(get_country("DE"), card_brands=("visa", "amex"))


def test_ideal_is_labelled_ideal_wero_and_comes_first_in_the_netherlands() -> None:
    assert catalog()["ideal"].label == "iDEAL | Wero"
    nl = get_country("NL")
    assert nl.methods[0].id == "ideal" and nl.method("ideal") is nl.methods[0]
    assert nl.method("twint") is None


def test_provider_names_are_set_and_wallets_are_cards_on_stripe() -> None:
    methods = catalog()
    assert (methods["sepa_debit"].stripe, methods["sepa_debit"].adyen) == ("sepa_debit", "sepadirectdebit")
    assert (methods["p24"].stripe, methods["p24"].adyen) == ("p24", "onlineBanking_PL")
    assert (methods["bacs_debit"].adyen, methods["us_bank_account"].adyen) == ("directdebit_GB", "ach")
    assert methods["apple_pay"].stripe == methods["google_pay"].stripe == "card"
    assert (methods["klarna_paynow"].stripe, methods["klarna_paynow"].adyen) == (None, "klarna_paynow")
    assert all(method.source for method in methods.values())


def test_methods_for_follows_the_claim_currency() -> None:
    ch = get_country("CH")
    assert "twint" in ids(methods_for(ch, "CHF", "person"))
    in_euro = ids(methods_for(ch, "EUR", "person"))
    assert "twint" not in in_euro and {"card", "bank_transfer"} <= set(in_euro)
    assert methods_for(get_country("PL"), "EUR", "person") == []  # Polish methods are set up for PLN only


def test_methods_for_narrows_to_the_creditor_and_the_debtor_type() -> None:
    se = get_country("SE")
    assert ids(methods_for(se, "SEK", "person", {"card", "swish"})) == ["swish", "card"]
    assert ids(methods_for(se, "SEK", "person", set())) == []
    for_companies = ids(methods_for(se, "SEK", "company"))
    assert "swish" not in for_companies and "klarna_paynow" not in for_companies and "card" in for_companies
    with pytest.raises(UnknownMethodError, match="sofortt"):
        methods_for(se, "SEK", "person", {"card", "sofortt"})


def test_recurring_methods_can_carry_a_plan() -> None:
    assert ids(recurring_methods(get_country("DE"), "EUR", "person")) == ["sepa_debit", "card", "paypal"]
    assert ids(recurring_methods(get_country("CH"), "CHF", "person")) == ["twint", "card", "paypal"]
    assert ids(recurring_methods(get_country("GB"), "GBP", "company", {"bacs_debit"})) == ["bacs_debit"]
    assert catalog()["sepa_debit"].reversible_after_collection


def test_fallback_is_conservative_and_flagged() -> None:
    jp = get_country_or_fallback("jp")
    assert (jp.code, jp.has_rules, jp.qr_standard, jp.languages, jp.currency) == ("JP", False, "none", ("en",), None)
    assert ids(methods_for(jp, "JPY", "person")) == ids(methods_for(jp, "EUR", "company")) == ["bank_transfer", "card"]
    assert not jp.instalments.allowed and jp.unverified_rules() == {"contact_hours": jp.contact_hours}
    assert Locale.parse(jp.default_locale).language == "en"  # en_JP is not a CLDR locale; en_001 is
    in_yen = get_country_or_fallback("JP", "JPY")
    assert in_yen.currency == "JPY" and methods_for(in_yen, "EUR", "person") == []
    assert get_country_or_fallback("DE") is get_country("DE")
    with pytest.raises(ValueError, match="currency"):
        fallback("JP", "XYZ")


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(UnknownCountryError, match="no country data for 'JP'.*get_country_or_fallback"):
        get_country("JP")
    with pytest.raises(UnknownCountryError):
        get_country_or_fallback("XX")  # not a country at all: no silent fallback


def test_legal_rules_are_dated_and_sourced() -> None:
    fr = get_country("FR").legal.consumer_collection_costs_allowed
    assert fr is not None and fr.value is False and "L111-8" in fr.source and fr.applies_to("person")
    nl = get_country("NL").legal.waiting_period_days
    be = get_country("BE").legal.waiting_period_days
    assert nl is not None and be is not None and nl.value == be.value == 14
    assert not be.in_force(dt.date(2023, 8, 31)) and be.in_force(dt.date(2023, 9, 1))
    assert "notice:validation_notice" in get_country("US").unverified_rules()
    for country in COUNTRIES:
        for rule in country.legal.rules().values():
            assert rule.source and rule.customer_types


def test_country_file_errors_name_the_problem() -> None:
    with pytest.raises(CountryDataError, match="twint takes"):
        resolve_methods([{"id": "twint"}], "EUR", "xx.toml")
    with pytest.raises(CountryDataError, match="not in methods.toml"):
        resolve_methods([{"id": "giropay"}], "EUR", "xx.toml")
    with pytest.raises(CountryDataError, match="optionally 'currencies'"):
        resolve_methods([{"id": "card", "label": "Karte"}], "EUR", "xx.toml")
    with pytest.raises(CountryDataError, match="optionally 'currencies'"):
        resolve_methods([{"id": "card", "currencies": "EUR"}], "EUR", "xx.toml")  # a string, not a list
    with pytest.raises(CountryDataError, match="unknown or empty currencies"):
        resolve_methods([{"id": "card", "currencies": ["EURO"]}], "EUR", "xx.toml")
    with pytest.raises(ValueError, match="EPC QR code needs EUR"):
        revalidate(get_country("CH"), qr_standard="epc")
    with pytest.raises(ValueError, match="default_locale"):
        revalidate(get_country("BE"), default_locale="fr_BE")


def test_docs_countries_md_is_generated_from_the_data() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "countries.md"
    assert docs.read_text(encoding="utf-8") == markdown_table(), (
        "docs/countries.md is stale: python -m paypage.domain.countries.table > docs/countries.md"
    )
