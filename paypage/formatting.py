"""Formatting at the edge: money and dates in the reader's locale (Babel)."""

from __future__ import annotations

import copy
from decimal import Decimal

from babel import Locale
from babel.numbers import parse_pattern

from paypage.domain.money import Money


def format_money(money: Money, locale: str) -> str:
    """`Money(123456, "EUR")` in `de_DE` is `1.234,56 €`; exact, never through a float.

    The number of decimals is the currency's ISO 4217 minor unit, which is what the amount is counted in.
    """
    place = Locale.parse(locale)
    pattern = copy.copy(parse_pattern(place.currency_formats["standard"]))
    pattern.frac_prec = (money.digits, money.digits)
    value = Decimal(money.amount).scaleb(-money.digits)
    return str(pattern.apply(value, place, currency=money.currency, currency_digits=False))
