"""The SDK's ISO tables agree with CLDR (Babel), apart from the deviations listed here on purpose."""

from __future__ import annotations

from babel import Locale
from babel.numbers import get_currency_precision, list_currencies
from inkasso._iso import COUNTRIES, CURRENCY_DIGITS

# CLDR gives the digits people use in cash; ISO 4217 gives the minor unit amounts are counted in.
CLDR_DIFFERS_FROM_ISO = {"AFN", "ALL", "IQD", "IRR", "KPW", "LAK", "LBP", "MGA", "MMK", "RSD", "SOS", "SYP", "YER"}
# Codes CLDR lists as territories that are not ISO 3166-1 countries.
NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


def test_currency_digits_match_cldr() -> None:
    assert set(CURRENCY_DIGITS) <= set(list_currencies())
    differing = {code for code, digits in CURRENCY_DIGITS.items() if get_currency_precision(code) != digits}
    assert differing == CLDR_DIFFERS_FROM_ISO


def test_countries_match_cldr_territories() -> None:
    territories = {code for code in Locale("en").territories if len(code) == 2 and code.isalpha()}
    assert territories - NOT_COUNTRIES == COUNTRIES
    assert {"DE", "AT", "CH", "NL", "FR", "PL", "GB", "US", "XK"} <= COUNTRIES
