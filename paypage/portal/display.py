"""Numbers, money, dates and state names as the portal shows them, in the portal's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_compact_currency, format_decimal, format_percent, get_currency_precision
from flask import g

from paypage.domain.money import Money
from paypage.formatting import format_money
from paypage.portal.i18n import _

LOCALES = {"en": "en_GB", "de": "de_DE"}
TIMEZONE = "Europe/Berlin"

STATE_NAMES: dict[str, Callable[[], str]] = {
    "open": lambda: _("Open"),
    "in_collection": lambda: _("In collection"),
    "payment_plan": lambda: _("Payment plan"),
    "paused": lambda: _("Paused"),
    "disputed": lambda: _("Disputed"),
    "paid": lambda: _("Paid"),
    "cancelled": lambda: _("Cancelled"),
    "escalated": lambda: _("Escalated"),
    "written_off": lambda: _("Written off"),
}


def locale() -> str:
    return LOCALES.get(str(g.get("language", "en")), "en_GB")


def money(value: Money) -> str:
    return format_money(value, locale())


def minor(amount: int, currency: str) -> str:
    return format_money(Money(int(amount), currency), locale())


def compact(amount: int, currency: str) -> str:
    """A short amount for a chart label, whole major units: '€1.2K', 'CHF413'."""
    major = Decimal(int(amount)).scaleb(-get_currency_precision(currency)).quantize(Decimal(1))
    return str(format_compact_currency(major, currency, locale=locale(), fraction_digits=1))


def number(value: float | int) -> str:
    return str(format_decimal(value, locale=locale(), format="#,##0.#"))


def percent(value: float | None) -> str:
    return "–" if value is None else str(format_percent(value / 100, locale=locale(), format="#,##0.0 %"))


def date(value: dt.date | None) -> str:
    return "" if value is None else str(format_date(value, format="medium", locale=locale()))


def day_month(value: dt.date) -> str:
    """A week's label under a chart column: 24.11. or 24/11."""
    return str(format_date(value, format="dd.MM." if locale().startswith("de") else "dd/MM", locale=locale()))


def datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return str(format_datetime(value, format="medium", tzinfo=get_timezone(TIMEZONE), locale=locale()))


def state(code: str) -> str:
    found = STATE_NAMES.get(code)
    return found() if found else code


HELPERS: dict[str, Callable[..., str]] = {
    "fmt_money": money,
    "fmt_minor": minor,
    "fmt_number": number,
    "fmt_percent": percent,
    "fmt_date": date,
    "fmt_datetime": datetime,
    "state_name": state,
}
