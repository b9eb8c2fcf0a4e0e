"""Reading the pay page's forms: each problem is kept by field, shown next to it, in the page's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from inkasso._iso import CURRENCY_DIGITS


class FormErrors(dict[str, str]):
    """field -> problem code (`required`, `invalid`, `too_early`, ...); templates turn codes into text."""

    def add(self, field: str, code: str) -> None:
        self.setdefault(field, code)


def required_text(raw: str | None, errors: FormErrors, field: str, limit: int) -> str | None:
    value = (raw or "").strip()
    if not value:
        errors.add(field, "required")
        return None
    if len(value) > limit:
        errors.add(field, "too_long")
        return None
    return value


def parse_date(
    raw: str | None,
    errors: FormErrors,
    field: str,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
) -> dt.date | None:
    if not raw:
        errors.add(field, "required")
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(field, "invalid")
        return None
    if earliest is not None and value < earliest:
        errors.add(field, "too_early")
        return None
    if latest is not None and value > latest:
        errors.add(field, "too_late")
        return None
    return value


def parse_amount(raw: str | None, currency: str, errors: FormErrors, field: str) -> int | None:
    """A decimal amount typed by a person ("123,45" or "123.45") as exact minor units."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        errors.add(field, "required")
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.add(field, "invalid")
        return None
    digits = CURRENCY_DIGITS[currency]
    minor = value.scaleb(digits)
    if value <= 0 or minor != minor.to_integral_value() or minor > 10**12:
        errors.add(field, "invalid")
        return None
    return int(minor)
